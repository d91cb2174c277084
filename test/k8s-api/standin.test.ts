/** The stand-in answers the unmodified @kubernetes/client-node as an API server would. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiException, AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { startK8sStandIn, type K8sStandIn } from './standin.ts';

let k: K8sStandIn;
let kc: KubeConfig;

beforeAll(async () => {
  k = await startK8sStandIn();
  kc = new KubeConfig();
  kc.loadFromFile(k.kubeconfigPath);
});
afterAll(() => k?.close());

async function apiError(p: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiException);
    const e = err as ApiException<any>;
    return { code: e.code, body: typeof e.body === 'string' ? JSON.parse(e.body) : e.body };
  }
  throw new Error('expected the call to fail');
}

describe('Kubernetes API stand-in', () => {
  it('serves discovery and CRUD to KubernetesObjectApi', async () => {
    const api = KubernetesObjectApi.makeApiClient(kc);
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    const created = await api.create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'team' }, spec: { replicas: 2 } } as any);
    expect(created.metadata?.uid).toBeTruthy();
    const again = await apiError(api.create({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'team' } }));
    expect(again).toMatchObject({ code: 409, body: { kind: 'Status', reason: 'AlreadyExists', message: 'deployments.apps "web" already exists' } });
    const patched = await api.patch({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'team' }, spec: { replicas: 3 } } as any, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
    expect((patched as any).spec.replicas).toBe(3);
    const list = await api.list('apps/v1', 'Deployment', 'team');
    expect(list.items.map((d) => d.metadata?.name)).toEqual(['web']);
    await api.delete({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'team' } });
    const gone = await apiError(api.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'team' } }));
    expect(gone).toMatchObject({ code: 404, body: { reason: 'NotFound', message: 'deployments.apps "web" not found', details: { name: 'web', kind: 'deployments' } } });
    expect(k.calls.some((c) => c.path === '/apis/apps/v1')).toBe(true);
  });

  it('serves the typed APIs: 201 create, 404 without the namespace, replace conflicts, label selectors, nodes', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const apps = kc.makeApiClient(AppsV1Api);
    const missing = await apiError(core.createNamespacedConfigMap({ namespace: 'nowhere', body: { metadata: { name: 'c' } } }));
    expect(missing).toMatchObject({ code: 404, body: { message: 'namespaces "nowhere" not found' } });
    await core.createNamespace({ body: { metadata: { name: 'blue', labels: { team: 'blue' } } } });
    await core.createNamespace({ body: { metadata: { name: 'red', labels: { team: 'red' } } } });
    const blue = await core.listNamespace({ labelSelector: 'team=blue' });
    expect(blue.items.map((n) => n.metadata?.name)).toEqual(['blue']);
    expect(blue.items[0].metadata?.labels?.['kubernetes.io/metadata.name']).toBe('blue');
    const cm = await core.createNamespacedConfigMap({ namespace: 'blue', body: { metadata: { name: 'c' }, data: { a: '1' } } });
    const stale = { ...cm, metadata: { ...cm.metadata, resourceVersion: '1' } };
    expect(await apiError(core.replaceNamespacedConfigMap({ name: 'c', namespace: 'blue', body: stale }))).toMatchObject({ code: 409, body: { reason: 'Conflict' } });
    const replaced = await core.replaceNamespacedConfigMap({ name: 'c', namespace: 'blue', body: { metadata: { name: 'c' }, data: { b: '2' } } });
    expect(replaced.data).toEqual({ b: '2' });
    const dep = await apps.createNamespacedDeployment({ namespace: 'blue', body: { metadata: { name: 'api' }, spec: { replicas: 2, selector: {}, template: {} } } });
    expect(dep.status?.readyReplicas).toBe(2);
    const nodes = await core.listNode();
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(['standin-node']);
  });

  it('refuses a wrong token and a JSON patch', async () => {
    const bad = new KubeConfig();
    bad.loadFromOptions({ clusters: kc.clusters, contexts: kc.contexts, currentContext: kc.currentContext, users: [{ name: 'standin', token: 'wrong' }] });
    expect(await apiError(bad.makeApiClient(CoreV1Api).listNode())).toMatchObject({ code: 401 });
    const api = KubernetesObjectApi.makeApiClient(kc);
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'p' } });
    await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'p' } });
    const r = await apiError(api.patch({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'p' } }, undefined, undefined, undefined, undefined, PatchStrategy.JsonPatch));
    expect(r.code).toBe(415);
  });

  it('holds a call until released and counts calls', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const before = k.count('GET', '/api/v1/nodes');
    const hold = k.hold((c) => c.path === '/api/v1/nodes');
    let done = false;
    const pending = core.listNode().then(() => (done = true));
    await hold.reached;
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    hold.release();
    await pending;
    expect(k.count('GET', '/api/v1/nodes')).toBe(before + 1);
  });
});
