/**
 * Request output: what the Kubernetes API answered, in kubectl's `-o json` shape, with Secret values
 * redacted, and the copy that goes on chain cut to ON_CHAIN_OUTPUT_LIMIT bytes.
 *
 * On-chain output limit: 4096 bytes of UTF-8 JSON (events are public and every byte costs gas; Sui
 * caps a pure argument at 16 KiB). A larger output goes on chain as a still valid, smaller JSON:
 * list items and objects keep only the fields `kubectl get` prints (name, age, status, ready
 * counts…), trailing list items are dropped if that is not enough, and a top-level
 * `k8sDaasTruncated` field says so: `{"totalBytes": <full size>, "omittedItems": <n>,
 * "fullOutput": "/api/v1/requests/<id>"}`. The full output stays in the master's database.
 *
 * Secret values never leave the executor: request results go on a public chain and are served by
 * the master's unauthenticated status API, so `data`/`stringData` values of Secrets read
 * `<redacted>` (the keys stay, so `kubectl get`'s DATA column is right).
 */
import type { KubeObject } from './payload.ts';
import type { ResourceInfo } from './resources.ts';

export const ON_CHAIN_OUTPUT_LIMIT = 4096;
/** Error lines are short by nature; a longer one is cut with an ellipsis. */
export const ON_CHAIN_ERROR_LIMIT = 1024;
export const TRUNCATION_FIELD = 'k8sDaasTruncated';
export const REDACTED = '<redacted>';

/** A list as `kubectl get -o json` prints it: every item with its apiVersion and kind. */
export function kubectlShape(value: KubeObject, info: ResourceInfo): KubeObject {
  if (!Array.isArray(value.items)) return value;
  const items = (value.items as KubeObject[]).map((item) => ({ apiVersion: info.apiVersion, kind: info.kind, ...item }));
  return { ...value, apiVersion: value.apiVersion ?? info.apiVersion, kind: value.kind ?? `${info.kind}List`, items };
}

/** A deep copy with the values of every Secret's `data` and `stringData` replaced by `<redacted>`. */
export function redactSecrets(value: KubeObject): KubeObject {
  const redactOne = (obj: KubeObject): KubeObject => {
    if (obj.kind !== 'Secret') return obj;
    const out: KubeObject = { ...obj };
    for (const field of ['data', 'stringData']) {
      const data = obj[field];
      if (data && typeof data === 'object') out[field] = Object.fromEntries(Object.keys(data).map((k) => [k, REDACTED]));
    }
    return out;
  };
  if (Array.isArray(value.items)) return { ...value, items: (value.items as KubeObject[]).map(redactOne) };
  return redactOne(value);
}

/** The on-chain copy of `full` (compact JSON): itself when it fits in `limit` bytes, else a summary as described above. */
export function chainOutput(full: string, requestId: string, limit = ON_CHAIN_OUTPUT_LIMIT): string {
  const totalBytes = Buffer.byteLength(full);
  if (totalBytes <= limit) return full;
  let value: KubeObject;
  try {
    value = JSON.parse(full) as KubeObject;
  } catch {
    return cutUtf8(full, limit);
  }
  const marker = (omittedItems: number) => ({ totalBytes, omittedItems, fullOutput: `/api/v1/requests/${requestId}` });
  if (!Array.isArray(value.items)) {
    const summary = JSON.stringify({ ...summarize(value), [TRUNCATION_FIELD]: marker(0) });
    if (Buffer.byteLength(summary) <= limit) return summary;
    return JSON.stringify({ apiVersion: value.apiVersion, kind: value.kind, metadata: pick(value.metadata, ['name', 'namespace']), [TRUNCATION_FIELD]: marker(0) });
  }
  const items = (value.items as KubeObject[]).map(summarize);
  const render = (n: number) =>
    JSON.stringify({ apiVersion: value.apiVersion, kind: value.kind, metadata: {}, items: items.slice(0, n), [TRUNCATION_FIELD]: marker(items.length - n) });
  // The largest prefix of the items that fits: binary search over the count.
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (Buffer.byteLength(render(mid)) <= limit) lo = mid;
    else hi = mid - 1;
  }
  return render(lo);
}

/** `text` cut to at most `limit` UTF-8 bytes at a character boundary, ending in `…` when cut. */
export function cutUtf8(text: string, limit: number): string {
  if (Buffer.byteLength(text) <= limit) return text;
  let out = '';
  let bytes = 0;
  const room = limit - Buffer.byteLength('…');
  for (const ch of text) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > room) break;
    out += ch;
    bytes += n;
  }
  return `${out}…`;
}

/** The fields `kubectl get` (also `-o wide`) prints, for every resource kind we serve. */
export function summarize(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const status = (obj.status ?? {}) as Record<string, unknown>;
  const meta = obj.metadata ?? {};
  const roles = Object.fromEntries(Object.entries(meta.labels ?? {}).filter(([k]) => k.startsWith('node-role.kubernetes.io/')));
  const out: KubeObject = {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: { ...pick(meta, ['name', 'namespace', 'creationTimestamp', 'deletionTimestamp']), ...(Object.keys(roles).length ? { labels: roles } : {}) },
  };
  const s = {
    ...pick(spec, ['nodeName', 'type', 'clusterIP', 'externalIPs', 'replicas']),
    ...(Array.isArray(spec.ports) ? { ports: spec.ports.map((p) => pick(p, ['port', 'protocol', 'nodePort', 'targetPort'])) } : {}),
    ...(Array.isArray(spec.containers) ? { containers: spec.containers.map((c) => pick(c, ['name', 'image'])) } : {}),
  };
  if (Object.keys(s).length) out.spec = s;
  const st = {
    ...pick(status, ['phase', 'podIP', 'replicas', 'readyReplicas', 'updatedReplicas', 'availableReplicas']),
    ...(Array.isArray(status.containerStatuses)
      ? { containerStatuses: status.containerStatuses.map((c) => pick(c, ['name', 'ready', 'restartCount', 'state'])) }
      : {}),
    ...(Array.isArray(status.conditions) && obj.kind === 'Node'
      ? { conditions: status.conditions.filter((c) => c?.type === 'Ready').map((c) => pick(c, ['type', 'status'])) }
      : {}),
    ...(status.nodeInfo ? { nodeInfo: pick(status.nodeInfo, ['kubeletVersion']) } : {}),
    ...(status.loadBalancer ? { loadBalancer: status.loadBalancer } : {}),
  };
  if (Object.keys(st).length) out.status = st;
  if (typeof obj.type === 'string') out.type = obj.type;
  for (const field of ['data', 'stringData', 'binaryData']) {
    const data = obj[field];
    if (data && typeof data === 'object') out[field] = Object.fromEntries(Object.keys(data).map((k) => [k, '']));
  }
  return out;
}

function pick(from: unknown, keys: readonly string[]): Record<string, unknown> {
  const src = (from ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of keys) if (src[k] !== undefined) out[k] = src[k];
  return out;
}
