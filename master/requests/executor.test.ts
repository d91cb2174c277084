/** The request executor over a real pool database, the Kubernetes API stand-in and a fake chain port. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MoveAbortError } from '../../shared/chain/chain-errors.ts';
import { DaasError } from '../../shared/errors.ts';
import { startK8sStandIn, type K8sStandIn } from '../../test/k8s-api/standin.ts';
import type { PoolStore } from '../pool/store.ts';
import { createRequestExecutor, kubeClientFromKubeconfig, RESTART_REASON, type RequestExecutor } from './index.ts';
import { NO_SIGNER, OWNER, T0, applyScheduled, fakeResultChain, poolWithWorker, quickClock, scheduled, silentLogger, until } from './testing.ts';

let k: K8sStandIn;
const open: Array<{ ex: RequestExecutor; store: PoolStore }> = [];

beforeAll(async () => {
  k = await startK8sStandIn();
});
afterAll(() => k?.close());
afterEach(async () => {
  for (const { ex, store } of open.splice(0)) {
    await ex.stop();
    store.close();
  }
});

function setup(opts: { path?: string; recover?: boolean; staleAfterMs?: number } = {}) {
  const clock = quickClock();
  const store = poolWithWorker(clock, opts.path);
  const fake = fakeResultChain();
  const ex = createRequestExecutor({
    store,
    chain: fake.chain,
    signer: NO_SIGNER,
    masterCapId: '0xcap',
    kube: kubeClientFromKubeconfig({ kubeconfigPath: k.kubeconfigPath }),
    clock,
    logger: silentLogger(),
    staleAfterMs: opts.staleAfterMs,
    reportBackoff: { baseMs: 1, capMs: 2 },
  });
  open.push({ ex, store });
  return { clock, store, ex, ...fake };
}

describe('request executor', () => {
  it('executes a scheduled request once, records the result on chain and serves it', async () => {
    const { store, ex, reports } = setup();
    await ex.recover();
    ex.onEvents(applyScheduled(store, scheduled({ requestId: 'r-post', method: 'POST', resource: 'configmaps', payload: 'metadata: {name: app}\ndata: {mode: prod}' })));
    ex.onEvents(applyScheduled(store, scheduled({ requestId: 'r-get', resource: 'configmaps' })));
    await until(() => reports.length === 2, 'two reports');
    await ex.settled();
    expect(reports.map((r) => [r.requestId, r.success, r.masterCapId])).toEqual([['r-post', true, '0xcap'], ['r-get', true, '0xcap']]);
    expect(JSON.parse(reports[1].output)).toMatchObject({ kind: 'ConfigMapList', items: [{ kind: 'ConfigMap', metadata: { name: 'app', namespace: 'production' }, data: { mode: 'prod' } }] });
    expect(store.getRequestRun('r-get')).toMatchObject({ state: 'reported', reportDigest: 'report-r-get' });
    // Delivered again (a re-read page): nothing runs twice.
    const posts = k.count('POST', '/configmaps');
    ex.onEvents([scheduled({ requestId: 'r-post' })]);
    await ex.settled();
    expect(k.count('POST', '/configmaps')).toBe(posts);
    expect(reports).toHaveLength(2);
  });

  it('keeps the worker busy while a request is in flight, active after', async () => {
    const { store, ex, reports } = setup();
    await ex.recover();
    const hold = k.hold((c) => c.method === 'GET' && c.path.endsWith('/secrets'));
    ex.onEvents(applyScheduled(store, scheduled({ requestId: 'r-slow', resource: 'secrets' })));
    await hold.reached;
    expect(store.getWorker('w1')?.status).toBe('busy');
    hold.release();
    await until(() => reports.length === 1, 'the report');
    expect(store.getWorker('w1')?.status).toBe('active');
    expect(store.history('w1', 3).map((h) => `${h.from}→${h.to}`)).toEqual(['busy→active', 'active→busy', 'pending→active']);
  });

  it('reports a run interrupted by a crash as failed and never re-runs it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'exec-')), 'pool.db');
    const first = setup({ path });
    applyScheduled(first.store, scheduled({ requestId: 'r-crash', method: 'DELETE', resource: 'configmaps', name: 'app' }));
    // The crash: "started" was journalled (and the worker made busy), the API call never finished.
    first.store.startRequest('r-crash');
    first.store.setStatus('w1', 'busy', 'executing request r-crash');
    await first.ex.stop();
    first.store.close();
    open.length = 0;

    const deletes = k.count('DELETE');
    const second = setup({ path });
    await second.ex.recover();
    await until(() => second.reports.length === 1, 'the failure report');
    expect(second.reports[0]).toMatchObject({ requestId: 'r-crash', success: false, error: `error: ${RESTART_REASON}`, output: '' });
    expect(k.count('DELETE')).toBe(deletes);
    expect(second.store.getWorker('w1')?.status).toBe('active');
  });

  it('refuses requests of another owner, and requests that waited too long', async () => {
    const { store, ex, reports, clock } = setup({ staleAfterMs: 60_000 });
    await ex.recover();
    const calls = k.calls.length;
    ex.onEvents(applyScheduled(store, scheduled({ requestId: 'r-mallory', requester: `0x${'99'.repeat(32)}` })));
    ex.onEvents(applyScheduled(store, scheduled({ requestId: 'r-ghost', assignedWorker: 'nobody' })));
    await until(() => reports.length === 2, 'two reports');
    clock.set(T0 + 120_000);
    ex.onEvents(applyScheduled(store, scheduled({ requestId: 'r-old' })));
    await until(() => reports.length === 3, 'three reports');
    expect(reports.map((r) => [r.requestId, r.success, r.error])).toEqual([
      ['r-mallory', false, 'refused: the assigned worker w1 is not owned by the requester'],
      ['r-ghost', false, "refused: the assigned worker nobody is not in the master's pool"],
      ['r-old', false, 'error: expired: scheduled 120 s ago, more than the 60 s a request may wait; not run'],
    ]);
    expect(k.calls.length).toBe(calls);
  });

  it('waits for recover() before running anything', async () => {
    const { store, ex, reports } = setup();
    ex.onEvents(applyScheduled(store, scheduled({ requestId: 'r-early', resource: 'nodes', namespace: '' })));
    await new Promise((r) => setTimeout(r, 50));
    expect(store.getRequestRun('r-early')).toBeUndefined();
    await ex.recover();
    await until(() => reports.length === 1, 'the report');
    expect(JSON.parse(reports[0].output)).toMatchObject({ kind: 'NodeList' });
  });

  it('retries reports on RPC errors, drops one the contract refuses, and takes a chain echo as done', async () => {
    const { store, ex, reports, failures } = setup();
    failures.push(new DaasError('CHAIN_UNAVAILABLE', 'down', { retryable: true }), new DaasError('CHAIN_UNAVAILABLE', 'down', { retryable: true }));
    await ex.recover();
    ex.onEvents(applyScheduled(store, scheduled({ requestId: 'r-retry', resource: 'nodes', namespace: '' })));
    await until(() => reports.length === 1, 'the report after two failures');
    // The failure note is kept while retrying and cleared by the success.
    expect(store.getRequestRun('r-retry')).toMatchObject({ state: 'reported', reportDigest: 'report-r-retry', reportNote: null });

    failures.push(new MoveAbortError('EInvalidRequest', 2, 'k8s_scheduler', 'record_api_result'));
    ex.onEvents(applyScheduled(store, scheduled({ requestId: 'r-refused', resource: 'nodes', namespace: '' })));
    await until(() => store.getRequestRun('r-refused')?.state === 'reported', 'the refused report closed');
    expect(store.getRequestRun('r-refused')).toMatchObject({ reportDigest: null, reportNote: expect.stringContaining('EInvalidRequest') });

    // Reported by an earlier process whose close was lost: the chain's echo closes it.
    applyScheduled(store, scheduled({ requestId: 'r-echo' }));
    store.startRequest('r-echo');
    store.completeRequestRun('r-echo', { success: true, output: '{}', error: '', executionTimeMs: 1 });
    ex.onEvents([{ kind: 'K8sAPIResult', txDigest: '0xecho', eventIndex: 0, checkpoint: '9', sender: OWNER, requestId: 'r-echo', assignedWorker: 'w1', success: true, output: '{}', error: '', executionTimeMs: 1, timestamp: T0 }]);
    expect(store.getRequestRun('r-echo')).toMatchObject({ state: 'reported', reportDigest: '0xecho' });
  });

  it('puts at most 4 KiB of output on chain, marked as truncated; the route serves all of it', async () => {
    const { store, ex, reports } = setup();
    await ex.recover();
    for (let i = 0; i < 40; i++) k.seed({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${String(i).padStart(2, '0')}`, namespace: 'o-ababababab-big', annotations: { note: 'x'.repeat(200) } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    ex.onEvents(applyScheduled(store, scheduled({ requestId: 'r-big', namespace: 'big' })));
    await until(() => reports.length === 1, 'the report');
    const onChain = JSON.parse(reports[0].output);
    expect(Buffer.byteLength(reports[0].output)).toBeLessThanOrEqual(4096);
    expect(onChain.k8sDaasTruncated).toMatchObject({ fullOutput: '/api/v1/requests/r-big', omittedItems: expect.any(Number) });
    expect(onChain.items.length + onChain.k8sDaasTruncated.omittedItems).toBe(40);
    expect(onChain.items[0]).toMatchObject({ metadata: { name: 'pod-00', namespace: 'big' }, status: { phase: 'Running' } });

    const route = ex.routes()[0];
    const res = fakeResponse();
    route.handle({} as any, res as any, { path: '/api/v1/requests/r-big', params: { requestId: 'r-big' } });
    const view = JSON.parse(res.body);
    expect(view).toMatchObject({ requestId: 'r-big', status: 'succeeded', success: true, truncatedOnChain: true, report: { state: 'recorded', txDigest: 'report-r-big' } });
    expect(view.output.items).toHaveLength(40);
    expect(view.output.items[0].metadata.annotations.note).toHaveLength(200);
  });
});

function fakeResponse() {
  const res = { status: 0, body: '', headersSent: false, writeHead: (s: number) => ((res.status = s), res), end: (b: string) => void (res.body = b) };
  return res;
}
