/**
 * The last few heartbeats of every worker, kept in memory from the feed so a page opened now draws
 * its sparklines with history instead of a single point. Also counts heartbeats, for the stats when
 * the master's own counters are not handed in. Bounded: `limit` samples per worker in the pool; a
 * worker's samples go when it leaves the pool.
 */
import type { PoolFeed } from '../live/feed.ts';
import type { Transition } from '../pool/states.ts';
import type { HeartbeatRecord } from '../pool/tables.ts';
import { sampleOf, type RecentHeartbeats, type Sample } from './views.ts';

/** Samples per worker the sparklines draw. */
export const SAMPLE_LIMIT = 30;

export class HeartbeatHistory implements RecentHeartbeats {
  readonly #feed: PoolFeed;
  readonly #limit: number;
  readonly #samples = new Map<string, Sample[]>();
  readonly #latest = new Map<string, HeartbeatRecord>();
  #count = 0;

  /** Starts listening to `feed` at once; `close()` stops. */
  constructor(feed: PoolFeed, limit = SAMPLE_LIMIT) {
    this.#feed = feed;
    this.#limit = limit;
    feed.on('heartbeat', this.#onHeartbeat);
    feed.on('transition', this.#onTransition);
  }

  /** Heartbeats seen since this history started. */
  get heartbeatsReceived(): number {
    return this.#count;
  }

  /** The worker's recent samples, oldest first (a copy). */
  samples(nodeId: string): Sample[] {
    return [...(this.#samples.get(nodeId) ?? [])];
  }

  latest(nodeId: string): HeartbeatRecord | undefined {
    return this.#latest.get(nodeId);
  }

  close(): void {
    this.#feed.off('heartbeat', this.#onHeartbeat);
    this.#feed.off('transition', this.#onTransition);
  }

  readonly #onHeartbeat = (h: HeartbeatRecord): void => {
    this.#count++;
    this.#latest.set(h.nodeId, h);
    let list = this.#samples.get(h.nodeId);
    if (!list) this.#samples.set(h.nodeId, (list = []));
    list.push(sampleOf(h));
    if (list.length > this.#limit) list.shift();
  };

  readonly #onTransition = (t: Transition): void => {
    if (t.to !== null) return;
    this.#samples.delete(t.nodeId);
    this.#latest.delete(t.nodeId);
  };
}
