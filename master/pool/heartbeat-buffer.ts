/**
 * Heartbeats are kept in memory and written in batches: with hundreds of workers beating every 10 s,
 * one write per heartbeat would cost a transaction each. The master calls `flush()` about every
 * second (and at shutdown); only each worker's newest heartbeat is written. The offline sweeper reads
 * the database, so it sees a heartbeat at most one flush late, far below `offlineAfterMs`.
 */
import type { HeartbeatRecord } from './tables.ts';

export interface HeartbeatSink {
  recordHeartbeats(batch: readonly HeartbeatRecord[]): number;
}

export class HeartbeatBuffer {
  private pending = new Map<string, HeartbeatRecord>();

  constructor(private readonly sink: HeartbeatSink) {}

  /** Queues a heartbeat; a newer one from the same worker replaces the queued one. */
  add(record: HeartbeatRecord): void {
    const queued = this.pending.get(record.nodeId);
    if (!queued || queued.at <= record.at) this.pending.set(record.nodeId, record);
  }

  /** Heartbeats waiting to be written. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Writes everything queued in one call to the sink; returns how many the sink stored.
   * @throws the sink's error, after putting the batch back (unless newer heartbeats arrived meanwhile).
   */
  flush(): number {
    if (this.pending.size === 0) return 0;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    try {
      return this.sink.recordHeartbeats(batch);
    } catch (err) {
      for (const record of batch) this.add(record);
      throw err;
    }
  }
}
