/**
 * Follows the package's events on chain and applies them to the pool. Each module has its own
 * cursor; a page and its cursor are committed in one database transaction (PoolStore), so a crash
 * at any point neither loses nor double-applies an event. RPC failures back off exponentially and
 * are logged once per outage, not once per try.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.ts';
import { EventReader, type EventsClient } from '../../shared/chain/event-reader.ts';
import type { WorkerChain } from '../../shared/chain/worker-chain.ts';
import { decodeChainError } from '../../shared/chain/chain-errors.ts';
import type { PoolStore } from '../pool/store.ts';
import type { ChainEvent, ChainModule } from '../pool/chain-events.ts';
import { Backoff } from './backoff.ts';

export interface ChainWatcherOptions {
  chain: WorkerChain;
  store: PoolStore;
  clock: Clock;
  logger: Logger;
  pollIntervalMs: number;
  /** Called with the events newly committed to the pool, in ledger order (never one applied before). */
  onApplied?: (events: readonly ChainEvent[]) => void;
  modules?: readonly ChainModule[];
  /** Counts failed polls (metrics). */
  onPollError?: () => void;
  /** Where `listEvents` is called (an EventsThread in the service); default the chain's client. */
  events?: EventsClient;
}

export class ChainWatcher {
  #opts: ChainWatcherOptions;
  #log: Logger;
  #readers: EventReader[];
  #backoff = new Backoff('chain-poll', 500, 30_000);
  #stop = new AbortController();
  #loop: Promise<void> | null = null;
  #outageSince: number | null = null;
  /** When the chain last answered a poll (ms), for /readyz. */
  lastSuccessAt: number | null = null;

  constructor(options: ChainWatcherOptions) {
    this.#opts = options;
    this.#log = options.logger.child({ component: 'chain' });
    this.#readers = (options.modules ?? ['worker_registry', 'k8s_scheduler']).map(
      (module) =>
        new EventReader({
          client: options.events ?? options.chain.client,
          packageId: options.chain.ids.packageId,
          module,
          cursor: options.store.getCursor(module),
        }),
    );
  }

  /** Starts polling in the background. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops polling and waits for the current page to finish applying. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  /** Reads every module until its tip once; returns the number of events applied. Throws a DaasError on RPC failure. */
  async pollOnce(): Promise<number> {
    let applied = 0;
    for (const reader of this.#readers) {
      for (;;) {
        const page = await reader.next();
        // Nothing new and the cursor where it was (the poll of an idle chain, every second): no
        // database transaction, whose commit would cost the event loop for nothing.
        if (page.events.length > 0 || page.cursor !== reader.cursor) {
          const result = this.#opts.store.applyChainEvents(reader.module as ChainModule, page.events, page.cursor);
          reader.commit(page);
          applied += result.applied;
          if (result.applied > 0) this.#opts.onApplied?.(result.appliedEvents);
        }
        if (!page.hasNextPage || this.#stop.signal.aborted) break;
      }
    }
    this.lastSuccessAt = this.#opts.clock.now();
    return applied;
  }

  /**
   * The registration-digest fast path: reads one transaction's events and applies them without
   * moving any cursor (the poller will meet them again and skip them as duplicates).
   */
  async applyTransaction(digest: string): Promise<number> {
    const events = await this.#opts.chain.transactionEvents(digest);
    if (!events || events.length === 0) return 0;
    let applied = 0;
    for (const module of ['worker_registry', 'k8s_scheduler'] as const) {
      const mine = events.filter((e) => moduleOf(e) === module);
      if (mine.length === 0) continue;
      const result = this.#opts.store.applyChainEvents(module, mine, this.#opts.store.getCursor(module));
      applied += result.applied;
      if (result.applied > 0) this.#opts.onApplied?.(result.appliedEvents);
    }
    return applied;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      let delay = this.#opts.pollIntervalMs;
      try {
        await this.pollOnce();
        this.#backoff.reset();
        if (this.#outageSince !== null) {
          this.#log.info({ downForMs: this.#opts.clock.now() - this.#outageSince }, '✅ Chain reachable again');
          this.#outageSince = null;
        }
      } catch (err) {
        const error = decodeChainError(err);
        this.#opts.onPollError?.();
        delay = this.#backoff.next();
        if (this.#outageSince === null) {
          this.#outageSince = this.#opts.clock.now();
          this.#log.warn({ code: error.code, err: error.message }, '⚠️ Cannot read chain events; retrying with backoff');
        } else {
          this.#log.debug({ attempt: this.#backoff.failures, delay, err: error.message }, 'chain poll failed');
        }
      }
      await this.#opts.clock.sleep(delay, signal).catch(() => undefined);
    }
  }
}

/** The module that emits an event of this kind. */
export function moduleOf(e: ChainEvent): ChainModule {
  return e.kind === 'K8sAPIRequestScheduled' || e.kind === 'K8sAPIResult' ? 'k8s_scheduler' : 'worker_registry';
}
