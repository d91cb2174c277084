/**
 * Heartbeats are kept in memory and written in batches, not one write each. What a heartbeat
 * changes is needed live (sweeper, API, status page: they read `latest`, the newest beat not yet in
 * the database) and only coarsely after a restart (the last sign of life, the last metrics), so a
 * worker's beat is written when its previous write is `persistEveryMs` old, at once when its k3s
 * status changed (state, pid, restarts, last error) or it was never written, and everything at shutdown. At 10,000 workers beating
 * every 10 s that is a third of the rows of writing every beat.
 *
 * `writeDue` writes in slices of at most `sliceMs` (one transaction each) and yields between
 * them: a flush of thousands of rows would otherwise hold the event loop, and every agent's ack,
 * for tens of milliseconds. Queued beats are kept serialized, as the table stores them: one string
 * instead of the dozen objects of a parsed beat, for each of thousands of workers, is what keeps
 * the garbage collector's young-generation copies short while beats arrive.
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

export class HeartbeatBuffer {
  readonly #sink: HeartbeatSink;
  readonly #persistEveryMs: number;
  readonly #sliceMs: number;
  #pending = new Map<string, StoredHeartbeat>();
  /** Per worker: `at` and k3s status (as stored) of the beat last written. */
  #written = new Map<string, { at: number; k3sJson: string }>();
  #rowsPerSlice = FIRST_SLICE_ROWS;
  #writing: Promise<number> | null = null;

  constructor(sink: HeartbeatSink, options: HeartbeatBufferOptions = {}) {
    this.#sink = sink;
    this.#persistEveryMs = options.persistEveryMs ?? DEFAULT_PERSIST_EVERY_MS;
    this.#sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
  }

  /** Queues a heartbeat; a newer one from the same worker replaces the queued one. */
  add(record: HeartbeatRecord): void {
    const queued = this.#pending.get(record.nodeId);
    if (queued && queued.at > record.at) return;
    const q: StoredHeartbeat = { nodeId: record.nodeId, at: record.at, metricsJson: JSON.stringify(record.metrics), k3sJson: JSON.stringify(record.k3s) };
    this.#pending.set(record.nodeId, q);
  }

  /** The worker's newest heartbeat that is not in the database yet. */
  latest(nodeId: string): HeartbeatRecord | undefined {
    const q = this.#pending.get(nodeId);
    return q && { nodeId, at: q.at, metrics: JSON.parse(q.metricsJson) as HeartbeatRecord['metrics'], k3s: JSON.parse(q.k3sJson) as HeartbeatRecord['k3s'] };
  }

  /** When the worker's newest heartbeat not yet in the database arrived. */
  latestAt(nodeId: string): number | undefined {
    return this.#pending.get(nodeId)?.at;
  }

  /** Heartbeats waiting to be written. */
  get size(): number {
    return this.#pending.size;
  }

  /** Drops what is kept of a worker that left the pool. */
  forget(nodeId: string): void {
    this.#pending.delete(nodeId);
    this.#written.delete(nodeId);
  }

  /**
   * Writes every queued heartbeat now, in one call to the sink (shutdown); returns how many the sink stored.
   * @throws the sink's error; the heartbeats stay queued.
   */
  flush(): number {
    return this.#write([...this.#pending.values()]);
  }

  /**
   * Writes the heartbeats that are due, slice by slice, yielding to the event loop between slices;
   * one run at a time (a call while one runs joins it). Resolves with how many the sink stored.
   * @throws the sink's error; what was not written stays queued.
   */
  writeDue(): Promise<number> {
    return (this.#writing ??= this.#writeDueSlices().finally(() => (this.#writing = null)));
  }

  async #writeDueSlices(): Promise<number> {
    const due: StoredHeartbeat[] = [];
    for (const record of this.#pending.values()) if (this.#isDue(record)) due.push(record);
    let stored = 0;
    for (let i = 0; i < due.length; ) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      // Newer beats may have replaced a record meanwhile: write what is queued now.
      const slice = due.slice(i, i + this.#rowsPerSlice).map((r) => this.#pending.get(r.nodeId)).filter((r) => r !== undefined);
      i += this.#rowsPerSlice;
      const started = performance.now();
      stored += this.#write(slice);
      const perRow = (performance.now() - started) / Math.max(1, slice.length);
      this.#rowsPerSlice = Math.max(8, Math.min(4096, Math.floor(this.#sliceMs / Math.max(perRow, 0.001))));
    }
    return stored;
  }

  #isDue(q: StoredHeartbeat): boolean {
    const last = this.#written.get(q.nodeId);
    return !last || last.k3sJson !== q.k3sJson || q.at - last.at >= this.#persistEveryMs;
  }

  #write(batch: readonly StoredHeartbeat[]): number {
    if (batch.length === 0) return 0;
    const stored = this.#sink.recordHeartbeatRows(batch);
    for (const q of batch) {
      if (this.#pending.get(q.nodeId) === q) this.#pending.delete(q.nodeId);
      this.#written.set(q.nodeId, { at: q.at, k3sJson: q.k3sJson });
    }
    return stored;
  }
}
