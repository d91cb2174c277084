/**
 * The last few heartbeats of every worker, kept in memory from the feed so a page opened now draws
 * its sparklines with history instead of a single point. Also counts heartbeats, for the stats when
 * the master's own counters are not handed in. Bounded: `limit` samples per worker in the pool; a
 * worker's samples go when it leaves the pool.
 *
 * Samples live in one preallocated array of doubles per worker, not as an object per heartbeat:
 * with 10,000 workers that is 300,000 fewer long-lived objects for the garbage collector to copy
 * and trace while heartbeats arrive at thousands per second. (A plain double array, not a
 * Float64Array: 10,000 small typed arrays would be 10,000 external buffers for every GC to sweep.)
 */
import type { PoolFeed } from '../live/feed.ts';
import type { Transition } from '../pool/states.ts';
import type { HeartbeatRecord } from '../pool/tables.ts';
import type { RecentHeartbeats, Sample } from './views.ts';

/** Samples per worker the sparklines draw. */
export const SAMPLE_LIMIT = 30;

const FIELDS = 4; // at, cpu %, memory used, memory total; NaN = not reported

class SampleRing {
  readonly #data: number[];
  #next = 0;
  #count = 0;

  constructor(readonly limit: number) {
    this.#data = Array.from({ length: limit * FIELDS }, () => NaN);
  }

  push(h: HeartbeatRecord): void {
    const i = this.#next * FIELDS;
    this.#data[i] = h.at;
    this.#data[i + 1] = h.metrics.cpu?.loadPercent ?? NaN;
    this.#data[i + 2] = h.metrics.memory?.usedBytes ?? NaN;
    this.#data[i + 3] = h.metrics.memory?.totalBytes ?? NaN;
    this.#next = (this.#next + 1) % this.limit;
    this.#count = Math.min(this.#count + 1, this.limit);
  }

  /** Oldest first. */
  toSamples(): Sample[] {
    const out: Sample[] = [];
    const first = (this.#next - this.#count + this.limit) % this.limit;
    for (let k = 0; k < this.#count; k++) {
      const i = ((first + k) % this.limit) * FIELDS;
      out.push({ at: this.#data[i], cpuPercent: orNull(this.#data[i + 1]), memUsedBytes: orNull(this.#data[i + 2]), memTotalBytes: orNull(this.#data[i + 3]) });
    }
    return out;
  }
}

const orNull = (n: number): number | null => (Number.isNaN(n) ? null : n);

export class HeartbeatHistory implements RecentHeartbeats {
  readonly #feed: PoolFeed;
  readonly #limit: number;
  readonly #rings = new Map<string, SampleRing>();
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

  /** The worker's recent samples, oldest first. */
  samples(nodeId: string): Sample[] {
    return this.#rings.get(nodeId)?.toSamples() ?? [];
  }

  close(): void {
    this.#feed.off('heartbeat', this.#onHeartbeat);
    this.#feed.off('transition', this.#onTransition);
  }

  readonly #onHeartbeat = (h: HeartbeatRecord): void => {
    this.#count++;
    let ring = this.#rings.get(h.nodeId);
    if (!ring) this.#rings.set(h.nodeId, (ring = new SampleRing(this.#limit)));
    ring.push(h);
  };

  readonly #onTransition = (t: Transition): void => {
    if (t.to === null) this.#rings.delete(t.nodeId);
  };
}
