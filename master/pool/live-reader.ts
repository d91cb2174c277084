/**
 * The pool as readers should see it: the store's rows with each worker's newest heartbeat on top,
 * when the write buffer holds one the store has not got yet (see HeartbeatBuffer).
 */
import type { HistoryEntry, PoolStats, PoolStore, Worker } from './store.ts';
import type { ChainModule } from './chain-events.ts';
import type { HeartbeatRecord } from './tables.ts';

export interface PendingHeartbeats {
  latest(nodeId: string): HeartbeatRecord | undefined;
}

export class LivePoolReader {
  constructor(
    private readonly store: PoolStore,
    private readonly pending: PendingHeartbeats,
  ) {}

  getWorker(nodeId: string): Worker | undefined {
    const w = this.store.getWorker(nodeId);
    return w && this.#withLatest(w);
  }

  listWorkers(): Worker[] {
    return this.store.listWorkers().map((w) => this.#withLatest(w));
  }

  history(nodeId: string, limit?: number): HistoryEntry[] {
    return this.store.history(nodeId, limit);
  }

  stats(): PoolStats {
    return this.store.stats();
  }

  getCursor(module: ChainModule): string | null {
    return this.store.getCursor(module);
  }

  #withLatest(w: Worker): Worker {
    const hb = this.pending.latest(w.nodeId);
    if (!hb || (w.lastHeartbeatAt !== null && hb.at <= w.lastHeartbeatAt)) return w;
    return { ...w, lastHeartbeatAt: hb.at, latestMetrics: hb.metrics, k3s: hb.k3s };
  }
}
