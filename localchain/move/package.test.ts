import { describe, expect, it } from 'vitest';
import { PACKAGE_FUNCTIONS, clonePackageState, emptyPackageState } from './package.ts';
import { ALICE, BOB, activeWorkers, invoke } from './test-helpers.ts';

const signature = (key: string) => {
  const fn = PACKAGE_FUNCTIONS.get(key);
  return fn && { module: fn.module, name: fn.name, params: fn.params, returns: fn.returns };
};
const REG_MUT = { kind: 'shared', type: 'WorkerRegistry', mutable: true };
const REG = { kind: 'shared', type: 'WorkerRegistry', mutable: false };
const SCHED = { kind: 'shared', type: 'K8sScheduler', mutable: false };
const CLOCK = { kind: 'clock' };
const pure = (type: string) => ({ kind: 'pure', type });

describe('PACKAGE_FUNCTIONS', () => {
  it('holds every function of both modules, keyed module::function', () => {
    expect([...PACKAGE_FUNCTIONS.keys()].sort()).toEqual(
      [
        'k8s_scheduler::get_request_count',
        'k8s_scheduler::get_request_status',
        'k8s_scheduler::get_worker_workload',
        'k8s_scheduler::record_api_result',
        'k8s_scheduler::submit_k8s_request',
        'worker_registry::add_stake',
        'worker_registry::get_owner_workers',
        'worker_registry::get_pool_stats',
        'worker_registry::get_worker_info',
        'worker_registry::get_worker_stake',
        'worker_registry::get_worker_status',
        'worker_registry::is_worker_active',
        'worker_registry::is_worker_owner',
        'worker_registry::rotate_seal_key',
        'worker_registry::set_worker_status',
        'worker_registry::slash_worker',
        'worker_registry::stake_and_register_worker',
        'worker_registry::unstake',
        'worker_registry::withdraw_slashed',
        'worker_registry::worker_exists',
      ].sort(),
    );
    for (const [key, fn] of PACKAGE_FUNCTIONS) expect(key).toBe(`${fn.module}::${fn.name}`);
  });

  it('declares the Move signatures (params without TxContext)', () => {
    expect(signature('worker_registry::stake_and_register_worker')).toEqual({
      module: 'worker_registry',
      name: 'stake_and_register_worker',
      params: [REG_MUT, { kind: 'coin' }, pure('string'), pure('vector<u8>'), CLOCK],
      returns: [],
    });
    expect(signature('worker_registry::set_worker_status')?.params).toEqual([
      REG_MUT,
      { kind: 'masterCap' },
      pure('string'),
      pure('string'),
      CLOCK,
    ]);
    expect(signature('worker_registry::unstake')).toMatchObject({
      params: [REG_MUT, { kind: 'stakeProof' }, CLOCK],
      returns: [{ kind: 'coin' }],
    });
    expect(signature('worker_registry::get_worker_info')).toMatchObject({
      params: [REG, pure('string')],
      returns: [pure('address'), pure('u64'), pure('vector<u8>'), pure('string'), pure('u64')],
    });
    expect(signature('worker_registry::get_pool_stats')?.returns).toHaveLength(3);
    expect(signature('worker_registry::get_owner_workers')?.returns).toEqual([pure('vector<string>')]);
    expect(signature('k8s_scheduler::submit_k8s_request')?.params).toEqual([
      { kind: 'shared', type: 'K8sScheduler', mutable: true },
      REG,
      ...Array(6).fill(pure('string')),
      pure('u8'),
      CLOCK,
    ]);
    expect(signature('k8s_scheduler::get_request_count')).toMatchObject({ params: [SCHED], returns: [pure('u64'), pure('u64')] });
  });

  it('rejects a wrong argument count or type as an executor bug (TypeError), not a Move abort', () => {
    const fn = PACKAGE_FUNCTIONS.get('worker_registry::add_stake')!;
    const ctx = { sender: ALICE, nowMs: 1n };
    expect(() => fn.call(emptyPackageState(), ctx, [undefined, 'n'])).toThrow(TypeError);
    expect(() => fn.call(emptyPackageState(), ctx, [undefined, 'n', 5, undefined])).toThrow(TypeError);
  });
});

describe('package state', () => {
  it('starts empty', () => {
    expect(emptyPackageState()).toStrictEqual({
      registry: { workers: {}, owner_workers: {}, total_workers: 0, active_workers: 0, total_stake: '0', slashed: '0' },
      scheduler: { requests: {}, worker_workloads: {}, total_requests: 0, completed_requests: 0 },
    });
  });

  it('clones deeply, keeping own keys such as __proto__', () => {
    const s = emptyPackageState();
    activeWorkers(s, ALICE, 'w1', 'constructor');
    invoke(s, 'k8s_scheduler::submit_k8s_request', ALICE, ['__proto__', 'GET', 'pods', '', '', '', 1]);
    const copy = clonePackageState(s);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(s));
    expect(Object.keys(copy.scheduler.requests)).toEqual(['__proto__']);
    invoke(copy, 'worker_registry::add_stake', ALICE, ['w1', 5n]);
    invoke(copy, 'worker_registry::set_worker_status', BOB, ['constructor', 'offline']);
    copy.registry.owner_workers[ALICE].push('x');
    expect(s.registry.workers.w1.stake).toBe('1000000000');
    expect(s.registry.workers['constructor' as string].status).toBe('active');
    expect(s.registry.owner_workers[ALICE]).toEqual(['w1', 'constructor']);
    expect(JSON.stringify(clonePackageState(JSON.parse(JSON.stringify(s))))).toBe(JSON.stringify(s));
  });
});
