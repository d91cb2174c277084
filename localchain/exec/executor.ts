/**
 * Runs one transaction against the ledger without changing it: precheck, the PTB on a session
 * over a copy of the package state, then effects. A failed PTB (or an exhausted budget) is
 * re-finalized from a bare session: all its changes are dropped, owned and mutable shared inputs
 * still get new versions and gas is still charged, as on Sui. The caller commits the result
 * (ExecuteTransaction) or only reports it (SimulateTransaction).
 */
import { clonePackageState } from '../move/package.ts';
import { EPOCH, type Commit, type Ledger } from '../chain/ledger.ts';
import { coinBalance, newCoin } from '../chain/objects.ts';
import type { ExecutionErrorRecord, ExecutionStatusRecord, StoredObject } from '../chain/types.ts';
import { splitCoins, mergeCoins, transferObjects } from './commands.ts';
import { ErrorKind, ExecutionFailure } from './errors.ts';
import { finalize, type Finalized } from './finalize.ts';
import { moveCall } from './move-call.ts';
import { precheck, type Loaded } from './precheck.ts';
import { Session, workOf, type CommandOutput, type Slot } from './session.ts';
import type { TxData } from './tx-data.ts';

/** Id of the stand-in gas coin of a simulation without gas payment. */
export const MOCK_GAS_ID = `0x${'f'.repeat(64)}`;

export interface RunOptions {
  tx: TxData;
  digest: string;
  /** TransactionData BCS as signed (kept in the record). */
  bcs: Uint8Array;
  signatures: Uint8Array[];
  /** Simulate with a stand-in gas coin of this balance instead of tx.gas.payment. */
  mockGasBalance?: bigint;
  /** false: SimulateTransaction with checks DISABLED. */
  checks?: boolean;
}

export interface RunResult {
  commit: Commit;
  /** Per command, for simulate's command_outputs. Empty when execution failed. */
  outputs: CommandOutput[];
  /** computation + storage the transaction needed. */
  required: bigint;
}

function runCommands(s: Session, tx: TxData): void {
  tx.commands.forEach((cmd, index) => {
    let slots: Slot[];
    switch (cmd.kind) {
      case 'splitCoins':
        slots = splitCoins(s, cmd, index);
        break;
      case 'mergeCoins':
        slots = mergeCoins(s, cmd, index);
        break;
      case 'transferObjects':
        slots = transferObjects(s, cmd, index);
        break;
      case 'moveCall':
        slots = moveCall(s, cmd, index);
        break;
    }
    s.results.push(slots);
  });
  s.checkNoDanglingValues();
}

/** A session whose gas coin holds every payment coin merged ("smashed") minus the reserved budget. */
function openSession(ledger: Ledger, tx: TxData, digest: string, nowMs: bigint, loaded: Loaded, gasCoins: StoredObject[], packageState: Session['packageState']): Session {
  const [primary, ...rest] = gasCoins;
  const total = gasCoins.reduce((sum, c) => sum + coinBalance(c), 0n);
  // Sui reserves the budget: the PTB may spend only what the gas coins hold beyond it. With
  // checks disabled the coins may hold less; clamp so a simulation never sees a negative coin.
  const available = total - tx.gas.budget;
  const gas = { ...workOf(primary), balance: available > 0n ? available : 0n };
  const d = ledger.data;
  const s = new Session(
    { digest, sender: tx.sender, nowMs, packageId: d.packageId, registryId: d.registryId, schedulerId: d.schedulerId },
    loaded.slots,
    gas,
    packageState,
  );
  for (const coin of rest) s.work.set(coin.id, { ...workOf(coin), balance: 0n, deleted: true });
  return s;
}

/** Executes `opts.tx` against the ledger's current state; throws PrecheckError. Never mutates the ledger. */
export function runTransaction(ledger: Ledger, opts: RunOptions): RunResult {
  const { tx, digest } = opts;
  const timestampMs = ledger.nextTimestampMs();
  const checks = opts.checks ?? true;
  const mock = opts.mockGasBalance !== undefined;
  const loaded = precheck(ledger, tx, { realGas: !mock, checks, timestampMs });
  const gasCoins = mock ? [newCoin(MOCK_GAS_ID, opts.mockGasBalance!, tx.gas.owner, 1n, ledger.data.transactions[0].digest)] : loaded.gasCoins;
  const clock = ledger.clockFor(timestampMs);
  const ctx = { digest, price: tx.gas.price, budget: tx.gas.budget, loaded, clock, epoch: EPOCH };

  let failure: ExecutionErrorRecord | null = null;
  let result: Finalized | null = null;
  let session = openSession(ledger, tx, digest, timestampMs, loaded, gasCoins, clonePackageState(ledger.data.packageState));
  try {
    runCommands(session, tx);
    result = finalize(session, ctx, { success: true });
    if (!result.gasOk) {
      failure = { kind: ErrorKind.INSUFFICIENT_GAS, description: `InsufficientGas: the budget ${tx.gas.budget} does not cover ${result.required}` };
    }
  } catch (err) {
    if (!(err instanceof ExecutionFailure)) throw err;
    failure = err.record;
  }
  const required = result?.required;
  if (failure) {
    session = openSession(ledger, tx, digest, timestampMs, loaded, gasCoins, ledger.data.packageState);
    const status: ExecutionStatusRecord = { success: false, error: failure };
    result = finalize(session, ctx, status);
  }
  const final = result!;
  return {
    commit: {
      record: {
        digest,
        bcs: opts.bcs,
        signatures: opts.signatures,
        effects: final.effects,
        events: failure ? [] : session.events,
        balanceChanges: final.balanceChanges,
        checkpoint: ledger.latestCheckpoint.sequenceNumber + 1n,
        timestampMs,
      },
      written: final.written,
      deleted: final.deleted,
      packageState: failure ? null : session.packageState,
      clock,
    },
    outputs: failure ? [] : session.outputs,
    required: required ?? final.required,
  };
}
