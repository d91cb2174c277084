/**
 * The worker lifecycle on the master (DESIGN.md "Worker states"): one table of allowed moves and one
 * function, `transition`, through which every status change passes.
 *
 *   pending → active ⇄ busy;  active|busy → offline;  offline → active;  any → slashed (final)
 *
 * Joining and leaving the pool are not status moves; `joined` / `left` describe them in the same
 * `Transition` shape (from or to `null`) so history and logging treat every change alike.
 */
import { DaasError } from '../../shared/errors.ts';

export const WORKER_STATUSES = ['pending', 'active', 'busy', 'offline', 'slashed'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

/** Where a change was decided: by the master itself, or read from a chain event. */
export type TransitionSource = 'master' | 'chain';

/** One change of a worker's place in the pool. `from: null` = joined, `to: null` = left. */
export interface Transition {
  nodeId: string;
  from: WorkerStatus | null;
  to: WorkerStatus | null;
  reason: string;
  at: number;
  source: TransitionSource;
  /** The chain transaction behind a chain-driven change. */
  txDigest?: string;
  /** Stake at joining, for the "added to pool" line. */
  stakeMist?: bigint;
}

/** Reasons the master uses; `formatTransition` prints them. */
export const REASONS = {
  registered: 'registered',
  reRegistered: 're-registered',
  authenticated: 'authenticated',
  heartbeat: 'heartbeat on its authenticated session',
  noHeartbeat: 'no heartbeat',
  deregistered: 'deregistered',
} as const;

const ALLOWED: Readonly<Record<WorkerStatus, readonly WorkerStatus[]>> = {
  pending: ['active', 'slashed'],
  active: ['busy', 'offline', 'slashed'],
  busy: ['active', 'offline', 'slashed'],
  offline: ['active', 'slashed'],
  slashed: [],
};

/** Thrown for a move the lifecycle forbids; `from` names the state the worker is in. */
export class IllegalTransitionError extends DaasError {
  constructor(
    readonly nodeId: string,
    readonly from: WorkerStatus,
    readonly to: WorkerStatus,
  ) {
    const why = from === 'slashed' ? ' (slashed is final)' : '';
    super('ILLEGAL_TRANSITION', `worker ${nodeId} is ${from}: cannot move to ${to}${why}`);
    this.name = 'IllegalTransitionError';
  }
}

export function isWorkerStatus(value: unknown): value is WorkerStatus {
  return typeof value === 'string' && (WORKER_STATUSES as readonly string[]).includes(value);
}

/** True when the lifecycle allows `from → to` (a different status). */
export function canTransition(from: WorkerStatus, to: WorkerStatus): boolean {
  return ALLOWED[from].includes(to);
}

/**
 * The change that moves `worker` to `to`, or null when it is already there.
 * @throws IllegalTransitionError when the move is not allowed.
 */
export function transition(
  worker: { nodeId: string; status: WorkerStatus },
  to: WorkerStatus,
  reason: string,
  at: number,
  origin: { source?: TransitionSource; txDigest?: string } = {},
): Transition | null {
  if (worker.status === to) return null;
  if (!canTransition(worker.status, to)) throw new IllegalTransitionError(worker.nodeId, worker.status, to);
  return {
    nodeId: worker.nodeId,
    from: worker.status,
    to,
    reason,
    at,
    source: origin.source ?? 'master',
    txDigest: origin.txDigest,
  };
}

/** A worker entering the pool (always as `pending`). */
export function joined(nodeId: string, stakeMist: bigint, at: number, txDigest?: string): Transition {
  return { nodeId, from: null, to: 'pending', reason: REASONS.registered, at, source: 'chain', txDigest, stakeMist };
}

/** A worker leaving the pool, from whatever status it had: removal is allowed from every state. */
export function left(
  worker: { nodeId: string; status: WorkerStatus },
  reason: string,
  at: number,
  txDigest?: string,
): Transition {
  return { nodeId: worker.nodeId, from: worker.status, to: null, reason, at, source: 'chain', txDigest };
}
