import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hasCode } from '../../shared/errors.ts';
import { openPoolDb } from './db.ts';
import { IllegalTransitionError, type Transition } from './states.ts';
import { PoolStore } from './store.ts';
import { heartbeat, manualClock, registration } from './testing.ts';

const stores: PoolStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) {
    try {
      s.close();
    } catch {
      // already closed by the test
    }
  }
});

function setup(path = ':memory:') {
  const clock = manualClock();
  const seen: Transition[] = [];
  const store = new PoolStore({ db: openPoolDb(path), clock, onTransition: (t) => seen.push(t) });
  stores.push(store);
  return { clock, seen, store };
}

function addWorkers(store: PoolStore, ...ids: string[]) {
  const events = ids.flatMap((id, i) => registration(id, { tx: `reg-${id}`, stake: BigInt(1_000_000_000 + i) }));
  store.applyChainEvents('worker_registry', events, `cursor-${ids.join('-')}`);
}

describe('PoolStore.applyChainEvents: pages and cursors', () => {
  it('applies a page once: re-applying it changes nothing and reports nothing', () => {
    const { store, seen } = setup();
    const page = [...registration('w1', { tx: 'tx1' }), ...registration('w2', { tx: 'tx2' })];
    expect(store.applyChainEvents('worker_registry', page, 'c1')).toMatchObject({ applied: 4, duplicates: 0 });
    expect(seen).toHaveLength(2);
    const before = store.stats();
    expect(store.applyChainEvents('worker_registry', page, 'c1')).toMatchObject({
      applied: 0,
      duplicates: 4,
      transitions: [],
    });
    expect(store.stats()).toEqual(before);
    expect(seen).toHaveLength(2);
    expect(store.history('w1')).toHaveLength(1);
  });

  it('overlapping pages apply only the new events', () => {
    const { store } = setup();
    const [r1, d1] = registration('w1', { tx: 'tx1' });
    const [r2, d2] = registration('w2', { tx: 'tx2' });
    store.applyChainEvents('worker_registry', [r1, d1, r2], 'c1');
    expect(store.applyChainEvents('worker_registry', [r2, d2], 'c2')).toMatchObject({ applied: 1, appliedEvents: [d2], duplicates: 1 });
    expect(store.getWorker('w2')?.stakeMist).toBe(r2.stakeMist);
    expect(store.getCursor('worker_registry')).toBe('c2');
  });

  it('keeps one cursor per module, and an empty page keeps the old one', () => {
    const { store } = setup();
    expect(store.getCursor('worker_registry')).toBeNull();
    store.applyChainEvents('worker_registry', registration('w1', { tx: 'tx1' }), 'reg-1');
    store.applyChainEvents('k8s_scheduler', [], 'sched-1');
    store.applyChainEvents('worker_registry', [], null);
    expect(store.getCursor('worker_registry')).toBe('reg-1');
    expect(store.getCursor('k8s_scheduler')).toBe('sched-1');
  });

  it('a crash while saving the cursor stores none of the page', () => {
    const { store, seen } = setup();
    // Make the cursor write fail after every event of the page has been applied.
    (store as unknown as { db: import('./db.ts').PoolDb }).db.exec(
      "CREATE TRIGGER crash BEFORE INSERT ON chain_cursors BEGIN SELECT RAISE(ABORT, 'simulated crash'); END",
    );
    expect(() => store.applyChainEvents('worker_registry', registration('w1', { tx: 'tx1' }), 'c1')).toThrow(
      'simulated crash',
    );
    expect(store.getCursor('worker_registry')).toBeNull();
    expect(store.listWorkers()).toEqual([]);
    expect(store.history('w1')).toEqual([]);
    expect(seen).toEqual([]); // nothing reported for a page that never committed
  });

  it('a crash in the middle of a page stores none of it, and the page applies cleanly afterwards', () => {
    const { store } = setup();
    const good = registration('w1', { tx: 'tx1' });
    const broken = { ...registration('w2', { tx: 'tx2' })[0], owner: null as unknown as string }; // NOT NULL violation
    expect(() => store.applyChainEvents('worker_registry', [...good, broken], 'c1')).toThrow(/NOT NULL/);
    expect(store.getCursor('worker_registry')).toBeNull();
    expect(store.getWorker('w1')).toBeUndefined();
    // The retry (the watcher reads the same page again from the old cursor) applies everything once.
    expect(store.applyChainEvents('worker_registry', good, 'c1')).toMatchObject({ applied: 2, duplicates: 0 });
    expect(store.getWorker('w1')?.stakeMist).toBe(good[0].stakeMist);
  });
});

describe('PoolStore.setStatus', () => {
  it('moves through the state machine, records history and reports once', () => {
    const { store, seen, clock } = setup();
    addWorkers(store, 'w1');
    seen.length = 0;
    clock.advance(1000);
    expect(store.setStatus('w1', 'active', 'authenticated')).toEqual({ from: 'pending', to: 'active' });
    expect(store.setStatus('w1', 'active', 'authenticated')).toBeNull();
    expect(seen.map((t) => `${t.from}→${t.to}`)).toEqual(['pending→active']);
    expect(store.getWorker('w1')).toMatchObject({ status: 'active', statusChangedAt: clock.now() });
    expect(store.history('w1')[0]).toMatchObject({
      from: 'pending',
      to: 'active',
      reason: 'authenticated',
      source: 'master',
    });
  });

  it('throws on an illegal move and on an unknown worker, changing nothing', () => {
    const { store, seen } = setup();
    addWorkers(store, 'w1');
    seen.length = 0;
    expect(() => store.setStatus('w1', 'busy', 'x')).toThrow(IllegalTransitionError);
    expect(store.getWorker('w1')?.status).toBe('pending');
    expect(seen).toEqual([]);
    let err: unknown;
    try {
      store.setStatus('ghost', 'active', 'x');
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, 'WORKER_NOT_FOUND')).toBe(true);
  });
});

describe('PoolStore heartbeats and silence', () => {
  it('stores a batch in one call, dropping workers not in the pool', () => {
    const { store } = setup();
    addWorkers(store, 'w1', 'w2');
    expect(store.recordHeartbeats([heartbeat('w1', 10), heartbeat('w2', 11), heartbeat('gone', 12)])).toBe(2);
    expect(store.getWorker('w2')).toMatchObject({ lastHeartbeatAt: 11, k3s: { state: 'running' } });
    expect(store.recordHeartbeats([])).toBe(0);
  });

  it('finds active and busy workers silent for offlineAfterMs, counting activation as a sign of life', () => {
    const { store, clock } = setup();
    addWorkers(store, 'beating', 'silent', 'fresh', 'pending', 'busy');
    const t0 = clock.now();
    for (const id of ['beating', 'silent', 'busy']) store.setStatus(id, 'active', 'authenticated');
    store.setStatus('busy', 'busy', 'running a request');
    clock.advance(30_000);
    store.setStatus('fresh', 'active', 'authenticated'); // activated late, no heartbeat yet
    store.recordHeartbeats([heartbeat('beating', clock.now())]);
    clock.advance(10_000);
    const now = clock.now(); // t0 + 40 s
    expect(store.findSilent(40_000, now).map((w) => w.nodeId)).toEqual(['busy', 'silent']);
    expect(store.findSilent(40_001, now)).toEqual([]);
    expect(store.findSilent(10_000, now).map((w) => w.nodeId)).toEqual(['beating', 'busy', 'fresh', 'silent']);
    expect(now - t0).toBe(40_000);
  });

  it('an offline worker that authenticates again is not silent at once', () => {
    const { store, clock } = setup();
    addWorkers(store, 'w1');
    store.setStatus('w1', 'active', 'authenticated');
    store.recordHeartbeats([heartbeat('w1', clock.now())]);
    clock.advance(60_000);
    store.setStatus('w1', 'offline', 'no heartbeat');
    store.setStatus('w1', 'active', 'authenticated');
    expect(store.findSilent(40_000)).toEqual([]);
  });
});

describe('PoolStore.stats', () => {
  it('counts by status and sums stake exactly', () => {
    const { store } = setup();
    expect(store.stats()).toEqual({
      total: 0,
      byStatus: { pending: 0, active: 0, busy: 0, offline: 0, slashed: 0 },
      totalStakeMist: '0',
      averageStakeMist: '0',
    });
    const big = 18_000_000_000_000_000_000n; // beyond i64 and Number precision
    store.applyChainEvents(
      'worker_registry',
      [...registration('a', { tx: 'ta', stake: big }), ...registration('b', { tx: 'tb', stake: big + 1n })],
      'c',
    );
    store.applyChainEvents('worker_registry', registration('c', { tx: 'tc', stake: 1n }), 'c2');
    store.setStatus('a', 'active', 'authenticated');
    expect(store.stats()).toEqual({
      total: 3,
      byStatus: { pending: 2, active: 1, busy: 0, offline: 0, slashed: 0 },
      totalStakeMist: (2n * big + 2n).toString(),
      averageStakeMist: ((2n * big + 2n) / 3n).toString(),
    });
  });
});

describe('PoolStore durability', () => {
  it('keeps pool, cursors and history across a restart', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pool-')), 'pool.db');
    const first = setup(path);
    addWorkers(first.store, 'w1', 'w2');
    first.store.setStatus('w1', 'active', 'authenticated');
    first.store.recordHeartbeats([heartbeat('w1', 123)]);
    first.store.applyChainEvents('k8s_scheduler', [], 'sched-cursor');
    first.store.close();

    const second = setup(path);
    expect(second.store.getCursor('worker_registry')).toBe('cursor-w1-w2');
    expect(second.store.getCursor('k8s_scheduler')).toBe('sched-cursor');
    expect(second.store.listWorkers().map((w) => [w.nodeId, w.status])).toEqual([
      ['w1', 'active'],
      ['w2', 'pending'],
    ]);
    expect(second.store.getWorker('w1')?.lastHeartbeatAt).toBe(123);
    expect(second.store.history('w1').map((h) => h.to)).toEqual(['active', 'pending']);
    // Re-reading the last page after the restart applies nothing twice.
    const again = second.store.applyChainEvents(
      'worker_registry',
      registration('w1', { tx: 'reg-w1' }),
      'cursor-w1-w2',
    );
    expect(again).toMatchObject({ applied: 0, duplicates: 2 });
    expect(second.seen).toEqual([]);
  });

  it('history is newest first and limited', () => {
    const { store } = setup();
    addWorkers(store, 'w1');
    store.setStatus('w1', 'active', 'authenticated');
    store.setStatus('w1', 'busy', 'request');
    store.setStatus('w1', 'active', 'done');
    expect(store.history('w1', 2).map((h) => h.to)).toEqual(['active', 'busy']);
    expect(store.history('nobody')).toEqual([]);
  });
});
