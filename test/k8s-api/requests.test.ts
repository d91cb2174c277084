/**
 * Kubernetes API requests end to end: submitted on the local chain by an owner, scheduled by
 * k8s_scheduler, executed by a real master (in-process) against the Kubernetes API stand-in through
 * the unmodified @kubernetes/client-node, and recorded on chain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MoveAbortError } from '../../shared/chain/chain-errors.ts';
import { OWNER_LABEL, OwnerScope } from '../../master/requests/scope.ts';
import { RESTART_REASON } from '../../master/requests/index.ts';
import { startChainFixture, type ChainFixture } from '../helpers/chain.ts';
import { startK8sStandIn, type K8sStandIn } from './standin.ts';
import { ownerWithWorker, rid, startRequestMaster, until, waitForResult, type Owner, type RequestMaster } from './harness.ts';

let fx: ChainFixture;
let k: K8sStandIn;
let m: RequestMaster;
let alice: Owner;
let bob: Owner;

beforeAll(async () => {
  fx = await startChainFixture();
  k = await startK8sStandIn();
  m = await startRequestMaster(fx, k.kubeconfigPath);
  alice = await ownerWithWorker(fx, m, 'alice-w1');
  bob = await ownerWithWorker(fx, m, 'bob-w1');
});
afterAll(async () => {
  for (const o of [alice, bob]) o?.agent.close();
  await m?.close();
  await k?.close();
  await fx?.close();
});

function submit(owner: Owner, req: { requestId: string; method?: string; resource?: string; namespace?: string; name?: string; payload?: string }) {
  return fx.chain.submitK8sRequest({ signer: owner.key, method: 'GET', resource: 'pods', namespace: 'production', name: '', payload: '', priority: 5, ...req });
}

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: nginx, image: "nginx:1.27" }] }
`;

describe('Kubernetes API requests through the chain', () => {
  it('submit → executed → K8sAPIResult event with the output, and the full result at /api/v1/requests/:id', async () => {
    const scope = new OwnerScope(alice.address);
    k.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: scope.clusterNamespace('production'), labels: scope.namespaceLabels() } });
    k.seed({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nginx', namespace: scope.clusterNamespace('production') }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } });
    const requestId = rid('get');
    const tx = await submit(alice, { requestId });
    expect(tx.events[0]).toMatchObject({ kind: 'K8sAPIRequestScheduled', requestId, assignedWorker: 'alice-w1' });
    const result = await waitForResult(fx, requestId);
    expect(result).toMatchObject({ success: true, error: '', assignedWorker: 'alice-w1' });
    const output = JSON.parse(result.output);
    expect(output).toMatchObject({ kind: 'PodList', items: [{ kind: 'Pod', metadata: { name: 'nginx', namespace: 'production' }, status: { phase: 'Running' } }] });
    expect(result.output).not.toContain(scope.prefix);

    const view: any = await (await fetch(`${m.master.url}/api/v1/requests/${requestId}`)).json();
    expect(view).toMatchObject({ requestId, status: 'succeeded', output: output, report: { state: 'recorded', txDigest: result.txDigest } });
    expect(view.timings.executionTimeMs).toBeGreaterThanOrEqual(0);
    expect((await fetch(`${m.master.url}/api/v1/requests/nope`)).status).toBe(404);
  });

  it('POST with a YAML body creates the object in the owner\'s scoped namespace; the output shows N', async () => {
    const requestId = rid('post');
    await submit(alice, { requestId, method: 'POST', resource: 'deployments', namespace: 'staging', payload: WEB });
    const result = await waitForResult(fx, requestId);
    expect(result.success).toBe(true);
    expect(JSON.parse(result.output)).toMatchObject({ kind: 'Deployment', metadata: { name: 'web', namespace: 'staging' }, spec: { replicas: 2 } });
    const scope = new OwnerScope(alice.address);
    expect(k.objects.get({ name: 'deployments' } as any, scope.clusterNamespace('staging'), 'web')).toBeTruthy();
    expect(k.objects.get({ name: 'namespaces' } as any, '', scope.clusterNamespace('staging'))?.metadata.labels[OWNER_LABEL]).toBe(scope.labelValue);
  });

  it('refuses another owner\'s namespace', async () => {
    const aliceNs = new OwnerScope(alice.address).clusterNamespace('production');
    const requestId = rid('foreign');
    const posts = k.count('POST');
    await submit(bob, { requestId, method: 'POST', resource: 'configmaps', payload: JSON.stringify({ metadata: { name: 'x', namespace: aliceNs } }) });
    const result = await waitForResult(fx, requestId);
    expect(result).toMatchObject({ success: false, output: '', assignedWorker: 'bob-w1' });
    expect(result.error).toMatch(/^refused: the payload's namespace ".*" differs from the request's namespace "production"$/);
    expect(k.count('POST')).toBe(posts);
    expect(k.objects.get({ name: 'configmaps' } as any, aliceNs, 'x')).toBeUndefined();
  });

  it('keeps the worker busy while its request is in flight, active after', async () => {
    const hold = k.hold((c) => c.method === 'GET' && c.path.endsWith('/services'));
    const requestId = rid('busy');
    await submit(alice, { requestId, resource: 'services' });
    await hold.reached;
    expect(m.master.store.getWorker('alice-w1')?.status).toBe('busy');
    const worker: any = await (await fetch(`${m.master.url}/api/v1/workers/alice-w1`)).json();
    expect(worker.status).toBe('busy');
    hold.release();
    expect((await waitForResult(fx, requestId)).success).toBe(true);
    await until(() => m.master.store.getWorker('alice-w1')?.status === 'active', 'alice-w1 active again');
  });

  it('GET nodes works; POST nodes aborts on chain with EUnauthorizedRequest', async () => {
    const requestId = rid('nodes');
    await submit(bob, { requestId, resource: 'nodes', namespace: '' });
    const result = await waitForResult(fx, requestId);
    expect(JSON.parse(result.output)).toMatchObject({ kind: 'NodeList', items: [{ metadata: { name: 'standin-node' } }] });
    const refused = await submit(bob, { requestId: rid('post-node'), method: 'POST', resource: 'nodes', payload: '{}' }).catch((e) => e);
    expect(refused).toBeInstanceOf(MoveAbortError);
    expect(refused.abortName).toBe('EUnauthorizedRequest');
  });

  it('a crash between start and finish: reported failed by the restarted master, not re-run', async () => {
    const scope = new OwnerScope(bob.address);
    k.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: scope.clusterNamespace('apps'), labels: scope.namespaceLabels() } });
    k.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'victim', namespace: scope.clusterNamespace('apps') } });
    const path = `/api/v1/namespaces/${scope.clusterNamespace('apps')}/configmaps/victim`;
    const hold = k.hold((c) => c.method === 'DELETE' && c.path === path);
    const requestId = rid('crash');
    await submit(bob, { requestId, method: 'DELETE', resource: 'configmaps', namespace: 'apps', name: 'victim' });
    await hold.reached; // journalled as started, the API call in flight

    // The crash: the master goes away without finishing the request (its executor is abandoned).
    const crashed = m;
    await crashed.master.close();
    m = await startRequestMaster(fx, k.kubeconfigPath, { dbPath: `${crashed.dir}/pool.db` });
    const result = await waitForResult(fx, requestId);
    expect(result).toMatchObject({ success: false, error: `error: ${RESTART_REASON}` });
    hold.release(); // the old process's call was already on the wire; it lands once
    await crashed.executor.stop();
    await m.executor.settled();
    expect(k.count('DELETE', path)).toBe(1);
    expect(m.master.store.getRequestRun(requestId)).toMatchObject({ state: 'reported', outcome: { success: false } });
  });
});
