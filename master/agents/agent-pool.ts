/**
 * The pool as the agent server sees it: who may authenticate, what admission changes, where
 * heartbeats go. Heartbeats are on every socket's hot path, so they touch memory only (the write
 * buffer, the live feed); the one database write they can cause is bringing an `offline` worker
 * back, which the in-memory set of offline workers makes a lookup instead of a query.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.ts';
import type { Heartbeat } from '../../shared/protocol/messages.ts';
import type { PoolFeed } from '../live/feed.ts';
import type { HeartbeatBuffer } from '../pool/heartbeat-buffer.ts';
import { REASONS, type Transition } from '../pool/states.ts';
import type { PoolStore } from '../pool/store.ts';
import type { AgentPoolPort } from './agent-server.ts';
import type { KnownWorker } from './session.ts';

export interface AgentPoolOptions {
  store: PoolStore;
  heartbeats: HeartbeatBuffer;
  feed: PoolFeed;
  clock: Clock;
  logger: Logger;
  /** Counts a heartbeat (metrics). */
  onHeartbeat?: () => void;
}

export class AgentPool implements AgentPoolPort {
  readonly #o: AgentPoolOptions;
  readonly #offline: Set<string>;

  constructor(options: AgentPoolOptions) {
    this.#o = options;
    this.#offline = new Set(options.store.offlineIds());
    options.feed.on('transition', this.#onTransition);
  }

  worker(nodeId: string): KnownWorker | null {
    return this.#o.store.getIdentity(nodeId) ?? null;
  }

  authenticated(nodeId: string): void {
    const status = this.#o.store.getIdentity(nodeId)?.status;
    if (status === 'pending' || status === 'offline') this.#o.store.setStatus(nodeId, 'active', REASONS.authenticated);
  }

  heartbeat(nodeId: string, hb: Heartbeat): void {
    const record = { nodeId, at: this.#o.clock.now(), metrics: hb.metrics, k3s: hb.k3s };
    this.#o.heartbeats.add(record);
    this.#o.feed.emit('heartbeat', record);
    this.#o.onHeartbeat?.();
    // Marked offline while its socket stayed open (the master's loop stalled past the deadline, or
    // the network held the beats back): a beat on an authenticated session is a sign of life.
    if (this.#offline.has(nodeId)) this.#revive(nodeId);
  }

  close(): void {
    this.#o.feed.off('transition', this.#onTransition);
  }

  #revive(nodeId: string): void {
    try {
      this.#o.store.setStatus(nodeId, 'active', REASONS.heartbeat);
    } catch (err) {
      this.#offline.delete(nodeId); // not in the pool or no longer offline: nothing to retry
      this.#o.logger.warn({ nodeId, err: (err as Error).message }, 'could not mark a beating worker active');
    }
  }

  readonly #onTransition = (t: Transition): void => {
    if (t.to === 'offline') this.#offline.add(t.nodeId);
    else this.#offline.delete(t.nodeId);
  };
}
