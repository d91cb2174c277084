/**
 * BCS layouts of the package's events, field for field in Move declaration order. The local chain
 * encodes with these and the chain client decodes with them; the `json` rendering differs between
 * transports, the BCS does not.
 */
import { bcs } from '@mysten/sui/bcs';

export const WorkerRegisteredEvent = bcs.struct('WorkerRegisteredEvent', {
  node_id: bcs.string(),
  owner: bcs.Address,
  stake_amount: bcs.u64(),
  seal_pubkey: bcs.vector(bcs.u8()),
  timestamp: bcs.u64(),
});

export const StakeDepositedEvent = bcs.struct('StakeDepositedEvent', {
  node_id: bcs.string(),
  owner: bcs.Address,
  amount: bcs.u64(),
  timestamp: bcs.u64(),
});

export const SealKeyRotatedEvent = bcs.struct('SealKeyRotatedEvent', {
  node_id: bcs.string(),
  seal_pubkey: bcs.vector(bcs.u8()),
  timestamp: bcs.u64(),
});

export const WorkerDeregisteredEvent = bcs.struct('WorkerDeregisteredEvent', {
  node_id: bcs.string(),
  owner: bcs.Address,
  returned_amount: bcs.u64(),
  timestamp: bcs.u64(),
});

export const WorkerStatusChangedEvent = bcs.struct('WorkerStatusChangedEvent', {
  node_id: bcs.string(),
  old_status: bcs.string(),
  new_status: bcs.string(),
  timestamp: bcs.u64(),
});

export const WorkerSlashedEvent = bcs.struct('WorkerSlashedEvent', {
  node_id: bcs.string(),
  amount: bcs.u64(),
  reason: bcs.string(),
  timestamp: bcs.u64(),
});

export const K8sAPIRequestScheduledEvent = bcs.struct('K8sAPIRequestScheduledEvent', {
  request_id: bcs.string(),
  method: bcs.string(),
  resource: bcs.string(),
  namespace: bcs.string(),
  name: bcs.string(),
  payload: bcs.string(),
  requester: bcs.Address,
  priority: bcs.u8(),
  assigned_worker: bcs.string(),
  timestamp: bcs.u64(),
});

export const K8sAPIResultEvent = bcs.struct('K8sAPIResultEvent', {
  request_id: bcs.string(),
  assigned_worker: bcs.string(),
  success: bcs.bool(),
  output: bcs.string(),
  error: bcs.string(),
  execution_time_ms: bcs.u64(),
  timestamp: bcs.u64(),
});

/** Event struct name → [module, BCS layout]. */
export const EVENT_LAYOUTS = {
  WorkerRegisteredEvent: ['worker_registry', WorkerRegisteredEvent],
  StakeDepositedEvent: ['worker_registry', StakeDepositedEvent],
  SealKeyRotatedEvent: ['worker_registry', SealKeyRotatedEvent],
  WorkerDeregisteredEvent: ['worker_registry', WorkerDeregisteredEvent],
  WorkerStatusChangedEvent: ['worker_registry', WorkerStatusChangedEvent],
  WorkerSlashedEvent: ['worker_registry', WorkerSlashedEvent],
  K8sAPIRequestScheduledEvent: ['k8s_scheduler', K8sAPIRequestScheduledEvent],
  K8sAPIResultEvent: ['k8s_scheduler', K8sAPIResultEvent],
} as const;

export type EventName = keyof typeof EVENT_LAYOUTS;

/** Object layouts the local chain stores and clients may read. */
export const StakeProof = bcs.struct('StakeProof', {
  id: bcs.Address,
  node_id: bcs.string(),
  owner: bcs.Address,
  stake_amount: bcs.u64(),
  staked_at: bcs.u64(),
});

export const MasterCap = bcs.struct('MasterCap', { id: bcs.Address });
