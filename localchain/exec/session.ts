/**
 * The state of one PTB while it runs: the objects it touches (copy-on-write over the ledger),
 * the value behind every input, result and the gas coin, and Move's ownership rules for them
 * (by-value use moves a value, a moved value cannot be used again, coins cannot be dropped).
 * Nothing here writes to the ledger; finalize.ts turns the session into effects.
 */
import type { PackageState, PureType } from '../move/types.ts';
import { deriveObjectId, SUI_COIN_TYPE } from '../chain/ids.ts';
import { coinBalance } from '../chain/objects.ts';
import type { EventRecord, ObjectOwner, StoredObject } from '../chain/types.ts';
import { ArgErrorKind, ErrorKind, ExecutionFailure } from './errors.ts';
import { decodePure } from './pure.ts';
import type { Arg } from './tx-data.ts';

/** An object as the PTB sees it. `original` is null for objects created by this transaction. */
export interface WorkObj {
  id: string;
  type: string;
  original: StoredObject | null;
  /** null while a created object is a value in flight (not yet transferred or consumed). */
  owner: ObjectOwner | null;
  /** Coin<SUI> balance; null for other objects. */
  balance: bigint | null;
  contents: Uint8Array;
  hasPublicTransfer: boolean;
  deleted: boolean;
  /** Where a created value came from, for UnusedValueWithoutDrop. */
  origin?: { command: number; sub: number };
}

export type Val =
  | { t: 'object'; id: string }
  | { t: 'pure'; bytes: Uint8Array; type: PureType | null }
  | { t: 'shared'; id: string; mutable: boolean };

export interface Slot {
  val: Val;
  moved: boolean;
}

export interface CommandOutput {
  returnValues: Uint8Array[];
  mutatedByRef: Array<{ arg: Arg; bytes: Uint8Array }>;
}

export interface SessionContext {
  digest: string;
  sender: string;
  nowMs: bigint;
  packageId: string;
  registryId: string;
  schedulerId: string;
}

export type SlotInit = { kind: 'pure'; bytes: Uint8Array } | { kind: 'owned'; obj: StoredObject } | { kind: 'shared'; obj: StoredObject; mutable: boolean };

export function workOf(obj: StoredObject): WorkObj {
  return {
    id: obj.id,
    type: obj.type,
    original: obj,
    owner: obj.owner,
    balance: obj.type === SUI_COIN_TYPE ? coinBalance(obj) : null,
    contents: obj.contents,
    hasPublicTransfer: obj.hasPublicTransfer,
    deleted: false,
  };
}

export class Session {
  readonly work = new Map<string, WorkObj>();
  readonly inputs: Slot[];
  readonly results: Slot[][] = [];
  readonly gas: Slot;
  readonly events: EventRecord[] = [];
  readonly outputs: CommandOutput[] = [];
  #created = 0;

  constructor(
    readonly ctx: SessionContext,
    inputs: SlotInit[],
    gasCoin: WorkObj,
    public packageState: PackageState,
  ) {
    this.work.set(gasCoin.id, gasCoin);
    this.gas = { val: { t: 'object', id: gasCoin.id }, moved: false };
    this.inputs = inputs.map((init): Slot => {
      if (init.kind === 'pure') return { val: { t: 'pure', bytes: init.bytes, type: null }, moved: false };
      if (init.kind === 'shared') return { val: { t: 'shared', id: init.obj.id, mutable: init.mutable }, moved: false };
      this.work.set(init.obj.id, workOf(init.obj));
      return { val: { t: 'object', id: init.obj.id }, moved: false };
    });
  }

  get gasCoinId(): string {
    return (this.gas.val as { id: string }).id;
  }

  /** A fresh object id, derived from the digest like Sui's `tx_context::fresh_id`. */
  newId(): string {
    return deriveObjectId(this.ctx.digest, this.#created++);
  }

  /** Registers an object created by command `command` as a value in flight. */
  create(obj: Omit<WorkObj, 'original' | 'deleted' | 'owner'> & { owner?: ObjectOwner }, command: number, sub: number): WorkObj {
    const w: WorkObj = { ...obj, original: null, owner: obj.owner ?? null, deleted: false, origin: { command, sub } };
    this.work.set(w.id, w);
    return w;
  }

  /** The slot an argument names; IndexOutOfBounds & co. as Sui reports them. */
  slot(arg: Arg, command: number, argIdx: number): Slot {
    const bad = (kind: number, what: string, index: { index: number; subresult?: number }) => ExecutionFailure.argument(command, argIdx, kind, what, index);
    switch (arg.kind) {
      case 'gas':
        return this.gas;
      case 'input': {
        const s = this.inputs[arg.index];
        if (!s) throw bad(ArgErrorKind.INDEX_OUT_OF_BOUNDS, `input ${arg.index} does not exist`, { index: arg.index });
        return s;
      }
      case 'result':
      case 'nested': {
        const r = arg.index < command ? this.results[arg.index] : undefined;
        if (!r) throw bad(ArgErrorKind.INDEX_OUT_OF_BOUNDS, `result ${arg.index} is not from an earlier command`, { index: arg.index });
        if (arg.kind === 'result') {
          if (r.length !== 1) throw bad(ArgErrorKind.INVALID_RESULT_ARITY, `command ${arg.index} returned ${r.length} values; use NestedResult`, { index: arg.index });
          return r[0];
        }
        const s = r[arg.sub];
        if (!s) throw bad(ArgErrorKind.SECONDARY_INDEX_OUT_OF_BOUNDS, `command ${arg.index} has no result ${arg.sub}`, { index: arg.index, subresult: arg.sub });
        return s;
      }
    }
  }

  #object(slot: Slot, command: number, argIdx: number): WorkObj {
    if (slot.moved) throw ExecutionFailure.argument(command, argIdx, ArgErrorKind.INVALID_VALUE_USAGE, 'the value was already moved');
    if (slot.val.t !== 'object') throw ExecutionFailure.argument(command, argIdx, ArgErrorKind.TYPE_MISMATCH, 'expected an owned object');
    return this.work.get(slot.val.id)!;
  }

  /** `&mut Coin<SUI>`: the gas coin included. */
  borrowCoin(arg: Arg, command: number, argIdx: number): WorkObj {
    const w = this.#object(this.slot(arg, command, argIdx), command, argIdx);
    if (w.balance === null) throw ExecutionFailure.argument(command, argIdx, ArgErrorKind.TYPE_MISMATCH, `expected Coin<SUI>, got ${w.type}`);
    return w;
  }

  /** `&T` of an owned object of type `type`. */
  borrowObject(arg: Arg, command: number, argIdx: number, type: string): WorkObj {
    const w = this.#object(this.slot(arg, command, argIdx), command, argIdx);
    if (w.type !== type) throw ExecutionFailure.argument(command, argIdx, ArgErrorKind.TYPE_MISMATCH, `expected ${type}, got ${w.type}`);
    return w;
  }

  /** An object by value: moves it. The gas coin only where Sui allows it (TransferObjects). */
  takeObject(arg: Arg, command: number, argIdx: number, allowGas: boolean): WorkObj {
    const slot = this.slot(arg, command, argIdx);
    if (arg.kind === 'gas' && !allowGas) {
      throw ExecutionFailure.argument(command, argIdx, ArgErrorKind.INVALID_GAS_COIN_USAGE, 'the gas coin can only be taken by value in TransferObjects');
    }
    if (slot.val.t === 'shared') {
      throw ExecutionFailure.argument(command, argIdx, ArgErrorKind.CONSENSUS_OBJECT_OPERATION_NOT_ALLOWED, 'a shared object cannot be taken by value');
    }
    const w = this.#object(slot, command, argIdx);
    slot.moved = true;
    return w;
  }

  /** A pure argument as `type`: raw input bytes are decoded, typed results must match. */
  pure(arg: Arg, command: number, argIdx: number, type: PureType): unknown {
    const slot = this.slot(arg, command, argIdx);
    if (slot.val.t !== 'pure') throw ExecutionFailure.argument(command, argIdx, ArgErrorKind.TYPE_MISMATCH, `expected a pure ${type}`);
    if (slot.val.type !== null && slot.val.type !== type) {
      throw ExecutionFailure.argument(command, argIdx, ArgErrorKind.TYPE_MISMATCH, `expected ${type}, got ${slot.val.type}`);
    }
    try {
      return decodePure(type, slot.val.bytes);
    } catch (err) {
      throw ExecutionFailure.argument(command, argIdx, ArgErrorKind.INVALID_BCS_BYTES, `not a valid ${type}: ${(err as Error).message}`);
    }
  }

  /** A shared input naming exactly object `id`. */
  shared(arg: Arg, command: number, argIdx: number, id: string, needMutable: boolean): void {
    const slot = this.slot(arg, command, argIdx);
    if (slot.val.t !== 'shared' || slot.val.id !== id) {
      throw ExecutionFailure.argument(command, argIdx, ArgErrorKind.TYPE_MISMATCH, `expected the shared object ${id}`);
    }
    if (needMutable && !slot.val.mutable) {
      throw ExecutionFailure.argument(command, argIdx, ArgErrorKind.INVALID_OBJECT_BY_MUT_REF, 'the shared object was passed as an immutable input but the function takes &mut');
    }
  }

  /** Move's rule that values without `drop` (coins, objects) cannot be left unused. */
  checkNoDanglingValues(): void {
    for (const w of this.work.values()) {
      if (w.original === null && !w.deleted && w.owner === null) {
        const { command, sub } = w.origin!;
        throw new ExecutionFailure({
          kind: ErrorKind.UNUSED_VALUE_WITHOUT_DROP,
          description: `UnusedValueWithoutDrop { result_idx: ${command}, secondary_idx: ${sub} }: result ${command}/${sub} (${w.type}) must be transferred or consumed`,
          index: { index: command, subresult: sub },
        });
      }
    }
  }
}
