/** The execution journal in the pool database (PoolStore's request-run methods). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPoolDb } from '../pool/db.ts';
import { PoolStore } from '../pool/store.ts';
import { applyScheduled, poolWithWorker, quickClock, scheduled } from './testing.ts';

const outcome = { success: true, output: '{"kind":"PodList","items":[]}', error: '', executionTimeMs: 12 };

describe('request journal', () => {
  it('starts a scheduled request once, in ledger order, and records its outcome and report', () => {
    const clock = quickClock();
    const store = poolWithWorker(clock);
    applyScheduled(store, scheduled({ requestId: 'r-2' }), scheduled({ requestId: 'r-1' }));
    expect(store.listUnstartedRequests().map((r) => r.requestId)).toEqual(['r-2', 'r-1']);
    clock.advance(5);
    expect(store.startRequest('r-2')).toMatchObject({ requestId: 'r-2', status: 'running', startedAt: clock.now() });
    expect(store.startRequest('r-2')).toBeNull();
    expect(store.startRequest('nope')).toBeNull();
    expect(store.listUnstartedRequests().map((r) => r.requestId)).toEqual(['r-1']);
    expect(store.listRequestRuns('started').map((r) => r.requestId)).toEqual(['r-2']);

    expect(store.completeRequestRun('r-2', outcome)).toBe(true);
    expect(store.completeRequestRun('r-2', { ...outcome, output: 'again' })).toBe(false);
    expect(store.getRequestRun('r-2')).toMatchObject({ state: 'executed', outcome, finishedAt: clock.now() });
    expect(store.closeRequestRun('r-2', '0xdigest')).toBe(true);
    expect(store.closeRequestRun('r-2', '0xother')).toBe(false);
    expect(store.getRequestRun('r-2')).toMatchObject({ state: 'reported', reportDigest: '0xdigest', outcome });
  });

  it('keeps the full output when the on-chain result echo rewrites the request row', () => {
    const store = poolWithWorker(quickClock());
    applyScheduled(store, scheduled({ requestId: 'r-1' }));
    store.startRequest('r-1');
    store.completeRequestRun('r-1', { ...outcome, output: 'x'.repeat(10_000) });
    store.applyChainEvents('k8s_scheduler', [{ kind: 'K8sAPIResult', txDigest: 'res', eventIndex: 0, requestId: 'r-1', assignedWorker: 'w1', success: true, output: 'x'.repeat(10), error: '', executionTimeMs: 12, timestamp: 1 }], 'c');
    expect(store.getRequest('r-1')).toMatchObject({ status: 'succeeded', result: { output: 'x'.repeat(10) } });
    expect(store.getRequestRun('r-1')?.outcome?.output).toHaveLength(10_000);
  });

  it('survives a restart: a started run is still started, never startable again', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'journal-')), 'pool.db');
    const first = poolWithWorker(quickClock(), path);
    applyScheduled(first, scheduled({ requestId: 'r-1' }));
    first.startRequest('r-1');
    first.close();
    const second = new PoolStore({ db: openPoolDb(path), clock: quickClock() });
    expect(second.startRequest('r-1')).toBeNull();
    expect(second.listRequestRuns('started').map((r) => r.requestId)).toEqual(['r-1']);
    expect(second.listUnstartedRequests()).toEqual([]);
    second.close();
  });
});
