/**
 * Puts executed requests' results on chain (`record_api_result` with the MasterCap). The journal is
 * the queue: every run in state `executed` is reported, oldest first, one transaction at a time, so
 * a crash before the report only delays it. RPC failures are retried with a capped backoff; a
 * report the contract refuses (EInvalidRequest: already recorded) closes the run with a note.
 */
import type { Logger } from 'pino';
import type { Signer } from '@mysten/sui/cryptography';
import type { Clock } from '../../shared/clock.ts';
import { MoveAbortError } from '../../shared/chain/chain-errors.ts';
import type { WorkerChain } from '../../shared/chain/worker-chain.ts';
import type { PoolStore } from '../pool/store.ts';
import { Backoff } from '../chain/backoff.ts';
import { ON_CHAIN_ERROR_LIMIT, ON_CHAIN_OUTPUT_LIMIT, chainOutput, cutUtf8 } from './output.ts';

export type ResultChain = Pick<WorkerChain, 'recordApiResult'>;
export type ReporterStore = Pick<PoolStore, 'listRequestRuns' | 'closeRequestRun' | 'noteRequestRun' | 'getRequestRun'>;

export interface ResultReporterOptions {
  store: ReporterStore;
  chain: ResultChain;
  signer: Signer;
  masterCapId: string;
  clock: Clock;
  logger: Logger;
  outputLimitBytes?: number;
  /** First retry delay and cap (default 1 s, 60 s). */
  backoff?: { baseMs: number; capMs: number };
}

export class ResultReporter {
  #o: ResultReporterOptions;
  #log: Logger;
  #backoff: Backoff;
  #stop = new AbortController();
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #busy = false;

  constructor(options: ResultReporterOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'k8s-results' });
    const b = options.backoff ?? { baseMs: 1_000, capMs: 60_000 };
    this.#backoff = new Backoff('request-results', b.baseMs, b.capMs);
  }

  /** Starts the reporting loop (idempotent). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Tells the loop there is something new to report. */
  kick(): void {
    this.#wake?.();
  }

  /** The chain shows a result for `requestId` (the K8sAPIResult echo): nothing is left to report. */
  confirmed(requestId: string, txDigest: string): void {
    if (this.#o.store.closeRequestRun(requestId, txDigest)) this.#log.debug({ requestId, digest: txDigest }, 'result confirmed by its chain event');
  }

  /** True while nothing is waiting to be reported (tests). */
  get idle(): boolean {
    return !this.#busy && this.#o.store.listRequestRuns('executed').length === 0;
  }

  /** Stops after the report in progress, if any. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      let ok: boolean;
      try {
        const next = this.#o.store.listRequestRuns('executed')[0];
        if (!next) {
          await new Promise<void>((resolve) => (this.#wake = resolve));
          this.#wake = null;
          continue;
        }
        this.#busy = true;
        ok = await this.#report(next.requestId);
      } catch (err) {
        // A database failure: nothing to do but wait and look again.
        this.#log.error({ err }, 'result reporting failed');
        ok = false;
      } finally {
        this.#busy = false;
      }
      if (ok) {
        this.#backoff.reset();
        continue;
      }
      await this.#o.clock.sleep(this.#backoff.next(), signal).catch(() => undefined);
    }
  }

  /** One attempt; false when it should be retried later. */
  async #report(requestId: string): Promise<boolean> {
    const run = this.#o.store.getRequestRun(requestId);
    if (!run?.outcome || run.state !== 'executed') return true;
    const { success, output, error, executionTimeMs } = run.outcome;
    try {
      const tx = await this.#o.chain.recordApiResult({
        signer: this.#o.signer,
        masterCapId: this.#o.masterCapId,
        requestId,
        success,
        output: chainOutput(output, requestId, this.#o.outputLimitBytes ?? ON_CHAIN_OUTPUT_LIMIT),
        error: cutUtf8(error, ON_CHAIN_ERROR_LIMIT),
        executionTimeMs,
      });
      this.#o.store.closeRequestRun(requestId, tx.digest);
      if (this.#backoff.failures > 0) this.#log.info({ afterFailures: this.#backoff.failures }, '✅ Recording request results on chain again');
      this.#log.info({ requestId, digest: tx.digest, success }, `⛓️ Result of request ${requestId} recorded on chain`);
      return true;
    } catch (err) {
      if (err instanceof MoveAbortError) {
        // Already recorded (e.g. by a run before a crash) or unknown on chain: retrying cannot help.
        this.#o.store.closeRequestRun(requestId, null, `refused on chain: ${err.message}`);
        this.#log.warn({ requestId, err: err.message }, 'request result refused on chain; not retried');
        return true;
      }
      const message = err instanceof Error ? err.message : String(err);
      this.#o.store.noteRequestRun(requestId, `last report attempt failed: ${message}`);
      if (this.#backoff.failures === 0) this.#log.warn({ requestId, err: message }, '⚠️ Cannot record request results on chain; retrying with backoff');
      else this.#log.debug({ requestId, attempt: this.#backoff.failures + 1, err: message }, 'recording the result failed');
      return false;
    }
  }
}
