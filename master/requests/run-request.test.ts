/** runK8sRequest against the Kubernetes API stand-in through the real client-node adapter. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startK8sStandIn, type K8sStandIn } from '../../test/k8s-api/standin.ts';
import { KubeApiError, RequestRefusedError } from './errors.ts';
import { kubeClientFromKubeconfig } from './kube-client.ts';
import type { KubeApi } from './kube.ts';
import { runK8sRequest, type K8sRequestInput } from './run-request.ts';
import { OWNER_LABEL, OwnerScope } from './scope.ts';

const ALICE = `0x${'a1'.repeat(32)}`;
const BOB = `0x${'b2'.repeat(32)}`;
const alice = new OwnerScope(ALICE);

let k: K8sStandIn;
let kube: KubeApi;
const created: string[] = [];

beforeAll(async () => {
  k = await startK8sStandIn();
  kube = kubeClientFromKubeconfig({ kubeconfigPath: k.kubeconfigPath });
});
afterAll(() => k?.close());

function run(req: Partial<K8sRequestInput>) {
  const full = { method: 'GET', resource: 'pods', namespace: 'production', name: '', payload: '', requester: ALICE, ...req };
  return runK8sRequest(full, { kube, onNamespaceCreated: (_o, _n, cluster) => created.push(cluster) });
}

const DEPLOYMENT_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: { app: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
`;

describe('runK8sRequest', () => {
  it('POST with a YAML body creates the object in the owner\'s namespace, created and labelled on first use', async () => {
    const out = await run({ method: 'POST', resource: 'deployments', payload: DEPLOYMENT_YAML });
    expect(out).toMatchObject({ kind: 'Deployment', metadata: { name: 'web', namespace: 'production' }, spec: { replicas: 2 } });
    expect(JSON.stringify(out)).not.toContain(alice.prefix);
    const ns = k.objects.get({ name: 'namespaces' } as any, '', `${alice.prefix}-production`)!;
    expect(ns.metadata.labels).toMatchObject({ [OWNER_LABEL]: alice.labelValue, 'k8s-daas.io/owner-prefix': alice.prefix });
    expect(ns.metadata.annotations).toEqual({ 'k8s-daas.io/owner-address': ALICE });
    expect(created).toEqual([`${alice.prefix}-production`]);
    expect(k.objects.get({ name: 'deployments' } as any, `${alice.prefix}-production`, 'web')).toBeTruthy();
  });

  it('GET lists in kubectl\'s shape and gets by name; PATCH merges; PUT replaces; DELETE deletes', async () => {
    await run({ method: 'POST', payload: JSON.stringify({ metadata: { name: 'api' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }) });
    const list = await run({});
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'PodList', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'api', namespace: 'production' } }] });
    const patched = await run({ method: 'PATCH', resource: 'deployments', name: 'web', payload: '{"spec":{"replicas":5}}' });
    expect(patched).toMatchObject({ spec: { replicas: 5 }, metadata: { namespace: 'production' } });
    const replaced = await run({ method: 'PUT', resource: 'configmaps', name: 'cfg', payload: 'data: {a: "1"}' }).catch((e) => e);
    expect(replaced).toBeInstanceOf(KubeApiError);
    expect((replaced as KubeApiError).toResultError()).toBe('Error from server (NotFound): configmaps "cfg" not found');
    await run({ method: 'POST', resource: 'configmaps', name: 'cfg', payload: 'data: {a: "1"}' });
    expect(await run({ method: 'PUT', resource: 'configmaps', name: 'cfg', payload: 'data: {b: "2"}' })).toMatchObject({ data: { b: '2' } });
    const deleted = await run({ method: 'DELETE', name: 'api' });
    expect(deleted).toMatchObject({ kind: 'Pod', metadata: { name: 'api', namespace: 'production' } });
    expect(await run({ method: 'GET', name: 'api' }).catch((e: KubeApiError) => e.toResultError())).toBe('Error from server (NotFound): pods "api" not found');
  });

  it('lists only the owner\'s namespaces, by their short names', async () => {
    await run({ method: 'POST', resource: 'configmaps', namespace: 'staging', payload: '{"metadata":{"name":"x"}}' });
    await run({ method: 'POST', resource: 'configmaps', namespace: 'staging', payload: '{"metadata":{"name":"x"}}', requester: BOB });
    const list = await run({ resource: 'namespaces', namespace: '' });
    expect((list.items as any[]).map((n) => n.metadata.name)).toEqual(['production', 'staging']);
    expect((list.items as any[])[0].metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'production' });
    expect(await run({ resource: 'namespaces', name: 'staging' })).toMatchObject({ kind: 'Namespace', metadata: { name: 'staging' } });
  });

  it('refuses another owner\'s namespace: in the payload, or under a colliding prefix', async () => {
    const bob = new OwnerScope(BOB);
    const posts = k.count('POST');
    const foreign = await run({ method: 'POST', resource: 'configmaps', payload: JSON.stringify({ metadata: { name: 'x', namespace: `${bob.prefix}-staging` } }) }).catch((e) => e);
    expect(foreign).toBeInstanceOf(RequestRefusedError);
    expect(foreign.message).toContain('differs from the request\'s namespace "production"');
    expect(k.count('POST')).toBe(posts);
    // A key ground to share alice's prefix: its namespace is labelled with its own full address.
    k.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${alice.prefix}-shared`, labels: { [OWNER_LABEL]: bob.labelValue } } });
    const collided = await run({ namespace: 'shared' }).catch((e) => e);
    expect(collided).toBeInstanceOf(RequestRefusedError);
    expect(collided.toResultError()).toBe('refused: namespace "shared" belongs to another owner');
    expect(await run({ resource: 'namespaces', name: 'shared' }).catch((e: KubeApiError) => e.toResultError())).toBe('Error from server (NotFound): namespaces "shared" not found');
    expect(((await run({ resource: 'namespaces' })).items as any[]).map((n) => n.metadata.name)).not.toContain('shared');
  });

  it('refuses bad namespaces, mismatching payloads and writes to cluster-scoped resources', async () => {
    const refused = (req: Partial<K8sRequestInput>) => run(req).then(() => 'ran', (e: Error) => (e instanceof RequestRefusedError ? e.message : `other: ${e.message}`));
    expect(await refused({ namespace: 'Prod' })).toContain('is not a DNS label');
    expect(await refused({ namespace: 'n'.repeat(51) })).toContain('at most 50 characters');
    expect(await refused({ method: 'POST', payload: 'kind: Service\nmetadata: {name: s}' })).toContain('the payload is a Service');
    expect(await refused({ method: 'POST', name: 'a', payload: '{"metadata":{"name":"b"}}' })).toContain('names "b" but the request names "a"');
    expect(await refused({ method: 'POST', payload: 'a: 1\n---\nb: 2\n' })).toContain('2 YAML documents');
    expect(await refused({ method: 'DELETE' })).toContain('needs the name');
    expect(await refused({ method: 'POST', resource: 'nodes', payload: '{}' })).toContain('read-only');
  });

  it('reads nodes; redacts Secret values', async () => {
    const nodes = await run({ resource: 'nodes', namespace: '' });
    expect(nodes).toMatchObject({ kind: 'NodeList', items: [{ kind: 'Node', metadata: { name: 'standin-node' } }] });
    await run({ method: 'POST', resource: 'secrets', payload: 'metadata: {name: db}\nstringData: {password: hunter2}' });
    const secret = await run({ resource: 'secrets', name: 'db' });
    expect(secret.data).toEqual({ password: '<redacted>' });
    expect(JSON.stringify(secret)).not.toContain(Buffer.from('hunter2').toString('base64'));
  });

  it('reports an unreachable API and an unreadable kubeconfig as KubeApiError', async () => {
    const none = kubeClientFromKubeconfig({ kubeconfigPath: '/nonexistent/k3s.yaml' });
    const err = await runK8sRequest({ method: 'GET', resource: 'nodes', namespace: '', name: '', payload: '', requester: ALICE }, { kube: none }).catch((e) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err.toResultError()).toMatch(/^error: cannot load the kubeconfig \/nonexistent\/k3s.yaml \(K3S_KUBECONFIG\)/);
  });
});
