/**
 * Test helpers for the Move mirror: call a package function the way the executor does (implicit
 * args filled in), check every emitted event against its BCS layout, and assert aborts leave the
 * state untouched.
 */
import { expect } from 'vitest';
import { EVENT_LAYOUTS } from '../../shared/chain/events.ts';
import { PACKAGE_FUNCTIONS, clonePackageState } from './package.ts';
import { MoveAbortError, type CallResult, type EmittedEvent, type PackageState } from './types.ts';

export const ALICE = `0x${'a1'.repeat(32)}`;
export const BOB = `0x${'b2'.repeat(32)}`;
export const ONE_SUI = 1_000_000_000n;
export const NOW = 1_700_000_000_000n;

/** A 32-byte (or `length`-byte) key filled with `fill`. */
export function key(fill = 1, length = 32): Uint8Array {
  return new Uint8Array(length).fill(fill);
}

/**
 * Calls `module::function` as `sender` at `nowMs`. `userArgs` are the coin, proof and pure args in
 * Move order; shared objects and the clock become undefined and `&MasterCap` becomes true.
 */
export function invoke(state: PackageState, fnKey: string, sender: string, userArgs: unknown[], nowMs: bigint = NOW): CallResult {
  const fn = PACKAGE_FUNCTIONS.get(fnKey);
  if (!fn) throw new Error(`no function ${fnKey}`);
  const rest = [...userArgs];
  const args = fn.params.map((p) => {
    if (p.kind === 'shared' || p.kind === 'clock') return undefined;
    if (p.kind === 'masterCap') return true;
    if (rest.length === 0) throw new Error(`${fnKey}: too few args`);
    return rest.shift();
  });
  if (rest.length > 0) throw new Error(`${fnKey}: too many args`);
  const result = fn.call(state, { sender, nowMs }, args);
  expect(result.returns).toHaveLength(fn.returns.length);
  result.events.forEach(checkEventLayout);
  return result;
}

/** The event's module and field names are exactly its BCS layout's, and it serializes losslessly. */
export function checkEventLayout(ev: EmittedEvent): void {
  const [module, layout] = EVENT_LAYOUTS[ev.name];
  expect(ev.module).toBe(module);
  const parsed = layout.parse(layout.serialize(ev.fields as never).toBytes()) as Record<string, unknown>;
  expect(Object.keys(ev.fields)).toEqual(Object.keys(parsed));
  const normalized = Object.fromEntries(
    Object.entries(ev.fields).map(([k, v]) => [
      k,
      typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Array.from(v) : v,
    ]),
  );
  expect(normalized).toEqual(parsed);
}

/** Expects `run` to abort with `module::functionName` `code`, leaving `state` exactly as it was. */
export function expectAbort(
  state: PackageState,
  run: () => unknown,
  module: MoveAbortError['module'],
  functionName: string,
  code: number,
): void {
  const before = clonePackageState(state);
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(MoveAbortError);
  expect(caught).toMatchObject({ module, functionName, code });
  // JSON text, not toStrictEqual: it also pins key order, and vitest's type check reads
  // `.constructor`, which is an own key here when a request or worker is named "constructor".
  expect(JSON.stringify(state)).toBe(JSON.stringify(before));
}

/** Registers `nodeId` for `owner` with `stake` MIST. */
export function register(state: PackageState, owner: string, nodeId: string, stake = ONE_SUI, nowMs = NOW): CallResult {
  return invoke(state, 'worker_registry::stake_and_register_worker', owner, [stake, nodeId, key()], nowMs);
}

/** The master sets a worker's status (the MasterCap holder's address does not matter). */
export function setStatus(state: PackageState, nodeId: string, status: string, nowMs = NOW): CallResult {
  return invoke(state, 'worker_registry::set_worker_status', ALICE, [nodeId, status], nowMs);
}

/** Registers and activates each node id for `owner`, in order. */
export function activeWorkers(state: PackageState, owner: string, ...nodeIds: string[]): void {
  for (const id of nodeIds) {
    register(state, owner, id);
    setStatus(state, id, 'active');
  }
}

/** The single return value of a view. */
export function view(state: PackageState, fnKey: string, args: unknown[]): unknown {
  return invoke(state, fnKey, ALICE, args).returns[0];
}
