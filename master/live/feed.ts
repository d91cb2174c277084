/**
 * The master's live feed: every pool transition and every heartbeat as it happens, for the status
 * page's stream. Listeners must be cheap: heartbeats call them on the socket's hot path.
 */
import { EventEmitter } from 'node:events';
import type { HeartbeatRecord } from '../pool/tables.ts';
import type { Transition } from '../pool/states.ts';

export interface FeedEvents {
  transition: [Transition];
  heartbeat: [HeartbeatRecord];
}

export class PoolFeed extends EventEmitter<FeedEvents> {
  constructor() {
    super();
    // One listener per open status page; many pages are fine.
    this.setMaxListeners(0);
  }
}
