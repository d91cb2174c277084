/**
 * The node: the ledger plus the two ways to change it, a signed transaction and a faucet grant
 * (itself a signed transaction), each committed, persisted and logged. Execution after signature
 * checks is synchronous, so transactions never interleave.
 */
import type { Logger } from 'pino';
import { TransactionDataBuilder } from '@mysten/sui/transactions';
import type { GrpcTypes } from '@mysten/sui/grpc';
import type { Ledger } from './chain/ledger.ts';
import { saveLedger } from './chain/persistence.ts';
import type { TransactionRecord } from './chain/types.ts';
import { runTransaction } from './exec/executor.ts';
import { resolveDraft } from './exec/resolve.ts';
import { verifySignatures } from './exec/signatures.ts';
import { simulate, type Simulation } from './exec/simulate.ts';
import { txFromBcs } from './exec/tx-data.ts';

export interface NodeOptions {
  ledger: Ledger;
  logger: Logger;
  /** Where to persist the ledger after every transaction; none: memory only. */
  stateFile?: string;
}

export class LocalNode {
  readonly ledger: Ledger;
  readonly #logger: Logger;
  readonly #stateFile?: string;

  constructor(opts: NodeOptions) {
    this.ledger = opts.ledger;
    this.#logger = opts.logger;
    this.#stateFile = opts.stateFile;
  }

  /**
   * Verifies and executes signed TransactionData BCS and commits it, failed or not. A correctly
   * signed transaction that already executed returns its record again, as a real node does.
   * Throws PrecheckError.
   */
  async execute(bytes: Uint8Array, signatures: Uint8Array[]): Promise<TransactionRecord> {
    const tx = txFromBcs(bytes);
    const digest = TransactionDataBuilder.getDigestFromBytes(bytes);
    await verifySignatures(bytes, tx, signatures);
    // Executed before (a retry, or a copy that committed while the signatures were checked).
    const known = this.ledger.getTransaction(digest);
    if (known) return known;
    const run = runTransaction(this.ledger, { tx, digest, bcs: bytes, signatures });
    const checkpoint = this.ledger.commit(run.commit);
    this.persist();
    const { status, gasUsed } = run.commit.record.effects;
    this.#logger.info(
      {
        digest,
        sender: tx.sender,
        checkpoint: Number(checkpoint.sequenceNumber),
        status: status.success ? 'success' : 'failure',
        ...(status.success ? {} : { error: status.error.description }),
        events: run.commit.record.events.length,
        gasMist: (gasUsed.computationCost + gasUsed.storageCost - gasUsed.storageRebate).toString(),
      },
      'transaction executed',
    );
    return run.commit.record;
  }

  /** SimulateTransaction's dry run; never changes the ledger. Throws PrecheckError. */
  simulate(transaction: GrpcTypes.Transaction, opts: { doGasSelection: boolean; checks: boolean }): Simulation {
    return simulate(this.ledger, resolveDraft(this.ledger, transaction), opts);
  }

  /** Saves the ledger when a state file is configured; a failed save is logged, not fatal. */
  persist(): void {
    if (!this.#stateFile) return;
    try {
      saveLedger(this.#stateFile, this.ledger.data);
    } catch (err) {
      this.#logger.error({ err, file: this.#stateFile }, 'saving the chain state failed');
    }
  }
}
