/**
 * Executes one scheduled request against the Kubernetes API, scoped to the requester: the owner's
 * namespace `N` becomes `<prefix>-N` (scope.ts), created on the first write and checked to be the
 * requester's on every use; cluster-scoped resources are read-only; the answer comes back in the
 * owner's names. Nothing here touches the database or the chain.
 */
import { KubeApiError, RequestRefusedError } from './errors.ts';
import type { KubeApi } from './kube.ts';
import { kubectlShape, redactSecrets } from './output.ts';
import { mergePatchFor, objectForWrite, parsePayload, type KubeObject, type PayloadContext } from './payload.ts';
import { RESOURCES, isK8sResource, type ResourceInfo } from './resources.ts';
import { OwnerScope } from './scope.ts';

/** The fields of a scheduled request that decide what is executed. */
export interface K8sRequestInput {
  method: string;
  resource: string;
  namespace: string;
  name: string;
  payload: string;
  requester: string;
}

export interface RunOptions {
  kube: KubeApi;
  /** Told when a namespace was created for an owner (for the log). */
  onNamespaceCreated?: (owner: string, name: string, clusterName: string) => void;
}

const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace' } as const;

/**
 * The API server's answer in kubectl's JSON shape, in the owner's names, Secrets redacted.
 * @throws RequestRefusedError before any API call when the request may not run; KubeApiError when the API says no.
 */
export async function runK8sRequest(req: K8sRequestInput, options: RunOptions): Promise<KubeObject> {
  if (!isK8sResource(req.resource)) throw new RequestRefusedError(`resource ${JSON.stringify(req.resource)} is not served`);
  const info = RESOURCES[req.resource];
  const scope = new OwnerScope(req.requester);
  const answer = await dispatch(req, info, scope, options);
  return scope.hidePrefix(redactSecrets(kubectlShape(answer, info)));
}

async function dispatch(req: K8sRequestInput, info: ResourceInfo, scope: OwnerScope, options: RunOptions): Promise<KubeObject> {
  const { kube } = options;
  if (!info.namespaced && req.method !== 'GET') {
    throw new RequestRefusedError(`${info.resource} are cluster-scoped and read-only: only GET is allowed`);
  }
  if (info.resource === 'namespaces') return req.name ? readOwnNamespace(kube, scope, req.name) : listOwnNamespaces(kube, scope);
  if (!info.namespaced) {
    const { apiVersion, kind } = info;
    return req.name ? kube.read({ apiVersion, kind, name: req.name }) : kube.list({ apiVersion, kind });
  }
  const namespace = scope.clusterNamespace(req.namespace);
  const ctx: PayloadContext = { info, name: req.name, namespace: req.namespace, clusterNamespace: namespace };
  const ref = { apiVersion: info.apiVersion, kind: info.kind, name: req.name, namespace };
  switch (req.method) {
    case 'GET':
      await claimNamespace(scope, namespace, false, options);
      return req.name ? kube.read(ref) : kube.list({ apiVersion: info.apiVersion, kind: info.kind, namespace });
    case 'POST': {
      const obj = objectForWrite(parsePayload(req.payload), ctx, { nameRequired: false });
      await claimNamespace(scope, namespace, true, options);
      return kube.create(obj);
    }
    case 'PUT': {
      const obj = objectForWrite(parsePayload(req.payload), ctx, { nameRequired: true });
      await claimNamespace(scope, namespace, true, options);
      return kube.replace(obj);
    }
    case 'PATCH': {
      const patch = mergePatchFor(parsePayload(req.payload), ctx);
      await claimNamespace(scope, namespace, false, options);
      return kube.mergePatch(patch);
    }
    case 'DELETE':
      if (!req.name) throw new RequestRefusedError('DELETE needs the name of the object to delete');
      await claimNamespace(scope, namespace, false, options);
      return kube.delete(ref);
    default:
      throw new RequestRefusedError(`method ${JSON.stringify(req.method)} is not served`);
  }
}

/**
 * Checks that the cluster namespace is the owner's (its owner label), creating it when missing and
 * `create` is set. A missing namespace without `create` is left to the API (404, or an empty list).
 * @throws RequestRefusedError when the namespace exists with another owner (a prefix collision).
 */
async function claimNamespace(scope: OwnerScope, name: string, create: boolean, options: RunOptions): Promise<void> {
  const { kube } = options;
  const short = scope.shortName(name) ?? name;
  const check = (ns: KubeObject) => {
    if (!scope.owns(ns)) throw new RequestRefusedError(`namespace ${JSON.stringify(short)} belongs to another owner`);
  };
  try {
    return check(await kube.read({ ...NAMESPACE, name }));
  } catch (err) {
    if (!(err instanceof KubeApiError && err.status === 404)) throw err;
  }
  if (!create) return;
  try {
    await kube.create({ ...NAMESPACE, metadata: { name, labels: scope.namespaceLabels(), annotations: scope.namespaceAnnotations() } });
    options.onNamespaceCreated?.(scope.owner, short, name);
  } catch (err) {
    // Created meanwhile by a concurrent request: it must still be this owner's.
    if (!(err instanceof KubeApiError && err.status === 409)) throw err;
    check(await kube.read({ ...NAMESPACE, name }));
  }
}

async function listOwnNamespaces(kube: KubeApi, scope: OwnerScope): Promise<KubeObject> {
  const list = await kube.list({ ...NAMESPACE, labelSelector: scope.selector() });
  const items = ((list.items ?? []) as KubeObject[]).filter((ns) => scope.owns(ns) && scope.shortName(ns.metadata?.name ?? '') !== null);
  return { ...list, items };
}

async function readOwnNamespace(kube: KubeApi, scope: OwnerScope, n: string): Promise<KubeObject> {
  const name = scope.clusterNamespace(n);
  const notFound = () => new KubeApiError(404, 'NotFound', `namespaces "${n}" not found`);
  let ns: KubeObject;
  try {
    ns = await kube.read({ ...NAMESPACE, name });
  } catch (err) {
    throw err instanceof KubeApiError && err.status === 404 ? notFound() : err;
  }
  // Someone else's namespace under a colliding prefix reads as absent, as kubectl would show it.
  if (!scope.owns(ns)) throw notFound();
  return ns;
}
