/**
 * Marks active or busy workers offline when no heartbeat arrived for `offlineAfterMs`, on a
 * node-cron schedule. The store holds heartbeats only coarsely (see HeartbeatBuffer), so a worker
 * the store calls silent is checked against what the master saw since: a buffered heartbeat, or a
 * fresh authentication (a worker that reconnects after a long gap is not marked offline before
 * its first new heartbeat).
 */
import { schedule, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.ts';
import type { PoolStore } from '../pool/store.ts';

export interface OfflineSweeperOptions {
  store: PoolStore;
  clock: Clock;
  logger: Logger;
  offlineAfterMs: number;
  /** The worker's latest sign of life the store does not hold yet (a buffered heartbeat, an admission), or null. */
  lastSeen?: (nodeId: string) => number | null;
  /** node-cron expression (6 fields = with seconds); every 5 s by default. */
  schedule?: string;
}

export class OfflineSweeper {
  #opts: OfflineSweeperOptions;
  #task: ScheduledTask | null = null;
  #log: Logger;

  constructor(options: OfflineSweeperOptions) {
    this.#opts = options;
    this.#log = options.logger.child({ component: 'sweeper' });
  }

  start(): void {
    this.#task ??= schedule(this.#opts.schedule ?? '*/5 * * * * *', () => this.sweep(), { noOverlap: true });
  }

  stop(): void {
    void this.#task?.stop();
    this.#task = null;
  }

  /** One sweep; returns the node ids marked offline. */
  sweep(): string[] {
    try {
      const now = this.#opts.clock.now();
      const cutoff = now - this.#opts.offlineAfterMs;
      const silent = this.#opts.store.findSilent(this.#opts.offlineAfterMs, now);
      const marked: string[] = [];
      for (const worker of silent) {
        if ((this.#opts.lastSeen?.(worker.nodeId) ?? -Infinity) > cutoff) continue;
        if (this.#opts.store.setStatus(worker.nodeId, 'offline', 'no heartbeat')) marked.push(worker.nodeId);
      }
      return marked;
    } catch (err) {
      this.#log.error({ err: (err as Error).message }, 'offline sweep failed');
      return [];
    }
  }
}
