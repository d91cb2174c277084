/**
 * What each chain event does to the pool. Runs inside the store's page transaction, after the event
 * was recorded as applied, so every function here may assume it sees the event for the first time.
 *
 * Status from chain: the master is the one that calls `set_worker_status`, so the on-chain status
 * mirrors the master's own view, published with a delay. Applying a `WorkerStatusChanged` echo would
 * let a stale echo flip the live pool back (active → offline → [echo of active] → active). The echo is
 * therefore only kept in the history, with one exception: `slashed` is final wherever it is decided.
 */
import type {
  ChainEvent,
  SealKeyRotated,
  StakeDeposited,
  WorkerDeregistered,
  WorkerRegistered,
  WorkerSlashed,
  WorkerStatusChanged,
} from './chain-events.ts';
import type { RequestTable } from './requests.ts';
import { REASONS, joined, left, transition, type Transition } from './states.ts';
import type { PoolTables, Worker } from './tables.ts';

export interface ApplyContext {
  tables: PoolTables;
  requests: RequestTable;
  /** Master clock, for `updated_at`; history uses the event's own timestamp. */
  now: number;
}

/** The pool changes an event caused, or why it changed nothing (the event is still marked applied). */
export interface EventOutcome {
  transitions: Transition[];
  ignored?: string;
}

const NONE: EventOutcome = { transitions: [] };

/** Applies one not-yet-applied event. Throws only on a database error, which aborts the whole page. */
export function applyEvent(ctx: ApplyContext, e: ChainEvent): EventOutcome {
  switch (e.kind) {
    case 'WorkerRegistered':
      return registered(ctx, e);
    case 'StakeDeposited':
      return deposited(ctx, e);
    case 'SealKeyRotated':
      return rotated(ctx, e);
    case 'WorkerStatusChanged':
      return statusEcho(ctx, e);
    case 'WorkerSlashed':
      return slashed(ctx, e);
    case 'WorkerDeregistered':
      return deregistered(ctx, e);
    case 'K8sAPIRequestScheduled':
      return ctx.requests.insert(e) ? NONE : { transitions: [], ignored: `request ${e.requestId} already known` };
    case 'K8sAPIResult':
      return ctx.requests.finish(e) ? NONE : { transitions: [], ignored: `result for unknown request ${e.requestId}` };
  }
}

function registered({ tables, now }: ApplyContext, e: WorkerRegistered): EventOutcome {
  const transitions: Transition[] = [];
  // The contract refuses a second registration of a live node id, so an existing row means a missed
  // deregistration; the chain's newest registration wins, as a fresh worker.
  const existing = tables.getWorker(e.nodeId);
  if (existing && stale(existing, e)) return unknownWorker(e, existing);
  if (existing) {
    transitions.push(record(tables, left(existing, REASONS.reRegistered, e.timestamp, e.txDigest)));
    tables.deleteWorker(e.nodeId);
  }
  tables.insertWorker({ ...e, at: e.timestamp }, now);
  transitions.push(record(tables, joined(e.nodeId, e.stakeMist, e.timestamp, e.txDigest)));
  return { transitions };
}

function deposited(ctx: ApplyContext, e: StakeDeposited): EventOutcome {
  const w = ctx.tables.getWorker(e.nodeId);
  if (!w || stale(w, e)) return unknownWorker(e, w);
  if (isRegistrationDeposit(ctx.tables, e)) return NONE;
  ctx.tables.setStake(e.nodeId, w.stakeMist + e.amountMist, ctx.now);
  return NONE;
}

/**
 * `stake_and_register_worker` emits WorkerRegistered (with the full stake) and then StakeDeposited
 * for the same coins. That deposit is the first StakeDeposited for the node after its registration
 * in the same transaction; any later one in that transaction is an `add_stake` in the same PTB. The
 * lookup goes through applied_events, so it holds even when a page boundary splits the transaction.
 */
function isRegistrationDeposit(tables: PoolTables, e: StakeDeposited): boolean {
  const registration = tables.lastOfKindBefore(e.txDigest, e.nodeId, 'WorkerRegistered', e.eventIndex);
  if (registration === null) return false;
  const earlierDeposit = tables.lastOfKindBefore(e.txDigest, e.nodeId, 'StakeDeposited', e.eventIndex);
  return earlierDeposit === null || earlierDeposit < registration;
}

function rotated({ tables, now }: ApplyContext, e: SealKeyRotated): EventOutcome {
  const w = tables.getWorker(e.nodeId);
  if (!w || stale(w, e)) return unknownWorker(e, w);
  tables.setSealKey(e.nodeId, e.sealPubkey, now);
  return NONE;
}

function statusEcho(ctx: ApplyContext, e: WorkerStatusChanged): EventOutcome {
  const w = ctx.tables.getWorker(e.nodeId);
  if (!w || stale(w, e)) return unknownWorker(e, w);
  const { nodeId, oldStatus: from, newStatus: to, timestamp: at, txDigest } = e;
  ctx.tables.addHistory({ nodeId, from, to, reason: 'on-chain status', source: 'chain', txDigest, at });
  return e.newStatus === 'slashed' ? toSlashed(ctx, w, 'slashed on chain', e) : NONE;
}

function slashed(ctx: ApplyContext, e: WorkerSlashed): EventOutcome {
  const w = ctx.tables.getWorker(e.nodeId);
  if (!w || stale(w, e)) return unknownWorker(e, w);
  const remaining = w.stakeMist > e.amountMist ? w.stakeMist - e.amountMist : 0n;
  ctx.tables.setStake(e.nodeId, remaining, ctx.now);
  return toSlashed(ctx, w, e.reason || 'slashed on chain', e);
}

function deregistered({ tables }: ApplyContext, e: WorkerDeregistered): EventOutcome {
  const w = tables.getWorker(e.nodeId);
  if (!w || stale(w, e)) return unknownWorker(e, w);
  tables.deleteWorker(e.nodeId);
  return { transitions: [record(tables, left(w, REASONS.deregistered, e.timestamp, e.txDigest))] };
}

function toSlashed(
  { tables, now }: ApplyContext,
  w: Worker,
  reason: string,
  e: { timestamp: number; txDigest: string },
): EventOutcome {
  const t = transition(w, 'slashed', reason, e.timestamp, { source: 'chain', txDigest: e.txDigest });
  if (!t) return NONE;
  tables.setStatus(w.nodeId, 'slashed', e.timestamp, now);
  return { transitions: [record(tables, t)] };
}

function record(tables: PoolTables, t: Transition): Transition {
  tables.addHistory(t);
  return t;
}

function unknownWorker(e: { kind: string; nodeId: string }, w?: { registeredAt: number } | null): EventOutcome {
  if (w) return { transitions: [], ignored: `${e.kind} for ${e.nodeId} predates its current registration` };
  return { transitions: [], ignored: `${e.kind} for ${e.nodeId}, which is not in the pool` };
}

/**
 * An event older than the worker's registration belongs to an earlier registration of the same node
 * id: the digest fast path can apply a re-registration before the poller reaches the deregistration
 * that preceded it, and that deregistration must not remove the new worker.
 */
function stale(w: { registeredAt: number }, e: { timestamp: number }): boolean {
  return e.timestamp < w.registeredAt;
}
