/**
 * Mirror of `k8s_daas::k8s_scheduler` (contracts/README.md). Checks run in the README's order and
 * the state changes only after the last one. The registry is read through the same views the Move
 * module calls (`worker_registry::get_owner_workers`, `is_worker_active`, `is_worker_owner`).
 */
import {
  CLUSTER_SCOPED_RESOURCES,
  K8S_METHODS,
  K8S_RESOURCES,
  K8S_SCHEDULER,
  K8S_SCHEDULER_ABORTS,
  MAX_PRIORITY,
  MAX_REQUEST_ID_LENGTH,
  MIN_PRIORITY,
  type K8sSchedulerAbort,
} from '../../shared/chain/abi.ts';
import { arg, defineFunction, event, get, has, pure, put, result, utf8Length } from './support.ts';
import { MoveAbortError, type MoveFunction, type ParamKind, type RegistryState, type SchedulerState } from './types.ts';
import { isWorkerActive, isWorkerOwner, ownerWorkers } from './worker-registry.ts';

const M = K8S_SCHEDULER;
const SCHEDULER_MUT: ParamKind = { kind: 'shared', type: 'K8sScheduler', mutable: true };
const SCHEDULER: ParamKind = { kind: 'shared', type: 'K8sScheduler', mutable: false };
const REGISTRY: ParamKind = { kind: 'shared', type: 'WorkerRegistry', mutable: false };
const CLOCK: ParamKind = { kind: 'clock' };
const STRING = pure('string');
const U64 = pure('u64');

/** The seed gives every worker the same reputation until reputation is tracked on chain. */
export const REPUTATION = 100;
/** Priorities from this value up double the score (the seed's "high priority" boost). */
export const HIGH_PRIORITY = 8;

function abort(fn: string, name: K8sSchedulerAbort): never {
  throw new MoveAbortError(M, fn, K8S_SCHEDULER_ABORTS[name]);
}

/** The `EInvalidRequest` conditions; they share one code, so their relative order is unobservable. */
function isWellFormed(requestId: string, method: string, resource: string, priority: number): boolean {
  const idLength = utf8Length(requestId);
  return (
    idLength >= 1 &&
    idLength <= MAX_REQUEST_ID_LENGTH &&
    (K8S_METHODS as readonly string[]).includes(method) &&
    (K8S_RESOURCES as readonly string[]).includes(resource) &&
    priority >= MIN_PRIORITY &&
    priority <= MAX_PRIORITY
  );
}

/** Cluster-scoped resources may only be read by an owner. */
function isForbiddenWrite(method: string, resource: string): boolean {
  return (CLUSTER_SCOPED_RESOURCES as readonly string[]).includes(resource) && method !== 'GET';
}

/** Requests in flight on a worker; 0 when it never had one. */
function workload(sched: SchedulerState, nodeId: string): number {
  return get(sched.worker_workloads, nodeId) ?? 0;
}

/**
 * The seed's score, in u64 integer arithmetic: an idle worker scores reputation * 10, a loaded one
 * reputation / (workload + 1); priority >= 8 doubles it (for every candidate alike).
 */
export function selectionScore(load: number, priority: number): number {
  const score = load === 0 ? REPUTATION * 10 : Math.floor(REPUTATION / (load + 1));
  return priority >= HIGH_PRIORITY ? score * 2 : score;
}

/**
 * The seed's `select_owner_worker`: the sender's active workers in registration order; the first
 * one is kept unless a later one scores strictly higher. Undefined when none is active.
 */
export function selectOwnerWorker(
  reg: RegistryState,
  sched: SchedulerState,
  owner: string,
  priority: number,
): string | undefined {
  let best: string | undefined;
  let bestScore = 0;
  for (const nodeId of ownerWorkers(reg, owner)) {
    if (!isWorkerActive(reg, nodeId)) continue;
    const score = selectionScore(workload(sched, nodeId), priority);
    if (best === undefined || score > bestScore) {
      best = nodeId;
      bestScore = score;
    }
  }
  return best;
}

const submitK8sRequest = defineFunction(
  M,
  'submit_k8s_request',
  [SCHEDULER_MUT, REGISTRY, STRING, STRING, STRING, STRING, STRING, STRING, pure('u8'), CLOCK],
  [],
  (state, ctx, args, fn) => {
    const { registry, scheduler } = state;
    const [requestId, method, resource, namespace, name, payload] = [2, 3, 4, 5, 6, 7].map((i) => arg.string(args, i));
    const priority = arg.u8(args, 8);
    if (!isWellFormed(requestId, method, resource, priority)) abort(fn, 'EInvalidRequest');
    if (isForbiddenWrite(method, resource)) abort(fn, 'EUnauthorizedRequest');
    if (has(scheduler.requests, requestId)) abort(fn, 'ERequestExists');
    const worker = selectOwnerWorker(registry, scheduler, ctx.sender, priority) ?? abort(fn, 'ENoAvailableWorkers');
    // The seed's defensive re-checks; unreachable while selection only yields the sender's active workers.
    if (!isWorkerActive(registry, worker)) abort(fn, 'EWorkerNotActive');
    if (!isWorkerOwner(registry, worker, ctx.sender)) abort(fn, 'EUnauthorizedRequest');

    put(scheduler.requests, requestId, {
      request_id: requestId,
      method,
      resource,
      namespace,
      name,
      payload,
      requester: ctx.sender,
      priority,
      assigned_worker: worker,
      status: 'assigned',
      created_at: ctx.nowMs.toString(),
      completed_at: '0',
    });
    put(scheduler.worker_workloads, worker, workload(scheduler, worker) + 1);
    scheduler.total_requests += 1;
    return result([
      event('K8sAPIRequestScheduledEvent', {
        request_id: requestId,
        method,
        resource,
        namespace,
        name,
        payload,
        requester: ctx.sender,
        priority,
        assigned_worker: worker,
        timestamp: ctx.nowMs,
      }),
    ]);
  },
);

const recordApiResult = defineFunction(
  M,
  'record_api_result',
  [SCHEDULER_MUT, { kind: 'masterCap' }, STRING, pure('bool'), STRING, STRING, U64, CLOCK],
  [],
  (state, ctx, args, fn) => {
    const scheduler = state.scheduler;
    const requestId = arg.string(args, 2);
    const success = arg.bool(args, 3);
    const output = arg.string(args, 4);
    const error = arg.string(args, 5);
    const executionTimeMs = arg.u64(args, 6);
    const request = get(scheduler.requests, requestId);
    if (request === undefined || request.status !== 'assigned') abort(fn, 'EInvalidRequest');

    request.status = success ? 'completed' : 'failed';
    request.completed_at = ctx.nowMs.toString();
    decrementWorkload(scheduler, request.assigned_worker);
    // "completed" counts finished requests, failed ones included.
    scheduler.completed_requests += 1;
    return result([
      event('K8sAPIResultEvent', {
        request_id: requestId,
        assigned_worker: request.assigned_worker,
        success,
        output,
        error,
        execution_time_ms: executionTimeMs,
        timestamp: ctx.nowMs,
      }),
    ]);
  },
);

/** Saturating: never below 0, and no entry is created for a worker without one. */
function decrementWorkload(sched: SchedulerState, nodeId: string): void {
  const load = get(sched.worker_workloads, nodeId);
  if (load !== undefined && load > 0) put(sched.worker_workloads, nodeId, load - 1);
}

const VIEWS: MoveFunction[] = [
  defineFunction(M, 'get_worker_workload', [SCHEDULER, STRING], [U64], (state, _ctx, args) =>
    result([], [BigInt(workload(state.scheduler, arg.string(args, 1)))]),
  ),
  defineFunction(M, 'get_request_status', [SCHEDULER, STRING], [STRING], (state, _ctx, args) =>
    result([], [get(state.scheduler.requests, arg.string(args, 1))?.status ?? 'not_found']),
  ),
  // (total, completed)
  defineFunction(M, 'get_request_count', [SCHEDULER], [U64, U64], (state) =>
    result([], [BigInt(state.scheduler.total_requests), BigInt(state.scheduler.completed_requests)]),
  ),
];

export const K8S_SCHEDULER_FUNCTIONS: readonly MoveFunction[] = [submitK8sRequest, recordApiResult, ...VIEWS];
