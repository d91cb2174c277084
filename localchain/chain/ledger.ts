/**
 * The chain's state and history: live objects, executed transactions, the global event log and
 * checkpoints (one per transaction). Reads are queries over plain data; the only write is
 * `commit`, which applies one executed transaction atomically and opens its checkpoint.
 */
import type { Clock } from '../../shared/clock.ts';
import type { PackageState } from '../move/types.ts';
import { CLOCK_ID, SUI_COIN_TYPE, taggedDigest } from './ids.ts';
import { clockContents } from './package-objects.ts';
import { seal } from './objects.ts';
import type { CheckpointRecord, EventRecord, LedgerData, StoredObject, TransactionRecord } from './types.ts';

export const EPOCH = 0n;
export const REFERENCE_GAS_PRICE = 1000n;

/** One entry of the global event log; `position` is 1-based and never changes. */
export interface EventEntry {
  position: number;
  tx: TransactionRecord;
  index: number;
  event: EventRecord;
}

/** What an executed transaction changes, as the executor computed it. */
export interface Commit {
  record: TransactionRecord;
  written: StoredObject[];
  deleted: string[];
  /** The package state after the transaction; null when it did not change. */
  packageState: PackageState | null;
  /** The Clock as this transaction saw it (see `clockFor`). */
  clock: StoredObject;
}

export class Ledger {
  readonly data: LedgerData;
  readonly #clock: Clock;
  readonly #txByDigest = new Map<string, TransactionRecord>();
  readonly #events: EventEntry[] = [];

  constructor(data: LedgerData, clock: Clock) {
    this.data = data;
    this.#clock = clock;
    for (const tx of data.transactions) this.#index(tx);
  }

  #index(tx: TransactionRecord): void {
    this.#txByDigest.set(tx.digest, tx);
    tx.events.forEach((event, index) => this.#events.push({ position: this.#events.length + 1, tx, index, event }));
  }

  getObject(id: string): StoredObject | undefined {
    return this.data.objects.get(id);
  }

  getTransaction(digest: string): TransactionRecord | undefined {
    return this.#txByDigest.get(digest);
  }

  /** Live objects owned by `address`, ordered by id (a stable order for paging). */
  ownedBy(address: string): StoredObject[] {
    const out: StoredObject[] = [];
    for (const obj of this.data.objects.values()) {
      if (obj.owner.kind === 'address' && obj.owner.address === address) out.push(obj);
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The Coin<SUI> objects of `address`. */
  suiCoinsOf(address: string): StoredObject[] {
    return this.ownedBy(address).filter((o) => o.type === SUI_COIN_TYPE);
  }

  get events(): readonly EventEntry[] {
    return this.#events;
  }

  get latestCheckpoint(): CheckpointRecord {
    return this.data.checkpoints[this.data.checkpoints.length - 1];
  }

  getCheckpoint(sequence: bigint): CheckpointRecord | undefined {
    return sequence >= 0n && sequence < BigInt(this.data.checkpoints.length) ? this.data.checkpoints[Number(sequence)] : undefined;
  }

  getCheckpointByDigest(digest: string): CheckpointRecord | undefined {
    return this.data.checkpoints.find((c) => c.digest === digest);
  }

  /** Timestamp for the next checkpoint: the wall clock, never earlier than the last one. */
  nextTimestampMs(): bigint {
    const now = BigInt(Math.floor(this.#clock.now()));
    const last = this.latestCheckpoint.timestampMs;
    return now > last ? now : last;
  }

  /**
   * The Clock (0x6) as a transaction executing at `timestampMs` sees it: a real chain updates it
   * in every consensus commit, here once per checkpoint.
   */
  clockFor(timestampMs: bigint): StoredObject {
    const current = this.data.objects.get(CLOCK_ID)!;
    return seal({ ...current, version: current.version + 1n, contents: clockContents(CLOCK_ID, timestampMs) });
  }

  /** Applies one executed transaction and seals its checkpoint. Synchronous: nothing interleaves. */
  commit(c: Commit): CheckpointRecord {
    if (this.#txByDigest.has(c.record.digest)) throw new Error(`transaction ${c.record.digest} already committed`);
    for (const id of c.deleted) this.data.objects.delete(id);
    for (const obj of c.written) this.data.objects.set(obj.id, obj);
    this.data.objects.set(CLOCK_ID, c.clock);
    if (c.packageState) this.data.packageState = c.packageState;
    this.data.transactions.push(c.record);
    this.#index(c.record);
    const checkpoint = makeCheckpoint(this.latestCheckpoint, c.record);
    this.data.checkpoints.push(checkpoint);
    return checkpoint;
  }
}

/** The checkpoint after `previous` holding `tx`; its digest chains to the previous one. */
export function makeCheckpoint(previous: CheckpointRecord | null, tx: TransactionRecord): CheckpointRecord {
  const sequenceNumber = previous ? previous.sequenceNumber + 1n : 0n;
  const g = tx.effects.gasUsed;
  const prev = previous?.rollingGas;
  const rollingGas = {
    computationCost: (prev?.computationCost ?? 0n) + g.computationCost,
    storageCost: (prev?.storageCost ?? 0n) + g.storageCost,
    storageRebate: (prev?.storageRebate ?? 0n) + g.storageRebate,
    nonRefundableStorageFee: (prev?.nonRefundableStorageFee ?? 0n) + g.nonRefundableStorageFee,
  };
  const summary = JSON.stringify([sequenceNumber.toString(), previous?.digest ?? null, tx.digest, tx.timestampMs.toString()]);
  return {
    sequenceNumber,
    digest: taggedDigest('CheckpointSummary', new TextEncoder().encode(summary)),
    previousDigest: previous?.digest ?? null,
    timestampMs: tx.timestampMs,
    transactions: [tx.digest],
    totalTransactions: (previous?.totalTransactions ?? 0n) + 1n,
    rollingGas,
  };
}
