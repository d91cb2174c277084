/**
 * From a finished session to what the ledger records: every written object sealed at the
 * lamport version, deletions, the gas charge taken from the gas coin, balance changes and the
 * effects. Sui bumps every owned input and every mutable shared input, even when unchanged.
 */
import { coinBalance, coinContents, isSuiCoin, newObject } from '../chain/objects.ts';
import { registryContents, schedulerContents } from '../chain/package-objects.ts';
import type {
  BalanceChangeRecord,
  ChangedObjectRecord,
  EffectsRecord,
  ExecutionStatusRecord,
  StoredObject,
  UnchangedSharedRecord,
} from '../chain/types.ts';
import { SUI_TYPE } from '../chain/ids.ts';
import { chargeGas, netCharge } from './gas.ts';
import type { Loaded } from './precheck.ts';
import type { Session } from './session.ts';

export interface Finalized {
  effects: EffectsRecord;
  written: StoredObject[];
  deleted: string[];
  balanceChanges: BalanceChangeRecord[];
  /** computation + storage this transaction needs (for budget estimates). */
  required: bigint;
  /** false: the budget did not cover the transaction (InsufficientGas). */
  gasOk: boolean;
}

export interface FinalizeContext {
  digest: string;
  price: bigint;
  budget: bigint;
  loaded: Loaded;
  /** The Clock as seen at execution. */
  clock: StoredObject;
  epoch: bigint;
}

function state(o: StoredObject) {
  return { version: o.version, digest: o.digest, owner: o.owner };
}

function balanceChanges(before: StoredObject[], after: StoredObject[]): BalanceChangeRecord[] {
  const delta = new Map<string, bigint>();
  const add = (o: StoredObject, sign: bigint) => {
    if (o.owner.kind !== 'address' || !isSuiCoin(o)) return;
    delta.set(o.owner.address, (delta.get(o.owner.address) ?? 0n) + sign * coinBalance(o));
  };
  before.forEach((o) => add(o, -1n));
  after.forEach((o) => add(o, 1n));
  return [...delta.entries()]
    .filter(([, amount]) => amount !== 0n)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([address, amount]) => ({ address, coinType: SUI_TYPE, amount: amount.toString() }));
}

/** Effects of `session` (committed as-is on success, or a bare failure session) with `status`. */
export function finalize(s: Session, ctx: FinalizeContext, status: ExecutionStatusRecord): Finalized {
  const lamport = ctx.loaded.lamport;
  const base = { version: lamport, previousTransaction: ctx.digest };
  const written: StoredObject[] = [];
  const originals: StoredObject[] = [];
  const deleted: StoredObject[] = [];
  let gasIndex = -1;

  for (const w of s.work.values()) {
    if (w.original) originals.push(w.original);
    if (w.deleted) {
      if (w.original) deleted.push(w.original);
      continue;
    }
    if (w.id === s.gasCoinId) gasIndex = written.length;
    const contents = w.balance !== null ? coinContents(w.id, w.balance) : w.contents;
    written.push(newObject({ ...base, id: w.id, owner: w.owner!, type: w.type, hasPublicTransfer: w.hasPublicTransfer, contents }));
  }
  const unchangedShared: UnchangedSharedRecord[] = [];
  for (const slot of ctx.loaded.slots) {
    if (slot.kind !== 'shared') continue;
    const seen = slot.obj.id === ctx.clock.id ? ctx.clock : slot.obj;
    if (!slot.mutable) {
      unchangedShared.push({ objectId: seen.id, objectType: seen.type, version: seen.version, digest: seen.digest });
      continue;
    }
    originals.push(slot.obj);
    const contents =
      slot.obj.id === s.ctx.registryId ? registryContents(slot.obj.id, s.packageState) : slot.obj.id === s.ctx.schedulerId ? schedulerContents(slot.obj.id, s.packageState) : slot.obj.contents;
    written.push(newObject({ ...base, id: slot.obj.id, owner: slot.obj.owner, type: slot.obj.type, hasPublicTransfer: false, contents }));
  }

  const storage = written.reduce((sum, o) => sum + o.storageRebate, 0n);
  const rebates = originals.reduce((sum, o) => sum + o.storageRebate, 0n);
  const { cost, ok, required } = chargeGas(ctx.price, ctx.budget, storage, rebates);
  const gas = s.work.get(s.gasCoinId)!;
  // The session ran with the budget reserved out of the gas coin; settle it now.
  const gasBalance = gas.balance! + ctx.budget - netCharge(cost);
  const gasObj = written[gasIndex];
  written[gasIndex] = newObject({ ...base, id: gasObj.id, owner: gasObj.owner, type: gasObj.type, hasPublicTransfer: true, contents: coinContents(gasObj.id, gasBalance) });

  const changedObjects = changes(originals, written, deleted);
  const effects: EffectsRecord = {
    status,
    epoch: ctx.epoch,
    gasUsed: cost,
    gasObjectId: gas.id,
    lamportVersion: lamport,
    changedObjects,
    unchangedShared: unchangedShared.sort((a, b) => (a.objectId < b.objectId ? -1 : 1)),
    dependencies: ctx.loaded.dependencies,
  };
  return {
    effects,
    written,
    deleted: deleted.map((o) => o.id),
    balanceChanges: balanceChanges(originals, written),
    required,
    gasOk: ok,
  };
}

function changes(originals: StoredObject[], written: StoredObject[], deleted: StoredObject[]): ChangedObjectRecord[] {
  const before = new Map(originals.map((o) => [o.id, o]));
  const out: ChangedObjectRecord[] = written.map((o) => {
    const input = before.get(o.id);
    return { objectId: o.id, objectType: o.type, input: input ? state(input) : null, output: state(o), idOperation: input ? 'none' : 'created' };
  });
  for (const o of deleted) out.push({ objectId: o.id, objectType: o.type, input: state(o), output: null, idOperation: 'deleted' });
  return out.sort((a, b) => (a.objectId < b.objectId ? -1 : 1));
}
