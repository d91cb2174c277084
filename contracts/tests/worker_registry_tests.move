#[test_only]
module k8s_daas::worker_registry_tests;

use k8s_daas::worker_registry::{Self, MasterCap, StakeProof, WorkerRegistry};
use sui::clock::{Self, Clock};
use sui::coin;
use sui::sui::SUI;
use sui::test_scenario::{Self as ts, Scenario};

const ADMIN: address = @0xAD;
const ALICE: address = @0xA11CE;
const BOB: address = @0xB0B;
const ONE_SUI: u64 = 1_000_000_000;
const T0: u64 = 1_700_000_000_000;

// === Harness: every helper runs its call in a fresh transaction of the given sender ===

/// Publishes the package as ADMIN and returns a clock at T0.
fun start(): (Scenario, Clock) {
    let mut s = ts::begin(ADMIN);
    worker_registry::init_for_testing(s.ctx());
    let mut clock = clock::create_for_testing(s.ctx());
    clock.set_for_testing(T0);
    s.next_tx(ADMIN);
    (s, clock)
}

fun finish(s: Scenario, clock: Clock) {
    clock.destroy_for_testing();
    s.end();
}

fun key(): vector<u8> { vector::tabulate!(32, |i| (i as u8)) }

fun register_with(
    s: &mut Scenario,
    clock: &Clock,
    owner: address,
    node_id: vector<u8>,
    seal_pubkey: vector<u8>,
    amount: u64,
) {
    s.next_tx(owner);
    let mut registry = s.take_shared<WorkerRegistry>();
    let payment = coin::mint_for_testing<SUI>(amount, s.ctx());
    registry.stake_and_register_worker(payment, node_id.to_string(), seal_pubkey, clock, s.ctx());
    ts::return_shared(registry);
}

fun register(s: &mut Scenario, clock: &Clock, owner: address, node_id: vector<u8>) {
    register_with(s, clock, owner, node_id, key(), ONE_SUI);
}

fun add_stake(s: &mut Scenario, clock: &Clock, sender: address, node_id: vector<u8>, amount: u64) {
    s.next_tx(sender);
    let mut registry = s.take_shared<WorkerRegistry>();
    let payment = coin::mint_for_testing<SUI>(amount, s.ctx());
    registry.add_stake(node_id.to_string(), payment, clock, s.ctx());
    ts::return_shared(registry);
}

fun rotate(
    s: &mut Scenario,
    clock: &Clock,
    sender: address,
    node_id: vector<u8>,
    pubkey: vector<u8>,
) {
    s.next_tx(sender);
    let mut registry = s.take_shared<WorkerRegistry>();
    registry.rotate_seal_key(node_id.to_string(), pubkey, clock, s.ctx());
    ts::return_shared(registry);
}

/// `sender` hands in the most recent StakeProof it holds; returns the coin's value.
fun unstake(s: &mut Scenario, clock: &Clock, sender: address): u64 {
    s.next_tx(sender);
    let mut registry = s.take_shared<WorkerRegistry>();
    let proof = s.take_from_sender<StakeProof>();
    let coin = registry.unstake(proof, clock, s.ctx());
    ts::return_shared(registry);
    coin.burn_for_testing()
}

fun set_status(s: &mut Scenario, clock: &Clock, node_id: vector<u8>, status: vector<u8>) {
    s.next_tx(ADMIN);
    let mut registry = s.take_shared<WorkerRegistry>();
    let cap = s.take_from_sender<MasterCap>();
    registry.set_worker_status(&cap, node_id.to_string(), status.to_string(), clock);
    s.return_to_sender(cap);
    ts::return_shared(registry);
}

fun slash(s: &mut Scenario, clock: &Clock, node_id: vector<u8>, amount: u64) {
    s.next_tx(ADMIN);
    let mut registry = s.take_shared<WorkerRegistry>();
    let cap = s.take_from_sender<MasterCap>();
    registry.slash_worker(
        &cap,
        node_id.to_string(),
        amount,
        b"misbehaved".to_string(),
        clock,
        s.ctx(),
    );
    s.return_to_sender(cap);
    ts::return_shared(registry);
}

/// Ends the current transaction and returns how many events it emitted.
fun events_of_last_tx(s: &mut Scenario): u64 {
    s.next_tx(ADMIN).num_user_events()
}

fun check_stats(s: &mut Scenario, total: u64, active: u64, stake: u64) {
    s.next_tx(ADMIN);
    let registry = s.take_shared<WorkerRegistry>();
    let (t, a, st) = registry.get_pool_stats();
    assert!(t == total && a == active && st == stake);
    ts::return_shared(registry);
}

fun status_of(s: &mut Scenario, node_id: vector<u8>): vector<u8> {
    s.next_tx(ADMIN);
    let registry = s.take_shared<WorkerRegistry>();
    let status = registry.get_worker_status(node_id.to_string());
    ts::return_shared(registry);
    status.into_bytes()
}

fun stake_of(s: &mut Scenario, node_id: vector<u8>): u64 {
    s.next_tx(ADMIN);
    let registry = s.take_shared<WorkerRegistry>();
    let stake = registry.get_worker_stake(node_id.to_string());
    ts::return_shared(registry);
    stake
}

// === Success paths ===

#[test]
fun init_gives_master_cap_to_publisher_and_shares_empty_registry() {
    let (mut s, clock) = start();
    assert!(s.has_most_recent_for_sender<MasterCap>());
    check_stats(&mut s, 0, 0, 0);
    finish(s, clock);
}

#[test]
fun register_stores_pending_worker_and_sends_proof() {
    let (mut s, clock) = start();
    register_with(&mut s, &clock, ALICE, b"node-1", key(), 3 * ONE_SUI);
    assert!(events_of_last_tx(&mut s) == 2);
    assert!(ts::has_most_recent_for_address<StakeProof>(ALICE));
    let registry = s.take_shared<WorkerRegistry>();
    let id = b"node-1".to_string();
    let (owner, stake, pubkey, status, registered_at) = registry.get_worker_info(id);
    assert!(owner == ALICE && stake == 3 * ONE_SUI && pubkey == key());
    assert!(status == b"pending".to_string() && registered_at == T0);
    assert!(registry.worker_exists(id) && registry.is_worker_owner(id, ALICE));
    assert!(!registry.is_worker_owner(id, BOB) && !registry.is_worker_active(id));
    assert!(registry.get_owner_workers(ALICE) == vector[id]);
    let (total, active, stake) = registry.get_pool_stats();
    assert!(total == 1 && active == 0 && stake == 3 * ONE_SUI);
    ts::return_shared(registry);
    finish(s, clock);
}

#[test]
fun node_id_edge_cases_are_accepted() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"a");
    register(&mut s, &clock, ALICE, b"0-z");
    register(&mut s, &clock, ALICE, vector::tabulate!(63, |_| 0x61));
    check_stats(&mut s, 3, 0, 3 * ONE_SUI);
    finish(s, clock);
}

#[test]
fun owner_may_hold_exactly_max_workers() {
    let (mut s, clock) = start();
    10u8.do!(|i| register(&mut s, &clock, ALICE, vector[0x61 + i]));
    s.next_tx(ALICE);
    let registry = s.take_shared<WorkerRegistry>();
    assert!(registry.get_owner_workers(ALICE).length() == 10);
    ts::return_shared(registry);
    finish(s, clock);
}

#[test]
fun add_stake_tops_up_stake_and_totals() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    add_stake(&mut s, &clock, ALICE, b"node-1", 5);
    assert!(events_of_last_tx(&mut s) == 1);
    assert!(stake_of(&mut s, b"node-1") == ONE_SUI + 5);
    check_stats(&mut s, 1, 0, ONE_SUI + 5);
    finish(s, clock);
}

#[test]
fun rotate_seal_key_replaces_key() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    let new_key = vector::tabulate!(32, |_| 7u8);
    rotate(&mut s, &clock, ALICE, b"node-1", new_key);
    assert!(events_of_last_tx(&mut s) == 1);
    let registry = s.take_shared<WorkerRegistry>();
    let (_, _, pubkey, _, _) = registry.get_worker_info(b"node-1".to_string());
    assert!(pubkey == new_key);
    ts::return_shared(registry);
    finish(s, clock);
}

#[test]
fun unstake_returns_whole_stake_and_removes_worker() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    register(&mut s, &clock, ALICE, b"node-2");
    add_stake(&mut s, &clock, ALICE, b"node-2", ONE_SUI);
    set_status(&mut s, &clock, b"node-2", b"active");
    // The most recent proof is node-2's.
    assert!(unstake(&mut s, &clock, ALICE) == 2 * ONE_SUI);
    assert!(events_of_last_tx(&mut s) == 1);
    let registry = s.take_shared<WorkerRegistry>();
    assert!(!registry.worker_exists(b"node-2".to_string()));
    assert!(registry.get_owner_workers(ALICE) == vector[b"node-1".to_string()]);
    let (total, active, stake) = registry.get_pool_stats();
    assert!(total == 1 && active == 0 && stake == ONE_SUI);
    ts::return_shared(registry);
    assert!(unstake(&mut s, &clock, ALICE) == ONE_SUI);
    s.next_tx(ALICE);
    assert!(!s.has_most_recent_for_sender<StakeProof>());
    check_stats(&mut s, 0, 0, 0);
    s.next_tx(ALICE);
    let registry = s.take_shared<WorkerRegistry>();
    assert!(registry.get_owner_workers(ALICE).is_empty());
    ts::return_shared(registry);
    // The id is free again.
    register(&mut s, &clock, BOB, b"node-1");
    finish(s, clock);
}

#[test]
fun set_worker_status_keeps_active_count() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    register(&mut s, &clock, ALICE, b"node-2");
    set_status(&mut s, &clock, b"node-1", b"active");
    assert!(events_of_last_tx(&mut s) == 1);
    check_stats(&mut s, 2, 1, 2 * ONE_SUI);
    set_status(&mut s, &clock, b"node-1", b"active"); // same status: allowed, still emits
    assert!(events_of_last_tx(&mut s) == 1);
    check_stats(&mut s, 2, 1, 2 * ONE_SUI);
    set_status(&mut s, &clock, b"node-2", b"active");
    check_stats(&mut s, 2, 2, 2 * ONE_SUI);
    set_status(&mut s, &clock, b"node-1", b"busy");
    check_stats(&mut s, 2, 1, 2 * ONE_SUI);
    assert!(status_of(&mut s, b"node-1") == b"busy");
    set_status(&mut s, &clock, b"node-1", b"busy");
    set_status(&mut s, &clock, b"node-1", b"active");
    check_stats(&mut s, 2, 2, 2 * ONE_SUI);
    set_status(&mut s, &clock, b"node-2", b"offline");
    check_stats(&mut s, 2, 1, 2 * ONE_SUI);
    set_status(&mut s, &clock, b"node-2", b"pending");
    check_stats(&mut s, 2, 1, 2 * ONE_SUI);
    assert!(status_of(&mut s, b"node-2") == b"pending");
    finish(s, clock);
}

#[test]
fun slash_takes_min_of_amount_and_stake() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    register(&mut s, &clock, ALICE, b"node-2");
    set_status(&mut s, &clock, b"node-1", b"active");
    slash(&mut s, &clock, b"node-1", ONE_SUI / 4);
    assert!(events_of_last_tx(&mut s) == 1);
    assert!(stake_of(&mut s, b"node-1") == ONE_SUI - ONE_SUI / 4);
    assert!(status_of(&mut s, b"node-1") == b"slashed");
    check_stats(&mut s, 2, 0, 2 * ONE_SUI - ONE_SUI / 4);
    slash(&mut s, &clock, b"node-2", 10 * ONE_SUI);
    assert!(stake_of(&mut s, b"node-2") == 0);
    check_stats(&mut s, 2, 0, ONE_SUI - ONE_SUI / 4);
    s.next_tx(ADMIN);
    let registry = s.take_shared<WorkerRegistry>();
    assert!(registry.slashed_for_testing() == ONE_SUI + ONE_SUI / 4);
    ts::return_shared(registry);
    finish(s, clock);
}

#[test]
fun withdraw_slashed_hands_the_slashed_sui_to_the_master_once() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    slash(&mut s, &clock, b"node-1", ONE_SUI / 4);
    s.next_tx(ADMIN);
    let mut registry = s.take_shared<WorkerRegistry>();
    let cap = s.take_from_sender<MasterCap>();
    assert!(registry.withdraw_slashed(&cap, s.ctx()).burn_for_testing() == ONE_SUI / 4);
    assert!(registry.withdraw_slashed(&cap, s.ctx()).burn_for_testing() == 0);
    assert!(registry.slashed_for_testing() == 0);
    s.return_to_sender(cap);
    ts::return_shared(registry);
    check_stats(&mut s, 1, 0, ONE_SUI - ONE_SUI / 4);
    finish(s, clock);
}

#[test]
fun slashed_worker_can_still_unstake_the_remainder() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    slash(&mut s, &clock, b"node-1", ONE_SUI / 4);
    assert!(unstake(&mut s, &clock, ALICE) == ONE_SUI - ONE_SUI / 4);
    check_stats(&mut s, 0, 0, 0);
    finish(s, clock);
}

#[test]
fun views_do_not_abort_for_unknown_workers_or_owners() {
    let (mut s, clock) = start();
    s.next_tx(BOB);
    let registry = s.take_shared<WorkerRegistry>();
    let id = b"ghost".to_string();
    assert!(!registry.worker_exists(id) && !registry.is_worker_owner(id, BOB));
    assert!(!registry.is_worker_active(id) && registry.get_owner_workers(BOB).is_empty());
    ts::return_shared(registry);
    finish(s, clock);
}

// === Aborts of stake_and_register_worker, and their order ===

#[test, expected_failure(abort_code = worker_registry::EInvalidNodeId)]
fun register_rejects_uppercase_node_id() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"Node-1");
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EInvalidNodeId)]
fun register_rejects_trailing_hyphen() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-");
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EInvalidNodeId)]
fun register_rejects_empty_node_id() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"");
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EInvalidNodeId)]
fun register_rejects_64_char_node_id() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, vector::tabulate!(64, |_| 0x61));
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EInvalidNodeId)]
fun order_invalid_node_id_before_seal_key_and_stake() {
    let (mut s, clock) = start();
    register_with(&mut s, &clock, ALICE, b"node_1", b"short", 1);
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EInvalidSealToken)]
fun order_invalid_seal_key_before_stake() {
    let (mut s, clock) = start();
    register_with(&mut s, &clock, ALICE, b"node-1", vector::tabulate!(31, |_| 1), 1);
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EInsufficientStake)]
fun order_insufficient_stake_before_duplicate() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    register_with(&mut s, &clock, ALICE, b"node-1", key(), ONE_SUI - 1);
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EWorkerAlreadyExists)]
fun order_duplicate_before_too_many_workers() {
    let (mut s, clock) = start();
    10u8.do!(|i| register(&mut s, &clock, ALICE, vector[0x61 + i]));
    register(&mut s, &clock, ALICE, b"a");
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EWorkerAlreadyExists)]
fun register_rejects_id_taken_by_another_owner() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    register(&mut s, &clock, BOB, b"node-1");
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::ETooManyWorkers)]
fun register_rejects_eleventh_worker() {
    let (mut s, clock) = start();
    10u8.do!(|i| register(&mut s, &clock, ALICE, vector[0x61 + i]));
    register(&mut s, &clock, ALICE, b"node-11");
    finish(s, clock);
}

// === Aborts of the owner operations ===

#[test, expected_failure(abort_code = worker_registry::EWorkerNotFound)]
fun order_add_stake_unknown_worker_before_owner_and_amount() {
    let (mut s, clock) = start();
    add_stake(&mut s, &clock, BOB, b"ghost", 0);
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EUnauthorized)]
fun order_add_stake_non_owner_before_slashed() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    slash(&mut s, &clock, b"node-1", 1);
    add_stake(&mut s, &clock, BOB, b"node-1", ONE_SUI);
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EInvalidOperation)]
fun order_add_stake_slashed_before_zero_amount() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    slash(&mut s, &clock, b"node-1", 1);
    add_stake(&mut s, &clock, ALICE, b"node-1", 0);
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EInsufficientStake)]
fun add_stake_rejects_zero() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    add_stake(&mut s, &clock, ALICE, b"node-1", 0);
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EWorkerNotFound)]
fun rotate_rejects_unknown_worker() {
    let (mut s, clock) = start();
    rotate(&mut s, &clock, ALICE, b"ghost", key());
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EUnauthorized)]
fun order_rotate_non_owner_before_key_length() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    rotate(&mut s, &clock, BOB, b"node-1", b"short");
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EInvalidSealToken)]
fun order_rotate_key_length_before_slashed() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    slash(&mut s, &clock, b"node-1", 1);
    rotate(&mut s, &clock, ALICE, b"node-1", vector::tabulate!(33, |_| 1));
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EInvalidOperation)]
fun rotate_rejects_slashed_worker() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    slash(&mut s, &clock, b"node-1", 1);
    rotate(&mut s, &clock, ALICE, b"node-1", key());
    finish(s, clock);
}

// unstake's EWorkerNotFound is unreachable: a StakeProof exists exactly as long as its worker
// (unstake consumes it), and the check is the shared `owned_worker_mut` tested above.

#[test, expected_failure(abort_code = worker_registry::EUnauthorized)]
fun order_unstake_non_owner_before_busy() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    set_status(&mut s, &clock, b"node-1", b"active");
    set_status(&mut s, &clock, b"node-1", b"busy");
    s.next_tx(ALICE);
    let proof = s.take_from_sender<StakeProof>();
    transfer::public_transfer(proof, BOB);
    unstake(&mut s, &clock, BOB);
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EInvalidOperation)]
fun unstake_rejects_busy_worker() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    set_status(&mut s, &clock, b"node-1", b"active");
    set_status(&mut s, &clock, b"node-1", b"busy");
    unstake(&mut s, &clock, ALICE);
    finish(s, clock);
}

// === Aborts of the master operations ===

#[test, expected_failure(abort_code = worker_registry::EWorkerNotFound)]
fun order_set_status_unknown_worker_before_status_value() {
    let (mut s, clock) = start();
    set_status(&mut s, &clock, b"ghost", b"bogus");
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EInvalidOperation)]
fun set_status_rejects_unknown_status() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    set_status(&mut s, &clock, b"node-1", b"bogus");
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EInvalidOperation)]
fun set_status_cannot_slash() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    set_status(&mut s, &clock, b"node-1", b"slashed");
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EInvalidOperation)]
fun order_set_status_slashed_worker_before_busy_rule() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    slash(&mut s, &clock, b"node-1", 1);
    set_status(&mut s, &clock, b"node-1", b"busy");
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EWorkerNotActive)]
fun set_status_busy_needs_active() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    set_status(&mut s, &clock, b"node-1", b"busy");
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EWorkerNotFound)]
fun slash_rejects_unknown_worker() {
    let (mut s, clock) = start();
    slash(&mut s, &clock, b"ghost", 1);
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EInvalidOperation)]
fun order_slash_twice_before_zero_amount() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    slash(&mut s, &clock, b"node-1", 1);
    slash(&mut s, &clock, b"node-1", 0);
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EInvalidOperation)]
fun slash_rejects_zero_amount() {
    let (mut s, clock) = start();
    register(&mut s, &clock, ALICE, b"node-1");
    slash(&mut s, &clock, b"node-1", 0);
    finish(s, clock);
}

// === Aborting views ===

#[test, expected_failure(abort_code = worker_registry::EWorkerNotFound)]
fun get_worker_stake_aborts_for_unknown_worker() {
    let (mut s, clock) = start();
    stake_of(&mut s, b"ghost");
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EWorkerNotFound)]
fun get_worker_status_aborts_for_unknown_worker() {
    let (mut s, clock) = start();
    status_of(&mut s, b"ghost");
    finish(s, clock);
}

#[test, expected_failure(abort_code = worker_registry::EWorkerNotFound)]
fun get_worker_info_aborts_for_unknown_worker() {
    let (mut s, clock) = start();
    s.next_tx(ALICE);
    let registry = s.take_shared<WorkerRegistry>();
    registry.get_worker_info(b"ghost".to_string());
    ts::return_shared(registry);
    finish(s, clock);
}
