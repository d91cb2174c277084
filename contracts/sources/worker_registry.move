/// Registry of the cluster's worker nodes. Anyone may join the cluster by staking SUI under a
/// Kubernetes node name; the master (holder of the `MasterCap`) drives each worker's status and
/// may slash a misbehaving one. Names, abort codes, event layouts and the order of checks are
/// mirrored by `shared/chain/abi.ts`, `shared/chain/events.ts` and the local chain: change all
/// three together (see contracts/README.md).
module k8s_daas::worker_registry;

use std::string::String;
use sui::balance::{Self, Balance};
use sui::clock::Clock;
use sui::coin::Coin;
use sui::event;
use sui::sui::SUI;
use sui::table::{Self, Table};

// === Abort codes (numbers are part of the ABI: clients map them to messages) ===

const EInsufficientStake: u64 = 1;
const EWorkerAlreadyExists: u64 = 2;
const EWorkerNotFound: u64 = 3;
const EInvalidSealToken: u64 = 4;
const EWorkerNotActive: u64 = 5;
const EUnauthorized: u64 = 6;
const EInvalidOperation: u64 = 7;
const EInvalidNodeId: u64 = 8;
const ETooManyWorkers: u64 = 9;

// === Limits ===

/// 1 SUI in MIST: enough that registering throwaway workers costs something.
const MIN_STAKE_AMOUNT: u64 = 1_000_000_000;
/// Bounds the owner's worker list, which the scheduler walks on every request.
const MAX_WORKERS_PER_ADDRESS: u64 = 10;
/// Seal keys are raw Ed25519 public keys.
const SEAL_PUBKEY_LENGTH: u64 = 32;
/// Node ids become Kubernetes node names, which are DNS labels (at most 63 characters).
const MAX_NODE_ID_LENGTH: u64 = 63;

// === Worker statuses (the strings clients see) ===

const STATUS_PENDING: vector<u8> = b"pending";
const STATUS_ACTIVE: vector<u8> = b"active";
const STATUS_BUSY: vector<u8> = b"busy";
const STATUS_OFFLINE: vector<u8> = b"offline";
const STATUS_SLASHED: vector<u8> = b"slashed";

// === Objects ===

/// The one shared registry. Counters are kept alongside the table so that pool statistics are
/// O(1) reads instead of a walk over every worker.
public struct WorkerRegistry has key {
    id: UID,
    workers: Table<String, Worker>,
    owner_workers: Table<address, vector<String>>,
    total_workers: u64,
    active_workers: u64,
    total_stake: u64,
    slashed: Balance<SUI>,
}

/// A registered worker. The stake lives inside the worker so that unstaking returns exactly what
/// is left after any slash.
public struct Worker has store {
    node_id: String,
    owner: address,
    stake: Balance<SUI>,
    seal_pubkey: vector<u8>,
    status: String,
    registered_at: u64,
    updated_at: u64,
}

/// Authority of the cluster master: status changes, slashing and recording request results.
public struct MasterCap has key, store { id: UID }

/// Receipt for a registration; handing it back (with the owner's signature) unstakes the worker.
public struct StakeProof has key, store {
    id: UID,
    node_id: String,
    owner: address,
    stake_amount: u64,
    staked_at: u64,
}

// === Events (field order is the BCS layout in shared/chain/events.ts) ===

public struct WorkerRegisteredEvent has copy, drop {
    node_id: String,
    owner: address,
    stake_amount: u64,
    seal_pubkey: vector<u8>,
    timestamp: u64,
}

public struct StakeDepositedEvent has copy, drop {
    node_id: String,
    owner: address,
    amount: u64,
    timestamp: u64,
}

public struct SealKeyRotatedEvent has copy, drop {
    node_id: String,
    seal_pubkey: vector<u8>,
    timestamp: u64,
}

public struct WorkerDeregisteredEvent has copy, drop {
    node_id: String,
    owner: address,
    returned_amount: u64,
    timestamp: u64,
}

public struct WorkerStatusChangedEvent has copy, drop {
    node_id: String,
    old_status: String,
    new_status: String,
    timestamp: u64,
}

public struct WorkerSlashedEvent has copy, drop {
    node_id: String,
    amount: u64,
    reason: String,
    timestamp: u64,
}

fun init(ctx: &mut TxContext) {
    transfer::transfer(MasterCap { id: object::new(ctx) }, ctx.sender());
    transfer::share_object(WorkerRegistry {
        id: object::new(ctx),
        workers: table::new(ctx),
        owner_workers: table::new(ctx),
        total_workers: 0,
        active_workers: 0,
        total_stake: 0,
        slashed: balance::zero(),
    });
}

// === Owner operations ===

/// Registers the sender's worker with the whole `payment` as its stake. The worker starts
/// `pending`: only the master makes it `active` once its node has joined the cluster.
/// The `StakeProof` goes straight to the sender (the ABI every client relies on) rather than
/// being returned, so one call is a complete registration.
#[allow(lint(self_transfer))]
public fun stake_and_register_worker(
    registry: &mut WorkerRegistry,
    payment: Coin<SUI>,
    node_id: String,
    seal_pubkey: vector<u8>,
    clock: &Clock,
    ctx: &mut TxContext,
) {
    assert!(is_valid_node_id(&node_id), EInvalidNodeId);
    assert!(seal_pubkey.length() == SEAL_PUBKEY_LENGTH, EInvalidSealToken);
    let amount = payment.value();
    assert!(amount >= MIN_STAKE_AMOUNT, EInsufficientStake);
    assert!(!registry.workers.contains(node_id), EWorkerAlreadyExists);
    let owner = ctx.sender();
    assert!(get_owner_workers(registry, owner).length() < MAX_WORKERS_PER_ADDRESS, ETooManyWorkers);

    if (!registry.owner_workers.contains(owner)) registry.owner_workers.add(owner, vector[]);
    registry.owner_workers[owner].push_back(node_id);

    let now = clock.timestamp_ms();
    let stake = payment.into_balance();
    let status = STATUS_PENDING.to_string();
    let worker = Worker {
        node_id,
        owner,
        stake,
        seal_pubkey,
        status,
        registered_at: now,
        updated_at: now,
    };
    registry.workers.add(node_id, worker);
    registry.total_workers = registry.total_workers + 1;
    registry.total_stake = registry.total_stake + amount;

    event::emit(WorkerRegisteredEvent {
        node_id,
        owner,
        stake_amount: amount,
        seal_pubkey,
        timestamp: now,
    });
    event::emit(StakeDepositedEvent { node_id, owner, amount, timestamp: now });
    transfer::transfer(
        StakeProof { id: object::new(ctx), node_id, owner, stake_amount: amount, staked_at: now },
        owner,
    );
}

/// Tops up a worker's stake (e.g. after a partial slash). A slashed worker can only leave.
public fun add_stake(
    registry: &mut WorkerRegistry,
    node_id: String,
    payment: Coin<SUI>,
    clock: &Clock,
    ctx: &mut TxContext,
) {
    let worker = owned_worker_mut(registry, node_id, ctx);
    assert!(!worker.has_status(STATUS_SLASHED), EInvalidOperation);
    let amount = payment.value();
    assert!(amount > 0, EInsufficientStake);
    let now = clock.timestamp_ms();
    worker.stake.join(payment.into_balance());
    worker.updated_at = now;
    let owner = worker.owner;
    registry.total_stake = registry.total_stake + amount;
    event::emit(StakeDepositedEvent { node_id, owner, amount, timestamp: now });
}

/// Replaces the key that secrets for this worker are sealed to.
public fun rotate_seal_key(
    registry: &mut WorkerRegistry,
    node_id: String,
    new_pubkey: vector<u8>,
    clock: &Clock,
    ctx: &mut TxContext,
) {
    let worker = owned_worker_mut(registry, node_id, ctx);
    assert!(new_pubkey.length() == SEAL_PUBKEY_LENGTH, EInvalidSealToken);
    assert!(!worker.has_status(STATUS_SLASHED), EInvalidOperation);
    let now = clock.timestamp_ms();
    worker.seal_pubkey = new_pubkey;
    worker.updated_at = now;
    event::emit(SealKeyRotatedEvent { node_id, seal_pubkey: new_pubkey, timestamp: now });
}

/// Removes the worker and returns what is left of its stake. Refused while the worker is `busy`
/// so that a worker cannot walk away from work it has been given.
public fun unstake(
    registry: &mut WorkerRegistry,
    proof: StakeProof,
    clock: &Clock,
    ctx: &mut TxContext,
): Coin<SUI> {
    let StakeProof { id, node_id, .. } = proof;
    let worker = owned_worker_mut(registry, node_id, ctx);
    assert!(!worker.has_status(STATUS_BUSY), EInvalidOperation);
    id.delete();

    let Worker { owner, stake, status, .. } = registry.workers.remove(node_id);
    let owned = &mut registry.owner_workers[owner];
    let (_, i) = owned.index_of(&node_id);
    owned.remove(i);
    // Drop the empty list so a departed owner leaves no storage behind.
    if (owned.is_empty()) registry.owner_workers.remove(owner).destroy_empty();

    let returned_amount = stake.value();
    registry.total_workers = registry.total_workers - 1;
    registry.total_stake = registry.total_stake - returned_amount;
    if (*status.as_bytes() == STATUS_ACTIVE) registry.active_workers = registry.active_workers - 1;
    event::emit(WorkerDeregisteredEvent {
        node_id,
        owner,
        returned_amount,
        timestamp: clock.timestamp_ms(),
    });
    stake.into_coin(ctx)
}

// === Master operations ===

/// Sets a worker's status. `slashed` is reachable only through `slash_worker` (which moves the
/// stake), and is final. A worker can only become `busy` from `active` (or stay `busy`). Setting
/// the same status again is allowed and still emits, so the master can re-announce a state.
public fun set_worker_status(
    registry: &mut WorkerRegistry,
    _: &MasterCap,
    node_id: String,
    status: String,
    clock: &Clock,
) {
    assert!(registry.workers.contains(node_id), EWorkerNotFound);
    let new = *status.as_bytes();
    assert!(
        new == STATUS_PENDING || new == STATUS_ACTIVE || new == STATUS_BUSY || new == STATUS_OFFLINE,
        EInvalidOperation,
    );
    let worker = &mut registry.workers[node_id];
    let old = *worker.status.as_bytes();
    assert!(old != STATUS_SLASHED, EInvalidOperation);
    assert!(new != STATUS_BUSY || old == STATUS_ACTIVE || old == STATUS_BUSY, EWorkerNotActive);

    let now = clock.timestamp_ms();
    let old_status = worker.status;
    worker.status = status;
    worker.updated_at = now;
    if (old == STATUS_ACTIVE && new != STATUS_ACTIVE) {
        registry.active_workers = registry.active_workers - 1;
    } else if (old != STATUS_ACTIVE && new == STATUS_ACTIVE) {
        registry.active_workers = registry.active_workers + 1;
    };
    event::emit(WorkerStatusChangedEvent {
        node_id,
        old_status,
        new_status: status,
        timestamp: now,
    });
}

/// Takes up to `amount` of the worker's stake into the registry and marks it `slashed` for good.
/// Taking `min(amount, stake)` rather than aborting lets the master slash without first reading
/// the current stake.
public fun slash_worker(
    registry: &mut WorkerRegistry,
    _: &MasterCap,
    node_id: String,
    amount: u64,
    reason: String,
    clock: &Clock,
    _ctx: &mut TxContext,
) {
    assert!(registry.workers.contains(node_id), EWorkerNotFound);
    let worker = &mut registry.workers[node_id];
    assert!(!worker.has_status(STATUS_SLASHED), EInvalidOperation);
    assert!(amount > 0, EInvalidOperation);

    let now = clock.timestamp_ms();
    let taken = amount.min(worker.stake.value());
    let was_active = worker.has_status(STATUS_ACTIVE);
    registry.slashed.join(worker.stake.split(taken));
    worker.status = STATUS_SLASHED.to_string();
    worker.updated_at = now;
    registry.total_stake = registry.total_stake - taken;
    if (was_active) registry.active_workers = registry.active_workers - 1;
    event::emit(WorkerSlashedEvent { node_id, amount: taken, reason, timestamp: now });
}

/// Hands everything slashing has collected to the MasterCap holder (to compensate the people a
/// worker failed, or to fund a treasury); without it slashed SUI would stay locked in the registry.
public fun withdraw_slashed(
    registry: &mut WorkerRegistry,
    _: &MasterCap,
    ctx: &mut TxContext,
): Coin<SUI> {
    registry.slashed.withdraw_all().into_coin(ctx)
}

// === Views ===

public fun worker_exists(registry: &WorkerRegistry, node_id: String): bool {
    registry.workers.contains(node_id)
}

/// False for an unknown worker, so callers need no separate existence check.
public fun is_worker_owner(registry: &WorkerRegistry, node_id: String, owner: address): bool {
    registry.workers.contains(node_id) && registry.workers[node_id].owner == owner
}

/// False for an unknown worker, so callers need no separate existence check.
public fun is_worker_active(registry: &WorkerRegistry, node_id: String): bool {
    registry.workers.contains(node_id) && registry.workers[node_id].has_status(STATUS_ACTIVE)
}

/// The owner's node ids in registration order (a copy; empty for an unknown owner).
public fun get_owner_workers(registry: &WorkerRegistry, owner: address): vector<String> {
    if (registry.owner_workers.contains(owner)) registry.owner_workers[owner]
    else vector[]
}

public fun get_worker_stake(registry: &WorkerRegistry, node_id: String): u64 {
    worker(registry, node_id).stake.value()
}

public fun get_worker_status(registry: &WorkerRegistry, node_id: String): String {
    worker(registry, node_id).status
}

/// (owner, stake, seal_pubkey, status, registered_at)
public fun get_worker_info(
    registry: &WorkerRegistry,
    node_id: String,
): (address, u64, vector<u8>, String, u64) {
    let w = worker(registry, node_id);
    (w.owner, w.stake.value(), w.seal_pubkey, w.status, w.registered_at)
}

/// (total workers, active workers, total stake)
public fun get_pool_stats(registry: &WorkerRegistry): (u64, u64, u64) {
    (registry.total_workers, registry.active_workers, registry.total_stake)
}

// === Internal ===

fun has_status(worker: &Worker, status: vector<u8>): bool {
    *worker.status.as_bytes() == status
}

fun worker(registry: &WorkerRegistry, node_id: String): &Worker {
    assert!(registry.workers.contains(node_id), EWorkerNotFound);
    &registry.workers[node_id]
}

/// The worker, after checking that it exists and that the sender owns it (in that order).
fun owned_worker_mut(registry: &mut WorkerRegistry, node_id: String, ctx: &TxContext): &mut Worker {
    assert!(registry.workers.contains(node_id), EWorkerNotFound);
    let worker = &mut registry.workers[node_id];
    assert!(worker.owner == ctx.sender(), EUnauthorized);
    worker
}

/// A Kubernetes node name: 1-63 of [a-z0-9-], alphanumeric at both ends.
fun is_valid_node_id(node_id: &String): bool {
    let bytes = node_id.as_bytes();
    let len = bytes.length();
    len > 0 && len <= MAX_NODE_ID_LENGTH
        && is_lower_alnum(bytes[0]) && is_lower_alnum(bytes[len - 1])
        && bytes.all!(|b| is_lower_alnum(*b) || *b == 0x2d /* '-' */)
}

fun is_lower_alnum(b: u8): bool {
    (b >= 0x61 && b <= 0x7a) /* a-z */ || (b >= 0x30 && b <= 0x39) /* 0-9 */
}

// === Test helpers ===

#[test_only]
public fun init_for_testing(ctx: &mut TxContext) {
    init(ctx)
}

/// What slashing has collected so far.
#[test_only]
public fun slashed_for_testing(registry: &WorkerRegistry): u64 {
    registry.slashed.value()
}
