import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_WORKERS_PER_ADDRESS, MIN_STAKE_AMOUNT, WORKER_REGISTRY_ABORTS as E } from '../../shared/chain/abi.ts';
import { emptyPackageState } from './package.ts';
import { ALICE, BOB, NOW, ONE_SUI, expectAbort, invoke, key, register, setStatus, view } from './test-helpers.ts';
import type { PackageState, StakeProofData } from './types.ts';

const M = 'worker_registry';
let s: PackageState;
beforeEach(() => {
  s = emptyPackageState();
});

const call = (fn: string, sender: string, args: unknown[], now = NOW) => invoke(s, `${M}::${fn}`, sender, args, now);
const aborts = (fn: string, sender: string, args: unknown[], code: number) =>
  expectAbort(s, () => call(fn, sender, args), M, fn, code);
const proof = (node_id: string, owner = ALICE, stake_amount = ONE_SUI): StakeProofData => ({
  node_id,
  owner,
  stake_amount,
  staked_at: NOW,
});
const stats = () => invoke(s, `${M}::get_pool_stats`, ALICE, []).returns;

describe('stake_and_register_worker', () => {
  const regAborts = (stake: bigint, nodeId: string, pubkey: Uint8Array, code: number, sender = ALICE) =>
    aborts('stake_and_register_worker', sender, [stake, nodeId, pubkey], code);

  it('registers a pending worker with the whole payment, emits both events and hands out a StakeProof', () => {
    const r = call('stake_and_register_worker', ALICE, [2_500_000_000n, 'node-1', key(7)]);
    expect(r.returns).toEqual([]);
    expect(r.events).toStrictEqual([
      {
        module: M,
        name: 'WorkerRegisteredEvent',
        fields: { node_id: 'node-1', owner: ALICE, stake_amount: 2_500_000_000n, seal_pubkey: key(7), timestamp: NOW },
      },
      {
        module: M,
        name: 'StakeDepositedEvent',
        fields: { node_id: 'node-1', owner: ALICE, amount: 2_500_000_000n, timestamp: NOW },
      },
    ]);
    expect(r.transfers).toStrictEqual([
      { type: 'StakeProof', data: { node_id: 'node-1', owner: ALICE, stake_amount: 2_500_000_000n, staked_at: NOW }, to: ALICE },
    ]);
    expect(s.registry.workers['node-1']).toStrictEqual({
      node_id: 'node-1',
      owner: ALICE,
      stake: '2500000000',
      seal_pubkey: '07'.repeat(32),
      status: 'pending',
      registered_at: NOW.toString(),
      updated_at: NOW.toString(),
    });
    expect(s.registry.owner_workers).toStrictEqual({ [ALICE]: ['node-1'] });
    expect(stats()).toEqual([1n, 0n, 2_500_000_000n]);
  });

  it('accepts exactly MIN_STAKE_AMOUNT, appends to the owner list in order and sums totals', () => {
    register(s, ALICE, 'b', MIN_STAKE_AMOUNT);
    register(s, ALICE, 'a', 3n * ONE_SUI);
    register(s, BOB, 'c');
    expect(s.registry.owner_workers).toStrictEqual({ [ALICE]: ['b', 'a'], [BOB]: ['c'] });
    expect(stats()).toEqual([3n, 0n, 5n * ONE_SUI]);
  });

  it.each(['', 'A', 'Node', '-a', 'a-', 'a_b', 'a.b', 'é', 'a'.repeat(64)])('rejects node id %j (EInvalidNodeId)', (id) =>
    regAborts(ONE_SUI, id, key(), E.EInvalidNodeId),
  );

  it.each(['a', '0', 'a-b', 'a'.repeat(63), 'constructor'])('accepts node id %j', (id) => {
    register(s, ALICE, id);
    expect(view(s, `${M}::worker_exists`, [id])).toBe(true);
  });

  it.each([0, 31, 33, 64])('rejects a %i-byte seal pubkey (EInvalidSealToken)', (n) =>
    regAborts(ONE_SUI, 'n', key(1, n), E.EInvalidSealToken),
  );

  it('rejects a payment below MIN_STAKE_AMOUNT (EInsufficientStake)', () =>
    regAborts(MIN_STAKE_AMOUNT - 1n, 'n', key(), E.EInsufficientStake));

  it('rejects a registered node id, whoever asks (EWorkerAlreadyExists)', () => {
    register(s, ALICE, 'n');
    regAborts(ONE_SUI, 'n', key(), E.EWorkerAlreadyExists, BOB);
  });

  it('allows MAX_WORKERS_PER_ADDRESS per owner, then ETooManyWorkers; other owners unaffected', () => {
    for (let i = 0; i < MAX_WORKERS_PER_ADDRESS; i++) register(s, ALICE, `n${i}`);
    regAborts(ONE_SUI, 'extra', key(), E.ETooManyWorkers);
    register(s, BOB, 'extra');
  });

  describe('check order', () => {
    it('invalid node id before bad pubkey and low stake', () => regAborts(1n, 'Bad', key(1, 3), E.EInvalidNodeId));
    it('bad pubkey before low stake', () => regAborts(1n, 'n', key(1, 31), E.EInvalidSealToken));
    it('low stake before an existing node id', () => {
      register(s, ALICE, 'n');
      regAborts(1n, 'n', key(), E.EInsufficientStake);
    });
    it('existing node id before too many workers', () => {
      for (let i = 0; i < MAX_WORKERS_PER_ADDRESS; i++) register(s, ALICE, `n${i}`);
      regAborts(ONE_SUI, 'n0', key(), E.EWorkerAlreadyExists);
    });
  });
});

describe('add_stake', () => {
  beforeEach(() => register(s, ALICE, 'n'));

  it('joins the payment to the stake and emits StakeDepositedEvent', () => {
    const r = call('add_stake', ALICE, ['n', 5n], NOW + 10n);
    expect(r.events).toStrictEqual([
      { module: M, name: 'StakeDepositedEvent', fields: { node_id: 'n', owner: ALICE, amount: 5n, timestamp: NOW + 10n } },
    ]);
    expect(s.registry.workers.n.stake).toBe((ONE_SUI + 5n).toString());
    expect(s.registry.workers.n.updated_at).toBe((NOW + 10n).toString());
    expect(stats()).toEqual([1n, 0n, ONE_SUI + 5n]);
  });

  it('aborts EWorkerNotFound, EUnauthorized, EInvalidOperation (slashed), EInsufficientStake (zero)', () => {
    aborts('add_stake', ALICE, ['x', 5n], E.EWorkerNotFound);
    aborts('add_stake', BOB, ['n', 5n], E.EUnauthorized);
    aborts('add_stake', ALICE, ['n', 0n], E.EInsufficientStake);
    call('slash_worker', ALICE, ['n', 1n, 'r']);
    aborts('add_stake', ALICE, ['n', 5n], E.EInvalidOperation);
  });

  it('checks owner before slashed before amount', () => {
    call('slash_worker', ALICE, ['n', 1n, 'r']);
    aborts('add_stake', BOB, ['n', 0n], E.EUnauthorized);
    aborts('add_stake', ALICE, ['n', 0n], E.EInvalidOperation);
  });
});

describe('rotate_seal_key', () => {
  beforeEach(() => register(s, ALICE, 'n'));

  it('replaces the pubkey and emits SealKeyRotatedEvent', () => {
    const r = call('rotate_seal_key', ALICE, ['n', key(9)]);
    expect(r.events).toStrictEqual([
      { module: M, name: 'SealKeyRotatedEvent', fields: { node_id: 'n', seal_pubkey: key(9), timestamp: NOW } },
    ]);
    expect(invoke(s, `${M}::get_worker_info`, BOB, ['n']).returns[2]).toStrictEqual(key(9));
  });

  it('aborts EWorkerNotFound, EUnauthorized, EInvalidSealToken, EInvalidOperation (slashed)', () => {
    aborts('rotate_seal_key', ALICE, ['x', key()], E.EWorkerNotFound);
    aborts('rotate_seal_key', BOB, ['n', key()], E.EUnauthorized);
    aborts('rotate_seal_key', ALICE, ['n', key(1, 16)], E.EInvalidSealToken);
    call('slash_worker', ALICE, ['n', 1n, 'r']);
    aborts('rotate_seal_key', ALICE, ['n', key()], E.EInvalidOperation);
  });

  it('checks owner before length before slashed', () => {
    call('slash_worker', ALICE, ['n', 1n, 'r']);
    aborts('rotate_seal_key', BOB, ['n', key(1, 16)], E.EUnauthorized);
    aborts('rotate_seal_key', ALICE, ['n', key(1, 16)], E.EInvalidSealToken);
  });
});

describe('unstake', () => {
  it('returns the whole stake, removes the worker (keeping the owner list order) and updates totals', () => {
    register(s, ALICE, 'a');
    register(s, ALICE, 'b', 2n * ONE_SUI);
    register(s, ALICE, 'c');
    setStatus(s, 'b', 'active');
    call('add_stake', ALICE, ['b', 7n]);
    const r = call('unstake', ALICE, [proof('b')], NOW + 1n);
    expect(r.returns).toEqual([2n * ONE_SUI + 7n]);
    expect(r.events).toStrictEqual([
      {
        module: M,
        name: 'WorkerDeregisteredEvent',
        fields: { node_id: 'b', owner: ALICE, returned_amount: 2n * ONE_SUI + 7n, timestamp: NOW + 1n },
      },
    ]);
    expect(view(s, `${M}::worker_exists`, ['b'])).toBe(false);
    expect(view(s, `${M}::get_owner_workers`, [ALICE])).toEqual(['a', 'c']);
    expect(stats()).toEqual([2n, 0n, 2n * ONE_SUI]);
  });

  it('drops an owner whose last worker left; the node id can be registered again', () => {
    register(s, ALICE, 'n');
    call('unstake', ALICE, [proof('n')]);
    expect(s.registry.owner_workers).toStrictEqual({});
    expect(stats()).toEqual([0n, 0n, 0n]);
    register(s, BOB, 'n');
  });

  it.each(['pending', 'active', 'offline'])('is allowed from %s', (status) => {
    register(s, ALICE, 'n');
    if (status !== 'pending') setStatus(s, 'n', status);
    expect(call('unstake', ALICE, [proof('n')]).returns).toEqual([ONE_SUI]);
  });

  it('returns what slashing left; the slashed balance stays in the registry', () => {
    register(s, ALICE, 'n', 3n * ONE_SUI);
    call('slash_worker', ALICE, ['n', ONE_SUI, 'r']);
    expect(call('unstake', ALICE, [proof('n')]).returns).toEqual([2n * ONE_SUI]);
    expect(s.registry.slashed).toBe(ONE_SUI.toString());
    expect(stats()).toEqual([0n, 0n, 0n]);
  });

  it('aborts EWorkerNotFound for an unknown (or already unstaked) node id', () => {
    aborts('unstake', ALICE, [proof('n')], E.EWorkerNotFound);
    register(s, ALICE, 'n');
    call('unstake', ALICE, [proof('n')]);
    aborts('unstake', ALICE, [proof('n')], E.EWorkerNotFound);
  });

  it("decides by the worker's owner, not the proof's owner field (EUnauthorized)", () => {
    register(s, ALICE, 'n');
    aborts('unstake', BOB, [proof('n', BOB)], E.EUnauthorized);
    expect(call('unstake', ALICE, [proof('n', BOB)]).returns).toEqual([ONE_SUI]);
  });

  it('aborts EInvalidOperation while busy; owner is checked first', () => {
    register(s, ALICE, 'n');
    setStatus(s, 'n', 'active');
    setStatus(s, 'n', 'busy');
    aborts('unstake', BOB, [proof('n')], E.EUnauthorized);
    aborts('unstake', ALICE, [proof('n')], E.EInvalidOperation);
  });
});

describe('set_worker_status', () => {
  beforeEach(() => register(s, ALICE, 'n'));
  const set = (status: string, now = NOW) => call('set_worker_status', BOB, ['n', status], now);

  it('sets the status, emits old and new, and keeps active_workers right', () => {
    expect(set('active', NOW + 3n).events).toStrictEqual([
      {
        module: M,
        name: 'WorkerStatusChangedEvent',
        fields: { node_id: 'n', old_status: 'pending', new_status: 'active', timestamp: NOW + 3n },
      },
    ]);
    expect(s.registry.workers.n.updated_at).toBe((NOW + 3n).toString());
    expect(stats()[1]).toBe(1n);
    expect(set('active').events[0].fields).toMatchObject({ old_status: 'active', new_status: 'active' });
    expect(stats()[1]).toBe(1n);
    set('busy');
    expect(stats()[1]).toBe(0n);
    set('busy');
    set('active');
    expect(stats()[1]).toBe(1n);
    set('offline');
    expect(stats()[1]).toBe(0n);
    set('pending');
    expect(view(s, `${M}::get_worker_status`, ['n'])).toBe('pending');
  });

  it.each(['slashed', 'Active', '', 'unknown'])('rejects status %j (EInvalidOperation)', (status) =>
    aborts('set_worker_status', BOB, ['n', status], E.EInvalidOperation),
  );

  it.each(['pending', 'offline'])('busy needs active or busy, not %s (EWorkerNotActive)', (from) => {
    if (from !== 'pending') set(from);
    aborts('set_worker_status', BOB, ['n', 'busy'], E.EWorkerNotActive);
  });

  it('aborts EWorkerNotFound before validating the status', () =>
    aborts('set_worker_status', BOB, ['x', 'bogus'], E.EWorkerNotFound));

  it('slashed is final: every status aborts EInvalidOperation, busy included (not EWorkerNotActive)', () => {
    call('slash_worker', ALICE, ['n', 1n, 'r']);
    for (const status of ['pending', 'active', 'busy', 'offline', 'slashed']) {
      aborts('set_worker_status', BOB, ['n', status], E.EInvalidOperation);
    }
  });
});

describe('slash_worker', () => {
  beforeEach(() => {
    register(s, ALICE, 'n', 3n * ONE_SUI);
    setStatus(s, 'n', 'active');
  });

  it('takes the amount into registry.slashed, marks slashed, updates totals and emits', () => {
    const r = call('slash_worker', BOB, ['n', ONE_SUI, 'downtime']);
    expect(r.events).toStrictEqual([
      { module: M, name: 'WorkerSlashedEvent', fields: { node_id: 'n', amount: ONE_SUI, reason: 'downtime', timestamp: NOW } },
    ]);
    expect(s.registry.workers.n).toMatchObject({ status: 'slashed', stake: (2n * ONE_SUI).toString() });
    expect(s.registry.slashed).toBe(ONE_SUI.toString());
    expect(stats()).toEqual([1n, 0n, 2n * ONE_SUI]);
  });

  it('withdraw_slashed hands over everything slashed, once, without touching stakes', () => {
    call('slash_worker', BOB, ['n', ONE_SUI, 'r']);
    expect(call('withdraw_slashed', BOB, []).returns).toEqual([ONE_SUI]);
    expect(call('withdraw_slashed', BOB, []).returns).toEqual([0n]);
    expect(s.registry.slashed).toBe('0');
    expect(stats()).toEqual([1n, 0n, 2n * ONE_SUI]);
  });

  it('takes min(amount, stake) and reports what it took; slashed balances accumulate', () => {
    register(s, BOB, 'm');
    const r = call('slash_worker', BOB, ['n', 100n * ONE_SUI, 'r']);
    expect(r.events[0].fields.amount).toBe(3n * ONE_SUI);
    expect(s.registry.workers.n.stake).toBe('0');
    call('slash_worker', BOB, ['m', 5n, 'r']);
    expect(s.registry.slashed).toBe((3n * ONE_SUI + 5n).toString());
    expect(stats()).toEqual([2n, 0n, ONE_SUI - 5n]);
  });

  it('aborts EWorkerNotFound, EInvalidOperation for amount 0 and for an already slashed worker', () => {
    aborts('slash_worker', BOB, ['x', 1n, 'r'], E.EWorkerNotFound);
    aborts('slash_worker', BOB, ['n', 0n, 'r'], E.EInvalidOperation);
    call('slash_worker', BOB, ['n', 1n, 'r']);
    aborts('slash_worker', BOB, ['n', 1n, 'r'], E.EInvalidOperation);
  });
});
