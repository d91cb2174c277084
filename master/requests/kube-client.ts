/**
 * The KubeApi adapter on the unmodified `@kubernetes/client-node` (KubernetesObjectApi), with the
 * kubeconfig the master is given (K3S_KUBECONFIG, default /etc/rancher/k3s/k3s.yaml).
 *
 * KubernetesObjectApi (de)serializes through its generated models, which drop fields they do not
 * know and turn timestamps into Date objects. A request-scoped middleware therefore sends the
 * caller's JSON as the body and hands back the server's JSON as received, so outputs are exactly
 * what the API server said (kubectl's view) and no field of a payload is lost.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { KubernetesObjectApi, RequestContext, ResponseContext } from '@kubernetes/client-node';
import { KubeApiError } from './errors.ts';
import type { KubeApi, ListRef, ObjectRef } from './kube.ts';
import type { KubeObject } from './payload.ts';

export const DEFAULT_KUBECONFIG = '/etc/rancher/k3s/k3s.yaml';
/** How long one API call may take (discovery included). */
export const DEFAULT_KUBE_TIMEOUT_MS = 30_000;

export interface KubeClientOptions {
  /** The kubeconfig file; read on first use, so a master without K3s still starts. */
  kubeconfigPath: string;
  timeoutMs?: number;
}

interface Exchange {
  /** The JSON body to send instead of the client's re-serialized one. */
  send?: string;
  status?: number;
  body?: string;
}

/** A KubeApi on the cluster of `kubeconfigPath`'s current context. Never throws; calls reject with KubeApiError. */
export function kubeClientFromKubeconfig(options: KubeClientOptions): KubeApi {
  const timeoutMs = options.timeoutMs ?? DEFAULT_KUBE_TIMEOUT_MS;
  const exchange = new AsyncLocalStorage<Exchange>();
  let client: { api: KubernetesObjectApi; server: string; k8s: KubeClientModule } | null = null;

  const connect = async () => {
    if (client) return client;
    const k8s = await loadClient().catch((err: Error) => {
      throw new KubeApiError(0, 'ClientError', `cannot load @kubernetes/client-node (reinstall the master's dependencies: npm ci): ${err.message}`, { cause: err });
    });
    const kc = new k8s.KubeConfig();
    try {
      kc.loadFromFile(options.kubeconfigPath);
    } catch (err) {
      throw new KubeApiError(0, 'Unavailable', `cannot load the kubeconfig ${options.kubeconfigPath} (K3S_KUBECONFIG): ${(err as Error).message}`, { cause: err });
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubeApiError(0, 'Unavailable', `the kubeconfig ${options.kubeconfigPath} has no current cluster`);
    const config = k8s.createConfiguration({
      baseServer: new k8s.ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      promiseMiddleware: [{ pre: async (ctx) => prepare(ctx, exchange.getStore(), timeoutMs), post: async (rsp) => record(rsp, exchange.getStore()) }],
    });
    client = { api: new k8s.KubernetesObjectApi(config), server: cluster.server, k8s };
    return client;
  };

  const call = async (send: KubeObject | undefined, fn: (api: KubernetesObjectApi, k8s: KubeClientModule) => Promise<unknown>): Promise<KubeObject> => {
    const { api, server, k8s } = await connect();
    const ex: Exchange = { send: send === undefined ? undefined : JSON.stringify(send) };
    try {
      await exchange.run(ex, () => fn(api, k8s));
    } catch (err) {
      // The server may have done it even if the client then choked on the answer: trust the status.
      if (!(ex.status !== undefined && ex.status < 300 && ex.body !== undefined)) throw toKubeError(err, ex, server, timeoutMs, k8s.ApiException);
    }
    return parseBody(ex);
  };

  const header = (ref: { apiVersion: string; kind: string; name?: string; namespace?: string }) => ({
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name ?? '', namespace: ref.namespace },
  });

  return {
    read: (ref: ObjectRef) => call(undefined, (api) => api.read(header(ref))),
    list: (ref: ListRef) =>
      call(undefined, (api) => api.list(ref.apiVersion, ref.kind, ref.namespace, undefined, undefined, undefined, undefined, ref.labelSelector)),
    create: (obj) => call(obj, (api) => api.create(obj)),
    replace: (obj) => call(obj, (api) => api.replace(obj)),
    mergePatch: (patch) => call(patch, (api, k8s) => api.patch(patch, undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch)),
    delete: (ref: ObjectRef) => call(undefined, (api) => api.delete(header(ref))),
  };
}

/**
 * The client is loaded on the first API call, not with the master: its generated models (source
 * text, compiled code, ~1,400 modules) were ~27 MB of a master's heap at 10,000 agents, which every
 * major GC would otherwise mark for the life of a master that may never run a request.
 */
type KubeClientModule = typeof import('@kubernetes/client-node');
let clientModule: Promise<KubeClientModule> | null = null;
function loadClient(): Promise<KubeClientModule> {
  return (clientModule ??= import('@kubernetes/client-node'));
}

async function prepare(ctx: RequestContext, ex: Exchange | undefined, timeoutMs: number): Promise<RequestContext> {
  ctx.setSignal(AbortSignal.timeout(timeoutMs));
  // Discovery GETs (/api/v1, /apis/apps/v1) carry no body; only the call itself does.
  if (ex?.send !== undefined && ctx.getHttpMethod() !== 'GET') ctx.setBody(ex.send);
  return ctx;
}

async function record(rsp: ResponseContext, ex: Exchange | undefined): Promise<ResponseContext> {
  const text = await rsp.body.text();
  if (ex) {
    ex.status = rsp.httpStatusCode;
    ex.body = text;
  }
  // The fetch body is read once; give the client a copy to read again.
  rsp.body = { text: async () => text, binary: async () => Buffer.from(text) };
  return rsp;
}

function parseBody(ex: Exchange): KubeObject {
  try {
    return JSON.parse(ex.body ?? '') as KubeObject;
  } catch {
    throw new KubeApiError(0, 'InternalError', `the Kubernetes API answered HTTP ${ex.status} with a body that is not JSON`);
  }
}

function toKubeError(err: unknown, ex: Exchange, server: string, timeoutMs: number, ApiException: KubeClientModule['ApiException']): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const status = ex.status ?? (err instanceof ApiException ? err.code : undefined);
  if (status !== undefined && status >= 300) {
    const body = safeJson(ex.body) ?? (err instanceof ApiException ? err.body : undefined);
    const s = (body ?? {}) as { reason?: string; message?: string };
    return new KubeApiError(status, s.reason || httpReason(status), s.message || `HTTP ${status}`, { cause: err });
  }
  const e = err as { name?: string; code?: string; message?: string };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') {
    return new KubeApiError(0, 'Timeout', `the Kubernetes API at ${server} did not answer within ${timeoutMs} ms; the request may or may not have been applied`, { cause: err });
  }
  if (e?.name === 'FetchError') {
    return new KubeApiError(0, 'Unreachable', `cannot reach the Kubernetes API at ${server}: ${e.code ?? e.message}`, { cause: err });
  }
  return new KubeApiError(0, 'ClientError', `the Kubernetes client failed: ${e?.message ?? String(err)}`, { cause: err });
}

function safeJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function httpReason(status: number): string {
  const reasons: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict', 415: 'UnsupportedMediaType', 422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable' };
  return reasons[status] ?? `HTTP${status}`;
}
