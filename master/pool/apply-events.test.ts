import { describe, expect, it } from 'vitest';
import type {
  K8sAPIRequestScheduled,
  K8sAPIResult,
  SealKeyRotated,
  StakeDeposited,
  WorkerDeregistered,
  WorkerSlashed,
  WorkerStatusChanged,
} from './chain-events.ts';
import { openPoolDb } from './db.ts';
import { formatTransition } from './format.ts';
import type { Transition } from './states.ts';
import { PoolStore } from './store.ts';
import { OWNER, event, manualClock, registration, sealKey } from './testing.ts';

function setup() {
  const seen: Transition[] = [];
  const store = new PoolStore({ db: openPoolDb(':memory:'), clock: manualClock(), onTransition: (t) => seen.push(t) });
  const apply = (...events: Parameters<PoolStore['applyChainEvents']>[1]) =>
    store.applyChainEvents('worker_registry', events, null);
  return { store, seen, apply, lines: () => seen.map(formatTransition) };
}

const deposit = (tx: string, eventIndex: number, amountMist: bigint, nodeId = 'w1') =>
  event<StakeDeposited>({ kind: 'StakeDeposited', txDigest: tx, eventIndex, nodeId, owner: OWNER, amountMist });
const statusChanged = (tx: string, oldStatus: string, newStatus: string) =>
  event<WorkerStatusChanged>({ kind: 'WorkerStatusChanged', txDigest: tx, nodeId: 'w1', oldStatus, newStatus });
const slash = (tx: string, amountMist: bigint, reason = 'missed duties') =>
  event<WorkerSlashed>({ kind: 'WorkerSlashed', txDigest: tx, nodeId: 'w1', amountMist, reason });
const deregister = (tx: string) =>
  event<WorkerDeregistered>({ kind: 'WorkerDeregistered', txDigest: tx, nodeId: 'w1', owner: OWNER, returnedMist: 0n });

describe('WorkerRegistered and StakeDeposited', () => {
  it('adds a pending worker with the registration stake, not counting its own deposit twice', () => {
    const { store, apply, lines } = setup();
    apply(...registration('w1', { tx: 'reg', stake: 1_004_607_436n, key: 7 }));
    expect(store.getWorker('w1')).toMatchObject({
      status: 'pending',
      owner: OWNER,
      stakeMist: 1_004_607_436n,
      sealPubkey: sealKey(7),
      registrationDigest: 'reg',
    });
    expect(lines()).toEqual(['👥 Worker added to pool: w1 (stake: 1004607436)']);
  });

  it('adds stake from add_stake transactions', () => {
    const { store, apply } = setup();
    apply(...registration('w1', { tx: 'reg', stake: 1_000n }));
    apply(deposit('add-1', 0, 500n), deposit('add-2', 3, 25n));
    expect(store.getWorker('w1')?.stakeMist).toBe(1_525n);
  });

  it('counts an add_stake in the same transaction as the registration', () => {
    const { store, apply } = setup();
    apply(...registration('w1', { tx: 'ptb', stake: 1_000n }), deposit('ptb', 2, 300n));
    expect(store.getWorker('w1')?.stakeMist).toBe(1_300n);
  });

  it('recognises the registration deposit when a page boundary splits the transaction', () => {
    const { store } = setup();
    const [reg, dep] = registration('w1', { tx: 'reg', stake: 1_000n });
    store.applyChainEvents('worker_registry', [reg], 'c1');
    store.applyChainEvents('worker_registry', [dep], 'c2');
    expect(store.getWorker('w1')?.stakeMist).toBe(1_000n);
  });

  it('ignores a deposit for a worker not in the pool, but remembers it was applied', () => {
    const { store, apply } = setup();
    const r = apply(deposit('add', 0, 5n, 'ghost'));
    expect(r).toMatchObject({
      applied: 1,
      ignored: [{ txDigest: 'add', eventIndex: 0, reason: expect.stringContaining('ghost') }],
    });
    expect(store.listWorkers()).toEqual([]);
  });
});

describe('SealKeyRotated', () => {
  it('replaces the seal key', () => {
    const { store, apply } = setup();
    apply(...registration('w1', { tx: 'reg', key: 1 }));
    apply(event<SealKeyRotated>({ kind: 'SealKeyRotated', txDigest: 'rot', nodeId: 'w1', sealPubkey: sealKey(2) }));
    expect(store.getWorker('w1')?.sealPubkey).toEqual(sealKey(2));
  });
});

describe('WorkerStatusChanged (the chain echo of the master)', () => {
  it('is kept in history but does not change the live status', () => {
    const { store, apply, seen } = setup();
    apply(...registration('w1', { tx: 'reg' }));
    store.setStatus('w1', 'active', 'authenticated');
    store.setStatus('w1', 'offline', 'no heartbeat');
    seen.length = 0;
    apply(statusChanged('echo', 'pending', 'active')); // a late echo of an older decision
    expect(store.getWorker('w1')?.status).toBe('offline');
    expect(seen).toEqual([]);
    expect(store.history('w1')[0]).toMatchObject({ from: 'pending', to: 'active', source: 'chain', txDigest: 'echo' });
  });

  it('slashed on chain is final', () => {
    const { store, apply, lines } = setup();
    apply(...registration('w1', { tx: 'reg' }));
    store.setStatus('w1', 'active', 'authenticated');
    apply(statusChanged('s', 'active', 'slashed'));
    expect(store.getWorker('w1')?.status).toBe('slashed');
    expect(lines().at(-1)).toBe('⚔️ Worker w1 slashed (slashed on chain)');
    apply(statusChanged('s2', 'slashed', 'active'));
    expect(store.getWorker('w1')?.status).toBe('slashed');
    expect(() => store.setStatus('w1', 'active', 'authenticated')).toThrow(/is slashed/);
  });
});

describe('WorkerSlashed', () => {
  it('reduces the stake (never below zero) and marks the worker slashed', () => {
    const { store, apply, lines } = setup();
    apply(...registration('w1', { tx: 'reg', stake: 1_000n }));
    apply(slash('s1', 400n));
    expect(store.getWorker('w1')).toMatchObject({ status: 'slashed', stakeMist: 600n });
    expect(lines().at(-1)).toBe('⚔️ Worker w1 slashed (missed duties)');
    const reported = lines().length;
    apply(slash('s2', 5_000n));
    expect(store.getWorker('w1')).toMatchObject({ status: 'slashed', stakeMist: 0n });
    expect(lines()).toHaveLength(reported); // already slashed: no second transition
  });
});

describe('WorkerDeregistered', () => {
  it('removes the worker and keeps its history; a new registration starts fresh', () => {
    const { store, apply, lines } = setup();
    apply(...registration('w1', { tx: 'reg', stake: 1_000n }));
    apply(slash('s1', 100n));
    apply(deregister('unstake'));
    expect(store.getWorker('w1')).toBeUndefined();
    expect(lines().at(-1)).toBe('👋 Worker w1 left the pool (deregistered)');
    expect(store.history('w1').map((h) => [h.from, h.to])).toEqual([
      ['slashed', null],
      ['pending', 'slashed'],
      [null, 'pending'],
    ]);
    apply(...registration('w1', { tx: 'reg-2', stake: 2_000n, key: 5 }));
    expect(store.getWorker('w1')).toMatchObject({
      status: 'pending',
      stakeMist: 2_000n,
      sealPubkey: sealKey(5),
      registrationDigest: 'reg-2',
    });
  });

  it('unstake and a new registration in one transaction', () => {
    const { store, apply } = setup();
    apply(...registration('w1', { tx: 'reg', stake: 1_000n }));
    apply(deregister('swap'), ...registration('w1', { tx: 'swap', stake: 3_000n, firstIndex: 1 }));
    expect(store.getWorker('w1')).toMatchObject({ status: 'pending', stakeMist: 3_000n });
  });
});

describe('k8s_scheduler events', () => {
  it('stores scheduled requests and their results', () => {
    const { store } = setup();
    const scheduled = event<K8sAPIRequestScheduled>({
      kind: 'K8sAPIRequestScheduled',
      txDigest: 'sched',
      requestId: 'req-1',
      method: 'GET',
      resource: 'pods',
      namespace: 'default',
      name: '',
      payload: '',
      requester: OWNER,
      priority: 5,
      assignedWorker: 'w1',
    });
    const result = event<K8sAPIResult>({
      kind: 'K8sAPIResult',
      txDigest: 'res',
      requestId: 'req-1',
      assignedWorker: 'w1',
      success: true,
      output: '{}',
      error: '',
      executionTimeMs: 12,
      timestamp: 1_700_000_001_000,
    });
    store.applyChainEvents('k8s_scheduler', [scheduled], 'c1');
    expect(store.getRequest('req-1')).toMatchObject({
      status: 'scheduled',
      method: 'GET',
      priority: 5,
      result: null,
      txDigest: 'sched',
    });
    store.applyChainEvents('k8s_scheduler', [result], 'c2');
    expect(store.getRequest('req-1')).toMatchObject({
      status: 'succeeded',
      finishedAt: 1_700_000_001_000,
      result: { success: true, output: '{}', error: '', executionTimeMs: 12 },
    });
    const orphan = store.applyChainEvents('k8s_scheduler', [{ ...result, txDigest: 'res-2', requestId: 'nope' }], 'c3');
    expect(orphan.ignored).toHaveLength(1);
    expect(store.getRequest('nope')).toBeUndefined();
  });
});

describe('events of an earlier registration of the same node id', () => {
  it('are ignored when a newer registration was applied first (digest fast path)', async () => {
    const { openPoolDb } = await import('./db.ts');
    const { PoolStore } = await import('./store.ts');
    const { manualClock, registration } = await import('./testing.ts');
    const store = new PoolStore({ db: openPoolDb(':memory:'), clock: manualClock() });
    // Registered at t=1000, deregistered at t=2000, registered again at t=3000; the fast path
    // applies the second registration before the poller reaches the deregistration.
    store.applyChainEvents('worker_registry', registration('w1', { tx: 'tx3', at: 3000 }), null);
    const old = [
      ...registration('w1', { tx: 'tx1', at: 1000 }),
      { kind: 'WorkerDeregistered' as const, txDigest: 'tx2', eventIndex: 0, nodeId: 'w1', owner: `0x${'ab'.repeat(32)}`, returnedMist: 1n, timestamp: 2000 },
    ];
    const result = store.applyChainEvents('worker_registry', old, 'cursor-2');
    expect(result.ignored.map((i) => i.reason)).toEqual([
      'WorkerRegistered for w1 predates its current registration',
      'StakeDeposited for w1 predates its current registration',
      'WorkerDeregistered for w1 predates its current registration',
    ]);
    expect(store.getWorker('w1')).toMatchObject({ status: 'pending', registrationDigest: 'tx3' });
  });
});
