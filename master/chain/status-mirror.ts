/**
 * Mirrors the master's view of worker status on chain (`set_worker_status` with the MasterCap), so
 * that `submit_k8s_request` assigns only workers the master sees alive. Changes are queued (the
 * newest per worker wins) and sent in one transaction per flush; a failed flush is retried with
 * backoff, and an update the contract refuses (worker gone or slashed meanwhile) is dropped.
 */
import type { Logger } from 'pino';
import type { Signer } from '@mysten/sui/cryptography';
import type { Clock } from '../../shared/clock.ts';
import type { WorkerChain } from '../../shared/chain/worker-chain.ts';
import { MoveAbortError } from '../../shared/chain/chain-errors.ts';
import { DaasError } from '../../shared/errors.ts';
import { Backoff } from './backoff.ts';

type MirroredStatus = 'active' | 'offline' | 'pending' | 'busy';

export interface StatusMirrorOptions {
  chain: WorkerChain;
  signer: Signer;
  masterCapId: string;
  clock: Clock;
  logger: Logger;
  flushIntervalMs?: number;
}

export class StatusMirror {
  #opts: StatusMirrorOptions;
  #queue = new Map<string, MirroredStatus>();
  #log: Logger;
  #backoff = new Backoff('status-mirror', 1_000, 60_000);
  #stop = new AbortController();
  #loop: Promise<void> | null = null;

  constructor(options: StatusMirrorOptions) {
    this.#opts = options;
    this.#log = options.logger.child({ component: 'status-mirror' });
  }

  /** Queues `status` for `nodeId`; replaces a queued, unsent status of the same worker. */
  enqueue(nodeId: string, status: MirroredStatus): void {
    this.#queue.set(nodeId, status);
  }

  get queued(): number {
    return this.#queue.size;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  /** Sends everything queued in one transaction. Throws on a retryable failure (the batch stays queued). */
  async flush(): Promise<void> {
    if (this.#queue.size === 0) return;
    const updates = [...this.#queue.entries()].map(([nodeId, status]) => ({ nodeId, status }));
    this.#queue.clear();
    try {
      const tx = await this.#opts.chain.setWorkerStatuses({ signer: this.#opts.signer, masterCapId: this.#opts.masterCapId, updates });
      this.#log.info({ digest: tx.digest, updates: updates.length }, `⛓️ Mirrored ${updates.length} worker status change(s) on chain`);
    } catch (err) {
      if (err instanceof MoveAbortError && updates.length > 1) {
        // One refused update aborts the whole batch: send them one by one to drop only that one.
        for (const u of updates) await this.#sendOne(u);
        return;
      }
      if (err instanceof MoveAbortError) {
        this.#log.warn({ nodeId: updates[0].nodeId, err: err.message }, 'status change refused on chain; dropped');
        return;
      }
      for (const u of updates) if (!this.#queue.has(u.nodeId)) this.#queue.set(u.nodeId, u.status);
      throw err;
    }
  }

  async #sendOne(u: { nodeId: string; status: MirroredStatus }): Promise<void> {
    try {
      await this.#opts.chain.setWorkerStatuses({ signer: this.#opts.signer, masterCapId: this.#opts.masterCapId, updates: [u] });
    } catch (err) {
      if (err instanceof MoveAbortError) this.#log.warn({ nodeId: u.nodeId, err: err.message }, 'status change refused on chain; dropped');
      else if (!this.#queue.has(u.nodeId)) this.#queue.set(u.nodeId, u.status);
    }
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      let delay = this.#opts.flushIntervalMs ?? 2_000;
      try {
        await this.flush();
        this.#backoff.reset();
      } catch (err) {
        delay = this.#backoff.next();
        if (this.#backoff.failures === 1) {
          this.#log.warn({ err: err instanceof DaasError ? err.message : String(err) }, '⚠️ Cannot mirror status on chain; retrying with backoff');
        }
      }
      await this.#opts.clock.sleep(delay, signal).catch(() => undefined);
    }
    await this.flush().catch(() => undefined);
  }
}
