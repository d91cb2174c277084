/**
 * Heartbeats are kept in memory and written in batches, not one write each. What a heartbeat
 * changes is needed live (sweeper, API, status page: they read `latest`, the newest beat not yet in
 * the database) and only coarsely after a restart (the last sign of life, the last metrics), so a
 * worker's beat is written when its previous write is `persistEveryMs` old, at once when its k3s
 * status changed (state, pid, restarts, last error) or it was never written, and everything at
 * shutdown. At 10,000 workers beating every 10 s that is a third of the rows of writing every beat.
 *
 * `writeDue` writes in slices of at most `sliceMs` (one transaction each) and yields between
 * them: a flush of thousands of rows would otherwise hold the event loop, and every agent's ack,
 * for tens of milliseconds.
 *
 * Each worker has one slot for the life of the process, and a beat is merged into it field by field
 * instead of being kept: a kept beat lives until the next one, ten seconds later, so every beat
 * would survive into V8's old generation, and copying those survivors is what made the young
 * generation's collections long enough to show in the agents' ack latency. Merged, a beat leaves
 * behind only the values that changed (a load figure, not the host name), and the JSON the table
 * stores is built when a row is written.
 */
import type { HeartbeatRecord, StoredHeartbeat } from './tables.ts';

export interface HeartbeatSink {
  recordHeartbeatRows(rows: readonly StoredHeartbeat[]): number;
}

export interface HeartbeatBufferOptions {
  /** A worker's beat is written once its last written one is this old (default 30 s). */
  persistEveryMs?: number;
  /** Longest synchronous write (default 2 ms). */
  sliceMs?: number;
}

const DEFAULT_PERSIST_EVERY_MS = 30_000;
const DEFAULT_SLICE_MS = 2;
/** Rows per first slice; later slices are sized from the measured cost per row. */
const FIRST_SLICE_ROWS = 64;
/** How often the master calls `writeDue` (master/app.ts). */
export const WRITE_TICK_MS = 1_000;

/**
 * How often a beating worker's row is written, given the master's deadlines: often enough that the
 * row of a worker that beats never looks older than `offlineAfterMs` (it ages by up to the write
 * interval, one heartbeat interval and the write tick), so the offline sweep's query, which
 * reads the database, returns only the workers that really went quiet. With the write interval
 * above the deadline it would return nearly every worker on every sweep, each then to be cleared
 * against the buffer: ~70 ms of the event loop every 5 s at 10,000 workers. At most every 30 s,
 * at least every second (a deadline under one heartbeat interval plus ~2 s cannot be kept with the
 * 1 s tick: there the sweep still clears such rows against the buffer, only more slowly).
 */
export function persistEveryFor(offlineAfterMs: number, heartbeatIntervalMs: number): number {
  // One tick for the write to come, one more of slack.
  return Math.min(DEFAULT_PERSIST_EVERY_MS, Math.max(WRITE_TICK_MS, offlineAfterMs - heartbeatIntervalMs - 2 * WRITE_TICK_MS));
}

/** A worker's newest heartbeat, updated in place. `metrics` and `k3s` belong to the slot alone. */
interface Slot {
  readonly nodeId: string;
  at: number;
  metrics: HeartbeatRecord['metrics'];
  k3s: HeartbeatRecord['k3s'];
  /** Newer than what the database holds. */
  unwritten: boolean;
  /** When the beat last written arrived; null before the first write. */
  writtenAt: number | null;
  /** The k3s status changed since the last write. */
  k3sChanged: boolean;
}

export class HeartbeatBuffer {
  readonly #sink: HeartbeatSink;
  readonly #persistEveryMs: number;
  readonly #sliceMs: number;
  readonly #slots = new Map<string, Slot>();
  #unwritten = 0;
  #rowsPerSlice = FIRST_SLICE_ROWS;
  #writing: Promise<number> | null = null;

  constructor(sink: HeartbeatSink, options: HeartbeatBufferOptions = {}) {
    this.#sink = sink;
    this.#persistEveryMs = options.persistEveryMs ?? DEFAULT_PERSIST_EVERY_MS;
    this.#sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
  }

  /** Takes a heartbeat; an older one than the worker's newest is dropped. `record` is not kept. */
  add(record: HeartbeatRecord): void {
    const slot = this.#slots.get(record.nodeId);
    if (!slot) {
      this.#slots.set(record.nodeId, { nodeId: record.nodeId, at: record.at, metrics: copy(record.metrics), k3s: copy(record.k3s), unwritten: true, writtenAt: null, k3sChanged: true });
      this.#unwritten++;
      return;
    }
    if (slot.at > record.at) return;
    slot.at = record.at;
    merge(slot.metrics, record.metrics);
    if (merge(slot.k3s, record.k3s)) slot.k3sChanged = true;
    if (!slot.unwritten) {
      slot.unwritten = true;
      this.#unwritten++;
    }
  }

  /** The worker's newest heartbeat that is not in the database yet (a copy). */
  latest(nodeId: string): HeartbeatRecord | undefined {
    const slot = this.#slots.get(nodeId);
    return slot?.unwritten ? { nodeId, at: slot.at, metrics: copy(slot.metrics), k3s: copy(slot.k3s) } : undefined;
  }

  /** When the worker's newest heartbeat not yet in the database arrived. */
  latestAt(nodeId: string): number | undefined {
    const slot = this.#slots.get(nodeId);
    return slot?.unwritten ? slot.at : undefined;
  }

  /** Heartbeats waiting to be written. */
  get size(): number {
    return this.#unwritten;
  }

  /** Drops what is kept of a worker that left the pool. */
  forget(nodeId: string): void {
    const slot = this.#slots.get(nodeId);
    if (slot?.unwritten) this.#unwritten--;
    this.#slots.delete(nodeId);
  }

  /**
   * Writes every unwritten heartbeat now, in one call to the sink (shutdown); returns how many the sink stored.
   * @throws the sink's error; the heartbeats stay unwritten.
   */
  flush(): number {
    return this.#write([...this.#slots.values()].filter((s) => s.unwritten));
  }

  /**
   * Writes the heartbeats that are due, slice by slice, yielding to the event loop between slices;
   * one run at a time (a call while one runs joins it). Resolves with how many the sink stored.
   * @throws the sink's error; what was not written stays unwritten.
   */
  writeDue(): Promise<number> {
    return (this.#writing ??= this.#writeDueSlices().finally(() => (this.#writing = null)));
  }

  async #writeDueSlices(): Promise<number> {
    const due: Slot[] = [];
    for (const slot of this.#slots.values()) if (this.#isDue(slot)) due.push(slot);
    let stored = 0;
    for (let i = 0; i < due.length; ) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      // A slot holds the newest beat: newer ones that arrived meanwhile are written instead. A
      // worker forgotten meanwhile is not written.
      const slice = due.slice(i, i + this.#rowsPerSlice).filter((s) => s.unwritten && this.#slots.get(s.nodeId) === s);
      i += this.#rowsPerSlice;
      const started = performance.now();
      stored += this.#write(slice);
      const perRow = (performance.now() - started) / Math.max(1, slice.length);
      this.#rowsPerSlice = Math.max(8, Math.min(4096, Math.floor(this.#sliceMs / Math.max(perRow, 0.001))));
    }
    return stored;
  }

  #isDue(slot: Slot): boolean {
    return slot.unwritten && (slot.writtenAt === null || slot.k3sChanged || slot.at - slot.writtenAt >= this.#persistEveryMs);
  }

  #write(slots: readonly Slot[]): number {
    if (slots.length === 0) return 0;
    const rows = slots.map((s): StoredHeartbeat => ({ nodeId: s.nodeId, at: s.at, metricsJson: JSON.stringify(s.metrics), k3sJson: JSON.stringify(s.k3s) }));
    const stored = this.#sink.recordHeartbeatRows(rows);
    for (const slot of slots) {
      slot.unwritten = false;
      slot.writtenAt = slot.at;
      slot.k3sChanged = false;
      this.#unwritten--;
    }
    return stored;
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A deep copy of validated JSON data. */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * Makes `target` equal to `source` (both validated JSON objects) by changing only what differs:
 * equal strings keep the target's string, same-shaped objects and arrays are merged, anything else
 * is copied in. Returns whether anything changed.
 */
function merge(target: object, source: object): boolean {
  const t = target as Record<string, Json>;
  const s = source as Record<string, Json>;
  let changed = false;
  for (const key in t) {
    if (!(key in s)) {
      delete t[key];
      changed = true;
    }
  }
  for (const key in s) {
    const from = s[key];
    const to = t[key];
    if (from === to) continue;
    const bothObjects = typeof from === 'object' && from !== null && typeof to === 'object' && to !== null;
    if (bothObjects && Array.isArray(from) === Array.isArray(to) && (!Array.isArray(from) || from.length === (to as Json[]).length)) {
      if (merge(to, from)) changed = true;
    } else {
      t[key] = typeof from === 'object' && from !== null ? copy(from) : from;
      changed = true;
    }
  }
  return changed;
}
