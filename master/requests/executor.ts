/**
 * Executes the Kubernetes API requests scheduled on chain, each at most once, in ledger order, and
 * hands the results to the reporter. The pool database is the queue and the journal:
 *
 *   scheduled (watcher stored the event) → started (journalled BEFORE the API call)
 *     → executed (outcome stored, full output) → reported (result on chain)
 *
 * A run found `started` at start-up was interrupted mid-call: it is reported failed with
 * RESTART_REASON and never re-run, because a POST or DELETE must not happen twice.
 * The assigned worker is `busy` in the pool while it has requests in flight, `active` after.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.ts';
import type { K8sRequest, RequestOutcome } from '../pool/requests.ts';
import type { PoolStore } from '../pool/store.ts';
import { resultErrorOf } from './errors.ts';
import type { KubeApi } from './kube.ts';
import { RESOURCES, isK8sResource } from './resources.ts';
import type { ResultReporter } from './reporter.ts';
import { runK8sRequest } from './run-request.ts';
import { OwnerScope } from './scope.ts';

export const RESTART_REASON = 'master restarted during execution; not re-run';
/** Requests older than this when their turn comes are failed, not run (the owner stopped waiting). */
export const DEFAULT_STALE_AFTER_MS = 15 * 60_000;

export type ExecutorStore = Pick<
  PoolStore,
  'startRequest' | 'completeRequestRun' | 'listUnstartedRequests' | 'listRequestRuns' | 'getWorker' | 'listWorkers' | 'setStatus'
>;

export interface RequestRunnerOptions {
  store: ExecutorStore;
  kube: KubeApi;
  reporter: Pick<ResultReporter, 'kick'>;
  clock: Clock;
  logger: Logger;
  staleAfterMs?: number;
}

export class RequestRunner {
  #o: RequestRunnerOptions;
  #log: Logger;
  #inFlight = new Map<string, number>();
  #draining: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(options: RequestRunnerOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'k8s-requests' });
  }

  /**
   * Start-up recovery, before the first request runs: interrupted runs become failures to report,
   * and workers left `busy` by the previous process become `active`.
   */
  recover(): void {
    for (const run of this.#o.store.listRequestRuns('started')) {
      this.#o.store.completeRequestRun(run.requestId, { success: false, output: '', error: `error: ${RESTART_REASON}`, executionTimeMs: 0 });
      this.#log.warn({ requestId: run.requestId }, `♻️ Request ${run.requestId} was interrupted by a restart; reported as failed, not re-run`);
    }
    for (const w of this.#o.store.listWorkers()) if (w.status === 'busy') this.#setStatus(w.nodeId, 'busy', 'active', 'master restarted');
  }

  /** Runs every scheduled request not yet started, in order; resolves (never rejects) when none is left. */
  drain(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#draining) {
      this.#again = true;
      return this.#draining;
    }
    this.#draining = this.#drainAll()
      .catch((err: unknown) => this.#log.error({ err }, 'request execution loop failed'))
      .finally(() => {
        this.#draining = null;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          void this.drain();
        }
      });
    return this.#draining;
  }

  /** True while no request is executing. */
  get idle(): boolean {
    return this.#draining === null;
  }

  /** Starts no new request; waits for the one executing. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#draining;
  }

  async #drainAll(): Promise<void> {
    for (;;) {
      const batch = this.#o.store.listUnstartedRequests(50);
      if (batch.length === 0) return;
      for (const r of batch) {
        if (this.#stopped) return;
        await this.#execute(r.requestId);
      }
    }
  }

  async #execute(requestId: string): Promise<void> {
    const req = this.#o.store.startRequest(requestId);
    if (!req) return; // started before (by us, or a previous process): never twice
    this.#log.info({ requestId, worker: req.assignedWorker, requester: req.requester }, `📨 K8s API request ${requestId} scheduled on ${req.assignedWorker}: ${describe(req)}`);
    const startedAt = this.#o.clock.now();
    const result = await this.#outcome(req);
    const outcome: RequestOutcome = { ...result, executionTimeMs: Math.max(0, this.#o.clock.now() - startedAt) };
    this.#o.store.completeRequestRun(requestId, outcome);
    if (outcome.success) this.#log.info({ requestId, ms: outcome.executionTimeMs }, `✅ Request ${requestId} done in ${outcome.executionTimeMs} ms`);
    else this.#log.warn({ requestId, ms: outcome.executionTimeMs, error: outcome.error }, `❌ Request ${requestId} failed in ${outcome.executionTimeMs} ms: ${outcome.error}`);
    this.#o.reporter.kick();
  }

  async #outcome(req: K8sRequest): Promise<Omit<RequestOutcome, 'executionTimeMs'>> {
    const refusal = this.#refusal(req);
    if (refusal) return { success: false, output: '', error: refusal };
    this.#enter(req);
    try {
      const answer = await runK8sRequest(req, {
        kube: this.#o.kube,
        onNamespaceCreated: (owner, name, clusterName) =>
          this.#log.info({ owner, namespace: name, clusterNamespace: clusterName }, `📁 Created namespace ${name} for ${owner.slice(0, 6)}…${owner.slice(-4)}`),
      });
      return { success: true, output: JSON.stringify(answer), error: '' };
    } catch (err) {
      if (!(err instanceof Error && 'toResultError' in err)) this.#log.error({ requestId: req.requestId, err }, 'request execution failed unexpectedly');
      return { success: false, output: '', error: hidePrefix(req.requester, resultErrorOf(err)) };
    } finally {
      this.#leave(req);
    }
  }

  /** Why the request must not run at all, or null. */
  #refusal(req: K8sRequest): string | null {
    const ageMs = this.#o.clock.now() - req.scheduledAt;
    const staleAfter = this.#o.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    if (ageMs > staleAfter) return `error: expired: scheduled ${Math.round(ageMs / 1000)} s ago, more than the ${Math.round(staleAfter / 1000)} s a request may wait; not run`;
    const worker = this.#o.store.getWorker(req.assignedWorker);
    if (!worker) return `refused: the assigned worker ${req.assignedWorker} is not in the master's pool`;
    if (worker.owner !== req.requester) return `refused: the assigned worker ${req.assignedWorker} is not owned by the requester`;
    return null;
  }

  #enter(req: K8sRequest): void {
    const n = this.#inFlight.get(req.assignedWorker) ?? 0;
    this.#inFlight.set(req.assignedWorker, n + 1);
    if (n === 0) this.#setStatus(req.assignedWorker, 'active', 'busy', `executing request ${req.requestId}`);
  }

  #leave(req: K8sRequest): void {
    const n = (this.#inFlight.get(req.assignedWorker) ?? 1) - 1;
    if (n > 0) return void this.#inFlight.set(req.assignedWorker, n);
    this.#inFlight.delete(req.assignedWorker);
    this.#setStatus(req.assignedWorker, 'busy', 'active', 'requests done');
  }

  // Only from `from`: an offline or slashed worker keeps that status; the request still runs.
  #setStatus(nodeId: string, from: 'active' | 'busy', to: 'active' | 'busy', reason: string): void {
    try {
      if (this.#o.store.getWorker(nodeId)?.status === from) this.#o.store.setStatus(nodeId, to, reason);
    } catch (err) {
      this.#log.warn({ nodeId, to, err: (err as Error).message }, 'could not change the worker status');
    }
  }
}

/** `GET pods -n production`, `DELETE deployments web -n apps`, `GET nodes`. */
export function describe(req: Pick<K8sRequest, 'method' | 'resource' | 'name' | 'namespace'>): string {
  const namespaced = isK8sResource(req.resource) ? RESOURCES[req.resource].namespaced : true;
  const ns = namespaced ? ` -n ${req.namespace || 'default'}` : '';
  return `${req.method} ${req.resource}${req.name ? ` ${req.name}` : ''}${ns}`;
}

function hidePrefix(requester: string, text: string): string {
  try {
    return new OwnerScope(requester).hidePrefix(text);
  } catch {
    return text;
  }
}
