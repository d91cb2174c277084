/// Routes a worker owner's Kubernetes API requests to one of that owner's own active workers.
/// The request is recorded on chain and announced by an event that the chosen worker's agent
/// executes; the master records the outcome. Names, abort codes, event layouts and the order of
/// checks are mirrored by `shared/chain/abi.ts`, `shared/chain/events.ts` and the local chain:
/// change all three together (see contracts/README.md).
module k8s_daas::k8s_scheduler;

use k8s_daas::worker_registry::{MasterCap, WorkerRegistry};
use std::string::String;
use sui::clock::Clock;
use sui::event;
use sui::table::{Self, Table};

// === Abort codes (numbers are part of the ABI: clients map them to messages) ===

const ENoAvailableWorkers: u64 = 1;
const EInvalidRequest: u64 = 2;
const EWorkerNotActive: u64 = 3;
const EUnauthorizedRequest: u64 = 4;
const ERequestExists: u64 = 5;

// === Limits ===

/// Request ids are client-chosen keys; bounded so a table key stays small.
const MAX_REQUEST_ID_LENGTH: u64 = 128;
const MIN_PRIORITY: u8 = 1;
const MAX_PRIORITY: u8 = 10;
/// From this priority on a candidate's score is doubled (the seed's rule).
const HIGH_PRIORITY: u8 = 8;
/// Every worker has the same reputation until reputation is tracked; kept so the score has the
/// seed's shape.
const BASE_REPUTATION: u64 = 100;

// === Request statuses (the strings clients see) ===

const STATUS_ASSIGNED: vector<u8> = b"assigned";
const STATUS_COMPLETED: vector<u8> = b"completed";
const STATUS_FAILED: vector<u8> = b"failed";
const STATUS_NOT_FOUND: vector<u8> = b"not_found";

// === Objects ===

/// The one shared scheduler. Requests are never removed, so an id can never be reused.
public struct K8sScheduler has key {
    id: UID,
    requests: Table<String, Request>,
    worker_workloads: Table<String, u64>,
    total_requests: u64,
    completed_requests: u64,
}

public struct Request has store {
    request_id: String,
    method: String,
    resource: String,
    namespace: String,
    name: String,
    payload: String,
    requester: address,
    priority: u8,
    assigned_worker: String,
    status: String,
    created_at: u64,
    completed_at: u64,
}

// === Events (field order is the BCS layout in shared/chain/events.ts) ===

public struct K8sAPIRequestScheduledEvent has copy, drop {
    request_id: String,
    method: String,
    resource: String,
    namespace: String,
    name: String,
    payload: String,
    requester: address,
    priority: u8,
    assigned_worker: String,
    timestamp: u64,
}

public struct K8sAPIResultEvent has copy, drop {
    request_id: String,
    assigned_worker: String,
    success: bool,
    output: String,
    error: String,
    execution_time_ms: u64,
    timestamp: u64,
}

fun init(ctx: &mut TxContext) {
    transfer::share_object(K8sScheduler {
        id: object::new(ctx),
        requests: table::new(ctx),
        worker_workloads: table::new(ctx),
        total_requests: 0,
        completed_requests: 0,
    });
}

/// Schedules a Kubernetes API request on one of the sender's own active workers. The sender's
/// signature is the authorization: an owner can only reach the cluster through workers it staked
/// for, and cluster-scoped resources are read-only for everyone.
public fun submit_k8s_request(
    scheduler: &mut K8sScheduler,
    registry: &WorkerRegistry,
    request_id: String,
    method: String,
    resource: String,
    namespace: String,
    name: String,
    payload: String,
    priority: u8,
    clock: &Clock,
    ctx: &mut TxContext,
) {
    let id_len = request_id.length();
    assert!(
        id_len > 0 && id_len <= MAX_REQUEST_ID_LENGTH
            && is_valid_method(&method) && is_valid_resource(&resource)
            && priority >= MIN_PRIORITY && priority <= MAX_PRIORITY,
        EInvalidRequest,
    );
    assert!(!is_cluster_scoped(&resource) || method.as_bytes() == &b"GET", EUnauthorizedRequest);
    assert!(!scheduler.requests.contains(request_id), ERequestExists);

    let requester = ctx.sender();
    let selected = select_owner_worker(scheduler, registry, requester, priority);
    assert!(selected.is_some(), ENoAvailableWorkers);
    let assigned_worker = selected.destroy_some();
    // The seed's defensive re-checks; the selection above already guarantees both.
    assert!(registry.is_worker_active(assigned_worker), EWorkerNotActive);
    assert!(registry.is_worker_owner(assigned_worker, requester), EUnauthorizedRequest);

    let now = clock.timestamp_ms();
    let request = Request {
        request_id,
        method,
        resource,
        namespace,
        name,
        payload,
        requester,
        priority,
        assigned_worker,
        status: STATUS_ASSIGNED.to_string(),
        created_at: now,
        completed_at: 0,
    };
    scheduler.requests.add(request_id, request);
    if (scheduler.worker_workloads.contains(assigned_worker)) {
        let load = &mut scheduler.worker_workloads[assigned_worker];
        *load = *load + 1;
    } else {
        scheduler.worker_workloads.add(assigned_worker, 1);
    };
    scheduler.total_requests = scheduler.total_requests + 1;

    event::emit(K8sAPIRequestScheduledEvent {
        request_id,
        method,
        resource,
        namespace,
        name,
        payload,
        requester,
        priority,
        assigned_worker,
        timestamp: now,
    });
}

/// Records the outcome the worker reported. Only an `assigned` request can be completed, so a
/// result is recorded at most once.
public fun record_api_result(
    scheduler: &mut K8sScheduler,
    _: &MasterCap,
    request_id: String,
    success: bool,
    output: String,
    error: String,
    execution_time_ms: u64,
    clock: &Clock,
) {
    assert!(scheduler.requests.contains(request_id), EInvalidRequest);
    let request = &mut scheduler.requests[request_id];
    assert!(*request.status.as_bytes() == STATUS_ASSIGNED, EInvalidRequest);

    let now = clock.timestamp_ms();
    request.status = (if (success) STATUS_COMPLETED else STATUS_FAILED).to_string();
    request.completed_at = now;
    let assigned_worker = request.assigned_worker;
    if (scheduler.worker_workloads.contains(assigned_worker)) {
        let load = &mut scheduler.worker_workloads[assigned_worker];
        if (*load > 0) *load = *load - 1;
    };
    scheduler.completed_requests = scheduler.completed_requests + 1;

    event::emit(K8sAPIResultEvent {
        request_id,
        assigned_worker,
        success,
        output,
        error,
        execution_time_ms,
        timestamp: now,
    });
}

// === Views ===

/// Requests in flight on the worker (0 for a worker that never had one).
public fun get_worker_workload(scheduler: &K8sScheduler, node_id: String): u64 {
    if (scheduler.worker_workloads.contains(node_id)) scheduler.worker_workloads[node_id] else 0
}

/// "assigned", "completed", "failed", or "not_found" for an unknown id (never aborts).
public fun get_request_status(scheduler: &K8sScheduler, request_id: String): String {
    if (scheduler.requests.contains(request_id)) scheduler.requests[request_id].status
    else STATUS_NOT_FOUND.to_string()
}

/// (total requests, completed requests)
public fun get_request_count(scheduler: &K8sScheduler): (u64, u64) {
    (scheduler.total_requests, scheduler.completed_requests)
}

// === Internal ===

/// The seed's `select_owner_worker`: among the owner's active workers, in registration order,
/// the one with the highest score; the first one wins a tie, so an idle fleet fills up in order.
fun select_owner_worker(
    scheduler: &K8sScheduler,
    registry: &WorkerRegistry,
    owner: address,
    priority: u8,
): Option<String> {
    let mut best = option::none();
    let mut best_score = 0;
    registry.get_owner_workers(owner).do!(|node_id| {
        if (registry.is_worker_active(node_id)) {
            let workload = scheduler.get_worker_workload(node_id);
            let mut score = if (workload == 0) BASE_REPUTATION * 10
            else BASE_REPUTATION / (workload + 1);
            if (priority >= HIGH_PRIORITY) score = score * 2;
            if (best.is_none() || score > best_score) {
                best = option::some(node_id);
                best_score = score;
            }
        }
    });
    best
}

fun is_valid_method(method: &String): bool {
    let m = method.as_bytes();
    m == &b"GET" || m == &b"POST" || m == &b"PUT" || m == &b"PATCH" || m == &b"DELETE"
}

fun is_valid_resource(resource: &String): bool {
    let r = resource.as_bytes();
    r == &b"pods" || r == &b"services" || r == &b"deployments" || r == &b"configmaps"
        || r == &b"secrets" || is_cluster_scoped(resource)
}

/// Resources outside any namespace: an owner may read them but never change the cluster itself.
fun is_cluster_scoped(resource: &String): bool {
    let r = resource.as_bytes();
    r == &b"namespaces" || r == &b"nodes"
}

// === Test helpers ===

#[test_only]
public fun init_for_testing(ctx: &mut TxContext) {
    init(ctx)
}
