/**
 * Mirror of `k8s_daas::worker_registry` (contracts/README.md). Every function first reads all its
 * arguments (a malformed one is an executor bug: TypeError), then runs its checks in the README's
 * order, and mutates the state only after the last check, so the first failing check decides the
 * abort code exactly as in Move.
 */
import {
  MAX_WORKERS_PER_ADDRESS,
  MIN_STAKE_AMOUNT,
  SEAL_PUBKEY_LENGTH,
  WORKER_REGISTRY,
  WORKER_REGISTRY_ABORTS,
  isValidNodeId,
  type WorkerRegistryAbort,
  type WorkerStatus,
} from '../../shared/chain/abi.ts';
import { arg, defineFunction, event, fromHex, get, has, pure, put, remove, result, toHex, u64 } from './support.ts';
import { MoveAbortError, type MoveFunction, type ParamKind, type RegistryState, type WorkerState } from './types.ts';

const M = WORKER_REGISTRY;
const REGISTRY_MUT: ParamKind = { kind: 'shared', type: 'WorkerRegistry', mutable: true };
const REGISTRY: ParamKind = { kind: 'shared', type: 'WorkerRegistry', mutable: false };
const CLOCK: ParamKind = { kind: 'clock' };
const MASTER_CAP: ParamKind = { kind: 'masterCap' };
const COIN: ParamKind = { kind: 'coin' };
const STRING = pure('string');
const BYTES = pure('vector<u8>');
const U64 = pure('u64');
const ADDRESS = pure('address');
const BOOL = pure('bool');

/** Statuses `set_worker_status` accepts: `slashed` is reachable only through `slash_worker`. */
const SETTABLE_STATUSES: readonly WorkerStatus[] = ['pending', 'active', 'busy', 'offline'];

function abort(fn: string, name: WorkerRegistryAbort): never {
  throw new MoveAbortError(M, fn, WORKER_REGISTRY_ABORTS[name]);
}

/** `assert!(table::contains(..), EWorkerNotFound)` followed by the borrow. */
function findWorker(reg: RegistryState, nodeId: string, fn: string): WorkerState {
  return get(reg.workers, nodeId) ?? abort(fn, 'EWorkerNotFound');
}

function requireOwner(worker: WorkerState, sender: string, fn: string): void {
  if (worker.owner !== sender) abort(fn, 'EUnauthorized');
}

function requireNotSlashed(worker: WorkerState, fn: string): void {
  if (worker.status === 'slashed') abort(fn, 'EInvalidOperation');
}

function requirePubkey(pubkey: Uint8Array, fn: string): void {
  if (pubkey.length !== SEAL_PUBKEY_LENGTH) abort(fn, 'EInvalidSealToken');
}

/** Every status change goes through here so that `active_workers` always counts status "active". */
function changeStatus(reg: RegistryState, worker: WorkerState, status: WorkerStatus, now: string): void {
  if (worker.status === 'active') reg.active_workers -= 1;
  if (status === 'active') reg.active_workers += 1;
  worker.status = status;
  worker.updated_at = now;
}

function addToTotalStake(reg: RegistryState, delta: bigint): void {
  reg.total_stake = (u64(reg.total_stake) + delta).toString();
}

// ---- views, also used by k8s_scheduler (Move: public fun of this module) ----

/** `get_owner_workers`: a copy, empty for an unknown owner. */
export function ownerWorkers(reg: RegistryState, owner: string): string[] {
  return [...(get(reg.owner_workers, owner) ?? [])];
}

export function isWorkerActive(reg: RegistryState, nodeId: string): boolean {
  return get(reg.workers, nodeId)?.status === 'active';
}

export function isWorkerOwner(reg: RegistryState, nodeId: string, owner: string): boolean {
  return get(reg.workers, nodeId)?.owner === owner;
}

// ---- entry functions ----

const stakeAndRegisterWorker = defineFunction(
  M,
  'stake_and_register_worker',
  [REGISTRY_MUT, COIN, STRING, BYTES, CLOCK],
  [],
  (state, ctx, args, fn) => {
    const reg = state.registry;
    const payment = arg.coin(args, 1);
    const nodeId = arg.string(args, 2);
    const pubkey = arg.bytes(args, 3);
    if (!isValidNodeId(nodeId)) abort(fn, 'EInvalidNodeId');
    requirePubkey(pubkey, fn);
    if (payment < MIN_STAKE_AMOUNT) abort(fn, 'EInsufficientStake');
    if (has(reg.workers, nodeId)) abort(fn, 'EWorkerAlreadyExists');
    const owned = ownerWorkers(reg, ctx.sender);
    if (owned.length >= MAX_WORKERS_PER_ADDRESS) abort(fn, 'ETooManyWorkers');

    const now = ctx.nowMs.toString();
    put(reg.workers, nodeId, {
      node_id: nodeId,
      owner: ctx.sender,
      stake: payment.toString(),
      seal_pubkey: toHex(pubkey),
      status: 'pending',
      registered_at: now,
      updated_at: now,
    });
    put(reg.owner_workers, ctx.sender, [...owned, nodeId]);
    reg.total_workers += 1;
    addToTotalStake(reg, payment);
    // Fields in declaration order: the executor may render them as JSON, as Sui's parsedJson does.
    return result(
      [
        event('WorkerRegisteredEvent', {
          node_id: nodeId,
          owner: ctx.sender,
          stake_amount: payment,
          seal_pubkey: Uint8Array.from(pubkey),
          timestamp: ctx.nowMs,
        }),
        event('StakeDepositedEvent', { node_id: nodeId, owner: ctx.sender, amount: payment, timestamp: ctx.nowMs }),
      ],
      [],
      [
        {
          type: 'StakeProof',
          data: { node_id: nodeId, owner: ctx.sender, stake_amount: payment, staked_at: ctx.nowMs },
          to: ctx.sender,
        },
      ],
    );
  },
);

const addStake = defineFunction(M, 'add_stake', [REGISTRY_MUT, STRING, COIN, CLOCK], [], (state, ctx, args, fn) => {
  const reg = state.registry;
  const nodeId = arg.string(args, 1);
  const payment = arg.coin(args, 2);
  const worker = findWorker(reg, nodeId, fn);
  requireOwner(worker, ctx.sender, fn);
  requireNotSlashed(worker, fn);
  if (payment <= 0n) abort(fn, 'EInsufficientStake');

  worker.stake = (u64(worker.stake) + payment).toString();
  worker.updated_at = ctx.nowMs.toString();
  addToTotalStake(reg, payment);
  return result([
    event('StakeDepositedEvent', { node_id: worker.node_id, owner: worker.owner, amount: payment, timestamp: ctx.nowMs }),
  ]);
});

const rotateSealKey = defineFunction(M, 'rotate_seal_key', [REGISTRY_MUT, STRING, BYTES, CLOCK], [], (state, ctx, args, fn) => {
  const nodeId = arg.string(args, 1);
  const pubkey = arg.bytes(args, 2);
  const worker = findWorker(state.registry, nodeId, fn);
  requireOwner(worker, ctx.sender, fn);
  requirePubkey(pubkey, fn);
  requireNotSlashed(worker, fn);

  worker.seal_pubkey = toHex(pubkey);
  worker.updated_at = ctx.nowMs.toString();
  return result([
    event('SealKeyRotatedEvent', { node_id: worker.node_id, seal_pubkey: Uint8Array.from(pubkey), timestamp: ctx.nowMs }),
  ]);
});

const unstake = defineFunction(
  M,
  'unstake',
  [REGISTRY_MUT, { kind: 'stakeProof' }, CLOCK],
  [{ kind: 'coin' }],
  (state, ctx, args, fn) => {
    const reg = state.registry;
    const proof = arg.stakeProof(args, 1);
    const worker = findWorker(reg, proof.node_id, fn);
    // The worker's owner decides, not the proof's `owner` field (the proof has `store`).
    requireOwner(worker, ctx.sender, fn);
    if (worker.status === 'busy') abort(fn, 'EInvalidOperation');

    const returned = u64(worker.stake);
    if (worker.status === 'active') reg.active_workers -= 1;
    remove(reg.workers, worker.node_id);
    removeFromOwner(reg, worker.owner, worker.node_id);
    reg.total_workers -= 1;
    addToTotalStake(reg, -returned);
    return result(
      [
        event('WorkerDeregisteredEvent', {
          node_id: worker.node_id,
          owner: worker.owner,
          returned_amount: returned,
          timestamp: ctx.nowMs,
        }),
      ],
      [returned],
    );
  },
);

/** Order-preserving removal (Move `vector::remove`), since selection walks the list in order. */
function removeFromOwner(reg: RegistryState, owner: string, nodeId: string): void {
  const rest = ownerWorkers(reg, owner).filter((id) => id !== nodeId);
  if (rest.length === 0) remove(reg.owner_workers, owner);
  else put(reg.owner_workers, owner, rest);
}

const setWorkerStatus = defineFunction(
  M,
  'set_worker_status',
  [REGISTRY_MUT, MASTER_CAP, STRING, STRING, CLOCK],
  [],
  (state, ctx, args, fn) => {
    const reg = state.registry;
    const nodeId = arg.string(args, 2);
    const status = arg.string(args, 3);
    const worker = findWorker(reg, nodeId, fn);
    if (!SETTABLE_STATUSES.includes(status as WorkerStatus)) abort(fn, 'EInvalidOperation');
    requireNotSlashed(worker, fn);
    if (status === 'busy' && worker.status !== 'active' && worker.status !== 'busy') abort(fn, 'EWorkerNotActive');

    const old = worker.status;
    changeStatus(reg, worker, status as WorkerStatus, ctx.nowMs.toString());
    return result([
      event('WorkerStatusChangedEvent', { node_id: worker.node_id, old_status: old, new_status: status, timestamp: ctx.nowMs }),
    ]);
  },
);

const slashWorker = defineFunction(
  M,
  'slash_worker',
  [REGISTRY_MUT, MASTER_CAP, STRING, U64, STRING, CLOCK],
  [],
  (state, ctx, args, fn) => {
    const reg = state.registry;
    const nodeId = arg.string(args, 2);
    const amount = arg.u64(args, 3);
    const reason = arg.string(args, 4);
    const worker = findWorker(reg, nodeId, fn);
    requireNotSlashed(worker, fn);
    if (amount === 0n) abort(fn, 'EInvalidOperation');

    const stake = u64(worker.stake);
    const taken = amount < stake ? amount : stake;
    worker.stake = (stake - taken).toString();
    reg.slashed = (u64(reg.slashed) + taken).toString();
    addToTotalStake(reg, -taken);
    changeStatus(reg, worker, 'slashed', ctx.nowMs.toString());
    return result([event('WorkerSlashedEvent', { node_id: worker.node_id, amount: taken, reason, timestamp: ctx.nowMs })]);
  },
);

/** Mirrors `withdraw_slashed`: everything slashing collected, as a coin for the MasterCap holder. */
const withdrawSlashed = defineFunction(M, 'withdraw_slashed', [REGISTRY_MUT, MASTER_CAP], [{ kind: 'coin' }], (state) => {
  const taken = u64(state.registry.slashed);
  state.registry.slashed = '0';
  return result([], [taken]);
});

// ---- views as callable functions ----

/** A view: the registry (immutable) plus pure args; it never mutates and aborts only via findWorker. */
function view(
  name: string,
  params: ParamKind[],
  returns: MoveFunction['returns'],
  run: (reg: RegistryState, args: unknown[], fn: string) => unknown[],
): MoveFunction {
  return defineFunction(M, name, [REGISTRY, ...params], returns, (state, _ctx, args, fn) =>
    result([], run(state.registry, args, fn)),
  );
}

const VIEWS: MoveFunction[] = [
  view('worker_exists', [STRING], [BOOL], (reg, a) => [has(reg.workers, arg.string(a, 1))]),
  view('is_worker_owner', [STRING, ADDRESS], [BOOL], (reg, a) => [isWorkerOwner(reg, arg.string(a, 1), arg.address(a, 2))]),
  view('is_worker_active', [STRING], [BOOL], (reg, a) => [isWorkerActive(reg, arg.string(a, 1))]),
  view('get_owner_workers', [ADDRESS], [pure('vector<string>')], (reg, a) => [ownerWorkers(reg, arg.address(a, 1))]),
  view('get_worker_stake', [STRING], [U64], (reg, a, fn) => [u64(findWorker(reg, arg.string(a, 1), fn).stake)]),
  view('get_worker_status', [STRING], [STRING], (reg, a, fn) => [findWorker(reg, arg.string(a, 1), fn).status]),
  // (owner, stake, seal_pubkey, status, registered_at)
  view('get_worker_info', [STRING], [ADDRESS, U64, BYTES, STRING, U64], (reg, a, fn) => {
    const w = findWorker(reg, arg.string(a, 1), fn);
    return [w.owner, u64(w.stake), fromHex(w.seal_pubkey), w.status, u64(w.registered_at)];
  }),
  // (total workers, active workers, total stake)
  view('get_pool_stats', [], [U64, U64, U64], (reg) => [
    BigInt(reg.total_workers),
    BigInt(reg.active_workers),
    u64(reg.total_stake),
  ]),
];

export const WORKER_REGISTRY_FUNCTIONS: readonly MoveFunction[] = [
  stakeAndRegisterWorker,
  addStake,
  rotateSealKey,
  unstake,
  setWorkerStatus,
  slashWorker,
  withdrawSlashed,
  ...VIEWS,
];
