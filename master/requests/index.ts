/**
 * Kubernetes API requests through the chain, on the master: the one wiring function app.ts calls.
 * The parts: RequestRunner (executor.ts) executes scheduled requests at most once (exactly once unless
 * the master dies mid-call, then reported failed) through the
 * KubeApi (kube-client.ts on the K3s kubeconfig), ResultReporter (reporter.ts) records results on
 * chain with the MasterCap, requestRoutes (routes.ts) serves `GET /api/v1/requests/:id`.
 *
 * Wiring (startMaster), only when the signer holds the MasterCap:
 *   executor = createRequestExecutor({ store, chain, signer, masterCapId, kube: kubeClientFromKubeconfig({ kubeconfigPath: K3S_KUBECONFIG }), clock, logger })
 *   ChainWatcher onApplied → also `executor.onEvents(events)`; extraRoutes += `executor.routes()`;
 *   `await executor.recover()` before the watcher's first poll; `await executor.stop()` after
 *   `watcher.stop()` and before `store.close()`.
 */
import type { Logger } from 'pino';
import type { Signer } from '@mysten/sui/cryptography';
import type { Clock } from '../../shared/clock.ts';
import type { ChainEvent } from '../pool/chain-events.ts';
import type { HttpRoute } from '../http/api.ts';
import type { PoolStore } from '../pool/store.ts';
import { RequestRunner, type ExecutorStore } from './executor.ts';
import type { KubeApi } from './kube.ts';
import { ON_CHAIN_OUTPUT_LIMIT } from './output.ts';
import { ResultReporter, type ReporterStore, type ResultChain } from './reporter.ts';
import { requestRoutes, type RequestReader } from './routes.ts';

export { kubeClientFromKubeconfig, DEFAULT_KUBECONFIG } from './kube-client.ts';
export { RESTART_REASON } from './executor.ts';
export { ON_CHAIN_OUTPUT_LIMIT } from './output.ts';
export type { KubeApi } from './kube.ts';

export interface RequestExecutorOptions {
  store: ExecutorStore & ReporterStore & RequestReader;
  /** Only `recordApiResult` is used. */
  chain: ResultChain;
  /** The MasterCap owner's key. */
  signer: Signer;
  masterCapId: string;
  kube: KubeApi;
  clock: Clock;
  logger: Logger;
  /** Requests waiting longer than this are failed as expired, not run (default 15 min). */
  staleAfterMs?: number;
  /** Bytes of output put on chain (default ON_CHAIN_OUTPUT_LIMIT = 4096). */
  outputLimitBytes?: number;
  /** Retry delays for recording results on chain (default 1 s doubling to 60 s). */
  reportBackoff?: { baseMs: number; capMs: number };
}

export interface RequestExecutor {
  /** Feed it the watcher's newly committed events (ChainWatcher `onApplied`), in ledger order. Never throws. */
  onEvents(events: readonly ChainEvent[]): void;
  /**
   * Call once at start-up, before the watcher's first poll: reports interrupted runs as failed
   * (never re-running them), frees workers left busy, then runs what is scheduled and reports what
   * is executed. Resolves once recovery is recorded; execution continues in the background.
   */
  recover(): Promise<void>;
  /** `GET /api/v1/requests/:id`, for `createHttpHandler`'s `extraRoutes`. */
  routes(): HttpRoute[];
  /** Resolves when nothing is executing or waiting to be reported (tests, graceful shutdown). */
  settled(): Promise<void>;
  /** Starts nothing new; waits for the request executing and the report being sent. Call before closing the store. */
  stop(): Promise<void>;
}

/** Builds the request executor; starts nothing until `recover()`. */
export function createRequestExecutor(o: RequestExecutorOptions): RequestExecutor {
  const reporter = new ResultReporter({
    store: o.store,
    chain: o.chain,
    signer: o.signer,
    masterCapId: o.masterCapId,
    clock: o.clock,
    logger: o.logger,
    outputLimitBytes: o.outputLimitBytes,
    backoff: o.reportBackoff,
  });
  const runner = new RequestRunner({ store: o.store, kube: o.kube, reporter, clock: o.clock, logger: o.logger, staleAfterMs: o.staleAfterMs });
  let recovered = false;

  return {
    onEvents(events) {
      let scheduled = false;
      for (const e of events) {
        if (e.kind === 'K8sAPIRequestScheduled') scheduled = true;
        else if (e.kind === 'K8sAPIResult') reporter.confirmed(e.requestId, e.txDigest);
      }
      // Before recovery a `started` row may be a crash leftover; the runner must not start first.
      if (scheduled && recovered) void runner.drain();
    },
    async recover() {
      if (recovered) return;
      runner.recover();
      recovered = true;
      reporter.start();
      reporter.kick();
      void runner.drain();
    },
    routes: () => requestRoutes(o.store, o.outputLimitBytes ?? ON_CHAIN_OUTPUT_LIMIT),
    async settled() {
      for (;;) {
        if (runner.idle && reporter.idle) return;
        await new Promise((resolve) => setTimeout(resolve, 20)); // real time: a manual test clock must not spin here
      }
    },
    async stop() {
      await runner.stop();
      await reporter.stop();
    },
  };
}
