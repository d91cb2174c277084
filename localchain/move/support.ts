/**
 * Plumbing shared by the two module mirrors: Move `Table` semantics on plain records, typed access
 * to the arguments the executor decoded, event construction and small u64/hex conversions.
 * No Move rule lives here.
 */
import { EVENT_LAYOUTS, type EventName } from '../../shared/chain/events.ts';
import type { CallContext, CallResult, EmittedEvent, MoveFunction, PackageState, PureType, StakeProofData } from './types.ts';

export type Table<V> = Record<string, V>;

/**
 * Move `table::contains`. Only own properties count: request ids such as `__proto__` or
 * `constructor` (and the node id `constructor`) are legal keys and must not hit Object.prototype.
 */
export function has<V>(table: Table<V>, key: string): boolean {
  return Object.hasOwn(table, key);
}

/** Move `table::borrow` when present, else undefined. */
export function get<V>(table: Table<V>, key: string): V | undefined {
  return has(table, key) ? table[key] : undefined;
}

/**
 * Move `table::add` / overwrite. defineProperty (not `table[key] = v`) so that a key named
 * `__proto__` becomes an ordinary own property instead of replacing the prototype.
 */
export function put<V>(table: Table<V>, key: string, value: V): void {
  Object.defineProperty(table, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Move `table::remove`. */
export function remove<V>(table: Table<V>, key: string): void {
  if (has(table, key)) delete table[key];
}

/** Length of a Move `String` is its UTF-8 byte length, not the JS (UTF-16) length. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** u64 amounts are kept as decimal strings in the state (JSON-safe); arithmetic is in bigint. */
export function u64(s: string): bigint {
  return BigInt(s);
}

type EventInput<N extends EventName> = (typeof EVENT_LAYOUTS)[N][1]['$inferInput'];

/** An event of the package; the field names are checked against the BCS layout at compile time. */
export function event<N extends EventName>(name: N, fields: EventInput<N>): EmittedEvent {
  return { module: EVENT_LAYOUTS[name][0], name, fields: fields as Record<string, unknown> };
}

export function result(events: EmittedEvent[], returns: unknown[] = [], transfers: CallResult['transfers'] = []): CallResult {
  return { returns, events, transfers };
}

/** A pure parameter or return value; the same shape serves both. */
export function pure<T extends PureType>(type: T): { kind: 'pure'; type: T } {
  return { kind: 'pure', type };
}

type Run = (state: PackageState, ctx: CallContext, args: unknown[], fn: string) => CallResult;

/**
 * A `MoveFunction` whose body receives its own name (for MoveAbortError) and never depends on
 * `this`, so the executor may call it detached. One arg per param is the executor's contract.
 */
export function defineFunction(
  module: MoveFunction['module'],
  name: string,
  params: MoveFunction['params'],
  returns: MoveFunction['returns'],
  run: Run,
): MoveFunction {
  return {
    module,
    name,
    params,
    returns,
    call: (state, ctx, args) => {
      if (args.length !== params.length) {
        throw new TypeError(`${module}::${name} takes ${params.length} arguments, got ${args.length}`);
      }
      return run(state, ctx, args, name);
    },
  };
}

/**
 * Typed reads of `args`. The executor decodes by `params`, so a mismatch is a bug in the caller,
 * not a Move abort: it throws TypeError.
 */
function expect(ok: boolean, index: number, what: string, value: unknown): void {
  if (!ok) throw new TypeError(`argument ${index}: expected ${what}, got ${typeof value}`);
}

export const arg = {
  string(args: unknown[], i: number): string {
    const v = args[i];
    expect(typeof v === 'string', i, 'string', v);
    return v as string;
  },
  u64(args: unknown[], i: number): bigint {
    const v = args[i];
    expect(typeof v === 'bigint' && v >= 0n, i, 'u64 bigint', v);
    return v as bigint;
  },
  u8(args: unknown[], i: number): number {
    const v = args[i];
    expect(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 255, i, 'u8 number', v);
    return v as number;
  },
  bool(args: unknown[], i: number): boolean {
    const v = args[i];
    expect(typeof v === 'boolean', i, 'boolean', v);
    return v as boolean;
  },
  bytes(args: unknown[], i: number): Uint8Array {
    const v = args[i];
    expect(v instanceof Uint8Array, i, 'Uint8Array', v);
    return v as Uint8Array;
  },
  address(args: unknown[], i: number): string {
    const v = args[i];
    expect(typeof v === 'string' && /^0x[0-9a-f]{64}$/.test(v), i, 'normalized address', v);
    return v as string;
  },
  /** A `Coin<SUI>` by value arrives as its MIST value. */
  coin(args: unknown[], i: number): bigint {
    return arg.u64(args, i);
  },
  stakeProof(args: unknown[], i: number): StakeProofData {
    const v = args[i] as StakeProofData | undefined;
    expect(typeof v === 'object' && v !== null && typeof v.node_id === 'string', i, 'StakeProofData', v);
    return v as StakeProofData;
  },
};
