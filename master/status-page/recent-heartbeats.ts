/**
 * The last few heartbeats of every worker, kept in memory from the feed so a page opened now draws
 * its sparklines with history instead of a single point. Also counts heartbeats, for the stats when
 * the master's own counters are not handed in. Bounded: `limit` samples per worker in the pool; a
 * worker's samples go when it leaves the pool.
 *
 * Samples of all workers live in one Float64Array (a row of `limit` samples per worker, reused when
 * a worker leaves), not in an object or array per worker: with 10,000 workers an array of boxed
 * numbers each was 10,000 arrays and ~130,000 heap numbers, 12 MB the garbage collector traced on
 * every major collection while the agents waited for their acks. A typed array's contents are
 * outside the traced heap, and one buffer is one external allocation, not 10,000.
 */
import type { PoolFeed } from '../live/feed.ts';
import type { Transition } from '../pool/states.ts';
import type { HeartbeatRecord } from '../pool/tables.ts';
import type { RecentHeartbeats, Sample } from './views.ts';

/** Samples per worker the sparklines draw. */
export const SAMPLE_LIMIT = 30;

const FIELDS = 4; // at, cpu %, memory used, memory total; NaN = not reported
const FIRST_ROWS = 64;

const orNull = (n: number): number | null => (Number.isNaN(n) ? null : n);

export class HeartbeatHistory implements RecentHeartbeats {
  readonly #feed: PoolFeed;
  readonly #limit: number;
  /** Row of each worker in the pool that has beaten. */
  readonly #rows = new Map<string, number>();
  /** Rows given back by workers that left, reused before the arrays grow. */
  readonly #freeRows: number[] = [];
  #data: Float64Array;
  /** Per row: where the next sample goes, and how many it holds. */
  #next: Uint32Array;
  #count: Uint32Array;
  #heartbeats = 0;

  /** Starts listening to `feed` at once; `close()` stops. */
  constructor(feed: PoolFeed, limit = SAMPLE_LIMIT) {
    this.#feed = feed;
    this.#limit = limit;
    this.#data = new Float64Array(FIRST_ROWS * limit * FIELDS);
    this.#next = new Uint32Array(FIRST_ROWS);
    this.#count = new Uint32Array(FIRST_ROWS);
    feed.on('heartbeat', this.#onHeartbeat);
    feed.on('transition', this.#onTransition);
  }

  /** Heartbeats seen since this history started. */
  get heartbeatsReceived(): number {
    return this.#heartbeats;
  }

  /** The worker's recent samples, oldest first. */
  samples(nodeId: string): Sample[] {
    const row = this.#rows.get(nodeId);
    if (row === undefined) return [];
    const limit = this.#limit;
    const count = this.#count[row];
    const base = row * limit * FIELDS;
    const first = (this.#next[row] - count + limit) % limit;
    const out: Sample[] = [];
    for (let k = 0; k < count; k++) {
      const i = base + ((first + k) % limit) * FIELDS;
      out.push({ at: this.#data[i], cpuPercent: orNull(this.#data[i + 1]), memUsedBytes: orNull(this.#data[i + 2]), memTotalBytes: orNull(this.#data[i + 3]) });
    }
    return out;
  }

  close(): void {
    this.#feed.off('heartbeat', this.#onHeartbeat);
    this.#feed.off('transition', this.#onTransition);
  }

  readonly #onHeartbeat = (h: HeartbeatRecord): void => {
    this.#heartbeats++;
    const row = this.#rows.get(h.nodeId) ?? this.#newRow(h.nodeId);
    const slot = this.#next[row];
    const i = (row * this.#limit + slot) * FIELDS;
    this.#data[i] = h.at;
    this.#data[i + 1] = h.metrics.cpu?.loadPercent ?? NaN;
    this.#data[i + 2] = h.metrics.memory?.usedBytes ?? NaN;
    this.#data[i + 3] = h.metrics.memory?.totalBytes ?? NaN;
    this.#next[row] = (slot + 1) % this.#limit;
    if (this.#count[row] < this.#limit) this.#count[row]++;
  };

  readonly #onTransition = (t: Transition): void => {
    if (t.to !== null) return;
    const row = this.#rows.get(t.nodeId);
    if (row === undefined) return;
    this.#rows.delete(t.nodeId);
    this.#freeRows.push(row);
  };

  #newRow(nodeId: string): number {
    let row = this.#freeRows.pop();
    if (row === undefined) {
      row = this.#rows.size;
      if (row === this.#next.length) this.#grow(row * 2);
    }
    this.#next[row] = 0;
    this.#count[row] = 0;
    this.#rows.set(nodeId, row);
    return row;
  }

  #grow(rows: number): void {
    this.#data = grown(this.#data, rows * this.#limit * FIELDS);
    this.#next = grown(this.#next, rows);
    this.#count = grown(this.#count, rows);
  }
}

/** A copy of `array` lengthened to `length` (the new part zeroed). */
function grown<A extends Float64Array | Uint32Array>(array: A, length: number): A {
  const out = new (array.constructor as new (length: number) => A)(length);
  out.set(array);
  return out;
}
