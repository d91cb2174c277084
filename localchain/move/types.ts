/**
 * The seam between the local chain's node (transport, ledger, PTB executor) and its mirror of
 * the Move code. The executor decodes PTB arguments by the `params` of a function, hands plain
 * values to `call`, and turns the result into objects, events and command outputs. The Move mirror
 * never sees BCS, object ids of shared objects or gas; the executor never sees Move rules.
 */
import type { EventName } from '../../shared/chain/events.ts';

/** A Move abort as the Move code would raise it. `functionName` is the entry function. */
export class MoveAbortError extends Error {
  constructor(
    readonly module: 'worker_registry' | 'k8s_scheduler',
    readonly functionName: string,
    readonly code: number,
  ) {
    super(`MoveAbort in ${module}::${functionName} with code ${code}`);
    this.name = 'MoveAbortError';
  }
}

/** What the transaction context and the Clock give a Move function. */
export interface CallContext {
  /** Sender address, normalized `0x` + 64 lowercase hex. */
  sender: string;
  /** `clock.timestamp_ms()` at execution. */
  nowMs: bigint;
}

/** Pure argument types the package's functions take or return. */
export type PureType = 'string' | 'u64' | 'u8' | 'bool' | 'address' | 'vector<u8>' | 'vector<string>';

export type ParamKind =
  /** The package's shared objects; the executor checks the id and mutability. */
  | { kind: 'shared'; type: 'WorkerRegistry' | 'K8sScheduler'; mutable: boolean }
  /** `&Clock` (0x6). */
  | { kind: 'clock' }
  /** `&MasterCap`: the executor checks the sender owns it; the value passed is `true`. */
  | { kind: 'masterCap' }
  /** `StakeProof` by value: the executor checks ownership, deletes the object, passes its data. */
  | { kind: 'stakeProof' }
  /** `Coin<SUI>` by value: the executor consumes the coin and passes its value (bigint MIST). */
  | { kind: 'coin' }
  /** A pure value: string → string, u64 → bigint, u8 → number, bool → boolean, address → normalized string, vector<u8> → Uint8Array. */
  | { kind: 'pure'; type: PureType };

/** Return value kinds: `coin` becomes a new `Coin<SUI>` in the PTB's results with that value (bigint). */
export type ReturnKind = { kind: 'coin' } | { kind: 'pure'; type: PureType };

export interface StakeProofData {
  node_id: string;
  owner: string;
  stake_amount: bigint;
  staked_at: bigint;
}

/** An event to emit; `fields` match the BCS layout in shared/chain/events.ts (u64 as bigint, vector<u8> as Uint8Array). */
export interface EmittedEvent {
  module: 'worker_registry' | 'k8s_scheduler';
  name: EventName;
  fields: Record<string, unknown>;
}

export interface CallResult {
  /** One value per `returns` entry. */
  returns: unknown[];
  events: EmittedEvent[];
  /** Objects the function transfers (only StakeProof to the sender today). */
  transfers: Array<{ type: 'StakeProof'; data: StakeProofData; to: string }>;
}

export interface MoveFunction {
  module: 'worker_registry' | 'k8s_scheduler';
  name: string;
  /** Parameters in Move order, without the trailing `&mut TxContext`. */
  params: ParamKind[];
  returns: ReturnKind[];
  /** Runs the function on `state`; throws MoveAbortError. Mutates `state` only on success paths (the executor snapshots anyway). */
  call(state: PackageState, ctx: CallContext, args: unknown[]): CallResult;
}

/** The package's on-chain state: what the two shared objects hold. Plain JSON-able data. */
export interface PackageState {
  registry: RegistryState;
  scheduler: SchedulerState;
}

export interface WorkerState {
  node_id: string;
  owner: string;
  /** Stake balance in MIST, decimal string (JSON-safe). */
  stake: string;
  /** Hex of the 32-byte Ed25519 public key, no 0x. */
  seal_pubkey: string;
  status: 'pending' | 'active' | 'busy' | 'offline' | 'slashed';
  registered_at: string;
  updated_at: string;
}

export interface RegistryState {
  /** Insertion-ordered. */
  workers: Record<string, WorkerState>;
  owner_workers: Record<string, string[]>;
  total_workers: number;
  active_workers: number;
  total_stake: string;
  slashed: string;
}

export interface RequestState {
  request_id: string;
  method: string;
  resource: string;
  namespace: string;
  name: string;
  payload: string;
  requester: string;
  priority: number;
  assigned_worker: string;
  status: 'assigned' | 'completed' | 'failed';
  created_at: string;
  completed_at: string;
}

export interface SchedulerState {
  requests: Record<string, RequestState>;
  worker_workloads: Record<string, number>;
  total_requests: number;
  completed_requests: number;
}
