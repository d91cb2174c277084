/**
 * The master's Prometheus metrics, on a registry of its own (never prom-client's global one, so two
 * masters in one test process do not share counters). Pool-derived gauges are read from the store at
 * scrape time; counters are bumped by the components through `MasterMetrics`' methods.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { CHAIN_MODULES, type ChainModule } from '../pool/chain-events.ts';
import { WORKER_STATUSES, type WorkerStatus } from '../pool/states.ts';
import type { PoolStats } from '../pool/store.ts';

export interface MasterMetricsOptions {
  /** Read once per scrape for the pool gauges. */
  store: { stats(): PoolStats };
  /** Open agent sockets right now. */
  connections: () => number;
  /** When (ms since the epoch) the chain last answered a poll; null before the first answer. */
  lastChainSuccessAt: () => number | null;
  /** Metric name prefix of the default process metrics; tests leave it empty. */
  defaultMetricsPrefix?: string;
}

/** The counters `/api/v1/stats` shows, read without going through the registry. */
export interface MetricsSnapshot {
  heartbeatsReceived: number;
  authFailures: number;
  connectedAgents: number;
}

// Label values come from code, but a caller passing free text must not grow the series without
// bound: past this many distinct values, further ones are counted as "other".
const MAX_LABEL_VALUES = 32;

/** The master's metrics; each method is cheap enough to call on the heartbeat path. */
export class MasterMetrics {
  /** prom-client registry holding every metric of the master. */
  readonly registry = new Registry();
  readonly #opts: MasterMetricsOptions;
  readonly #authFailures: Counter<'reason'>;
  readonly #eventsApplied: Counter<'module'>;
  readonly #pollErrors: Counter;
  readonly #transitions: Counter<'to'>;
  readonly #authReasons = new Set<string>();
  #heartbeatCount = 0;
  #authFailureCount = 0;

  constructor(options: MasterMetricsOptions) {
    this.#opts = options;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: options.defaultMetricsPrefix ?? '' });
    // prom-client exports these sums as gauges named `*_total`, which promtool rejects; each is the
    // sum of the `{type}`-labelled gauge without the suffix, so nothing is lost.
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ]) {
      this.registry.removeSingleMetric(`${options.defaultMetricsPrefix ?? ''}${name}`);
    }
    this.#definePoolGauges();
    // Counted in a plain number and handed to the counter at scrape time: prom-client's inc()
    // allocates on every call, and this one is called for every heartbeat.
    const heartbeatCount = (): number => this.#heartbeatCount;
    new Counter({
      name: 'k8s_daas_heartbeats_total',
      help: 'Agent heartbeats received.',
      registers,
      collect() {
        this.reset();
        this.inc(heartbeatCount());
      },
    });
    this.#authFailures = new Counter({
      name: 'k8s_daas_auth_failures_total',
      help: 'Failed agent authentications, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.#eventsApplied = new Counter({
      name: 'k8s_daas_chain_events_applied_total',
      help: 'Chain events applied to the pool, by Move module.',
      labelNames: ['module'],
      registers,
    });
    this.#pollErrors = new Counter({
      name: 'k8s_daas_chain_poll_errors_total',
      help: 'Chain event polls that failed.',
      registers,
    });
    this.#transitions = new Counter({
      name: 'k8s_daas_status_transitions_total',
      help: 'Worker status changes, by new status ("left" when a worker leaves the pool).',
      labelNames: ['to'],
      registers,
    });
    // Series that exist from the start make rate() and absence alerts work before the first event.
    for (const m of CHAIN_MODULES) this.#eventsApplied.inc({ module: m }, 0);
    for (const s of [...WORKER_STATUSES, 'left']) this.#transitions.inc({ to: s }, 0);
  }

  /** One heartbeat received from an agent. */
  heartbeat(): void {
    this.#heartbeatCount++;
  }

  /** One failed authentication; `reason` should be a short code (e.g. `bad-signature`), not free text. */
  authFailure(reason: string): void {
    this.#authFailures.inc({ reason: this.#boundedReason(reason) });
    this.#authFailureCount++;
  }

  /** `n` events of `module` applied in one committed page. */
  eventsApplied(module: ChainModule, n: number): void {
    if (n > 0) this.#eventsApplied.inc({ module }, n);
  }

  /** One failed chain poll. */
  pollError(): void {
    this.#pollErrors.inc();
  }

  /** One committed status change; null `to` means the worker left the pool. */
  transition(to: WorkerStatus | null): void {
    this.#transitions.inc({ to: to ?? 'left' });
  }

  snapshot(): MetricsSnapshot {
    return {
      heartbeatsReceived: this.#heartbeatCount,
      authFailures: this.#authFailureCount,
      connectedAgents: this.#opts.connections(),
    };
  }

  /**
   * The Prometheus text exposition of every metric.
   * @throws whatever the store throws while the pool gauges are collected (e.g. a closed database).
   */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  #definePoolGauges(): void {
    const opts = this.#opts;
    const registers = [this.registry];
    new Gauge({
      name: 'k8s_daas_workers',
      help: 'Workers in the pool, by status.',
      labelNames: ['status'],
      registers,
      collect() {
        const stats = opts.store.stats();
        for (const s of WORKER_STATUSES) this.set({ status: s }, stats.byStatus[s]);
      },
    });
    // Named without "_total": promtool rejects that suffix on anything but a counter.
    new Gauge({
      name: 'k8s_daas_stake_mist',
      help: 'Stake held by all workers in the pool, in MIST (1 SUI = 1e9 MIST).',
      registers,
      collect() {
        this.set(Number(opts.store.stats().totalStakeMist));
      },
    });
    new Gauge({
      name: 'k8s_daas_agent_connections',
      help: 'Open agent WebSocket connections, authenticated or not.',
      registers,
      collect() {
        this.set(opts.connections());
      },
    });
    new Gauge({
      name: 'k8s_daas_chain_last_success_timestamp_seconds',
      help: 'Unix time of the last successful chain poll (0 before the first one).',
      registers,
      collect() {
        const at = opts.lastChainSuccessAt();
        this.set(at === null ? 0 : at / 1000);
      },
    });
  }

  #boundedReason(reason: string): string {
    const clean =
      reason
        .toLowerCase()
        .replace(/[^a-z0-9_-]+/g, '_')
        .slice(0, 40) || 'unknown';
    if (this.#authReasons.has(clean)) return clean;
    if (this.#authReasons.size >= MAX_LABEL_VALUES) return 'other';
    this.#authReasons.add(clean);
    return clean;
  }
}
