import { beforeEach, describe, expect, it } from 'vitest';
import { WORKER_REGISTRY_ABORTS as E } from '../../shared/chain/abi.ts';
import { emptyPackageState } from './package.ts';
import { ALICE, BOB, NOW, ONE_SUI, expectAbort, invoke, key, register, setStatus, view } from './test-helpers.ts';
import type { PackageState } from './types.ts';

const M = 'worker_registry';
let s: PackageState;
beforeEach(() => {
  s = emptyPackageState();
});

const stats = () => invoke(s, `${M}::get_pool_stats`, ALICE, []).returns;
const aborts = (fn: string, sender: string, args: unknown[], code: number) =>
  expectAbort(s, () => invoke(s, `${M}::${fn}`, sender, args), M, fn, code);

describe('views', () => {
  beforeEach(() => {
    register(s, ALICE, 'a', 2n * ONE_SUI, NOW - 5n);
    register(s, ALICE, 'b');
    setStatus(s, 'b', 'active');
  });

  it('answer existence, ownership and activity without aborting', () => {
    expect(view(s, `${M}::worker_exists`, ['a'])).toBe(true);
    expect(view(s, `${M}::worker_exists`, ['zz'])).toBe(false);
    expect(view(s, `${M}::is_worker_owner`, ['a', ALICE])).toBe(true);
    expect(view(s, `${M}::is_worker_owner`, ['a', BOB])).toBe(false);
    expect(view(s, `${M}::is_worker_owner`, ['zz', ALICE])).toBe(false);
    expect(view(s, `${M}::is_worker_active`, ['a'])).toBe(false);
    expect(view(s, `${M}::is_worker_active`, ['b'])).toBe(true);
    expect(view(s, `${M}::is_worker_active`, ['zz'])).toBe(false);
  });

  it('get_owner_workers returns a copy, empty for an unknown owner', () => {
    const list = view(s, `${M}::get_owner_workers`, [ALICE]) as string[];
    expect(list).toEqual(['a', 'b']);
    list.push('x');
    expect(s.registry.owner_workers[ALICE]).toEqual(['a', 'b']);
    expect(view(s, `${M}::get_owner_workers`, [BOB])).toEqual([]);
  });

  it('get_worker_stake, get_worker_status, get_worker_info (5 values) and get_pool_stats (3 values)', () => {
    expect(view(s, `${M}::get_worker_stake`, ['a'])).toBe(2n * ONE_SUI);
    expect(view(s, `${M}::get_worker_status`, ['b'])).toBe('active');
    expect(invoke(s, `${M}::get_worker_info`, BOB, ['a']).returns).toStrictEqual([
      ALICE,
      2n * ONE_SUI,
      key(),
      'pending',
      NOW - 5n,
    ]);
    expect(stats()).toStrictEqual([2n, 1n, 3n * ONE_SUI]);
  });

  it.each(['get_worker_stake', 'get_worker_status', 'get_worker_info'])('%s aborts EWorkerNotFound', (fn) =>
    aborts(fn, BOB, ['zz'], E.EWorkerNotFound),
  );
});
