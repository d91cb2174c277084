/**
 * The object store of the Kubernetes API stand-in: the resources it serves (as discovery lists
 * them), objects keyed by resource, namespace and name, the fields the API server fills in
 * (uid, resourceVersion, creationTimestamp, a plausible status) and RFC 7386 merge patches.
 */
import { randomUUID } from 'node:crypto';

export type Obj = Record<string, any>;

export interface ResourceDef {
  group: string;
  version: string;
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
}

export const RESOURCE_DEFS: readonly ResourceDef[] = [
  { group: '', version: 'v1', name: 'pods', singularName: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'] },
  { group: '', version: 'v1', name: 'services', singularName: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'] },
  { group: '', version: 'v1', name: 'configmaps', singularName: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'] },
  { group: '', version: 'v1', name: 'secrets', singularName: 'secret', kind: 'Secret', namespaced: true, shortNames: [] },
  { group: '', version: 'v1', name: 'namespaces', singularName: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'] },
  { group: '', version: 'v1', name: 'nodes', singularName: 'node', kind: 'Node', namespaced: false, shortNames: ['no'] },
  { group: 'apps', version: 'v1', name: 'deployments', singularName: 'deployment', kind: 'Deployment', namespaced: true, shortNames: ['deploy'] },
];

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function apiVersionOf(def: ResourceDef): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** `/api/v1` or `/apis/apps/v1` discovery: an APIResourceList. */
export function resourceList(group: string, version: string): Obj {
  const defs = RESOURCE_DEFS.filter((d) => d.group === group && d.version === version);
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: defs.map((d) => ({ name: d.name, singularName: d.singularName, namespaced: d.namespaced, kind: d.kind, verbs: VERBS, shortNames: d.shortNames })),
  };
}

/** A Status object as the API server sends with an error. */
export function status(code: number, reason: string, message: string, details?: Obj): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: code < 300 ? 'Success' : 'Failure', message, reason, details, code };
}

export class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly body: Obj,
  ) {
    super(body.message);
  }
}

export function fail(code: number, reason: string, message: string, details?: Obj): never {
  throw new HttpError(code, status(code, reason, message, details));
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Obj = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Obj) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Objects by `<resource>/<namespace>/<name>` (namespace empty for cluster-scoped ones). */
export class ObjectStore {
  #objects = new Map<string, Obj>();
  #version = 100;
  #ips = 10;

  key(def: ResourceDef, ns: string, name: string): string {
    return `${def.name}/${ns}/${name}`;
  }

  get(def: ResourceDef, ns: string, name: string): Obj | undefined {
    return this.#objects.get(this.key(def, ns, name));
  }

  list(def: ResourceDef, ns: string | null, selector: string | null): Obj[] {
    const match = selectorMatcher(selector);
    return [...this.#objects.entries()]
      .filter(([k]) => k.startsWith(`${def.name}/`) && (ns === null || k.split('/')[1] === ns))
      .map(([, o]) => o)
      .filter((o) => match(o.metadata?.labels ?? {}))
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  }

  /** Stores a new object with the server-set fields. @throws HttpError 409 when it exists. */
  create(def: ResourceDef, ns: string, obj: Obj): Obj {
    const name = obj.metadata.name ?? `${obj.metadata.generateName}${randomUUID().slice(0, 5)}`;
    if (this.get(def, ns, name)) fail(409, 'AlreadyExists', `${def.name}${def.group ? `.${def.group}` : ''} "${name}" already exists`, { name, group: def.group || undefined, kind: def.name });
    const stored: Obj = {
      ...obj,
      apiVersion: apiVersionOf(def),
      kind: def.kind,
      metadata: { ...obj.metadata, name, ...(def.namespaced ? { namespace: ns } : {}), uid: randomUUID(), resourceVersion: this.#nextVersion(), creationTimestamp: now() },
    };
    delete stored.metadata.generateName;
    this.#synthesize(def, stored, null);
    this.#objects.set(this.key(def, ns, name), stored);
    return stored;
  }

  /** Replaces (PUT) or patches an existing object, keeping what the server owns. */
  update(def: ResourceDef, ns: string, name: string, next: Obj): Obj {
    const old = this.get(def, ns, name)!;
    const stored: Obj = {
      ...next,
      apiVersion: apiVersionOf(def),
      kind: def.kind,
      metadata: { ...next.metadata, name, ...(def.namespaced ? { namespace: ns } : {}), uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp, resourceVersion: this.#nextVersion() },
    };
    this.#synthesize(def, stored, old);
    this.#objects.set(this.key(def, ns, name), stored);
    return stored;
  }

  delete(def: ResourceDef, ns: string, name: string): Obj {
    const obj = this.get(def, ns, name)!;
    this.#objects.delete(this.key(def, ns, name));
    if (def.name === 'namespaces') for (const k of [...this.#objects.keys()]) if (k.split('/')[1] === name) this.#objects.delete(k);
    return obj;
  }

  get resourceVersion(): string {
    return String(this.#version);
  }

  #nextVersion(): string {
    return String(++this.#version);
  }

  // What controllers and the kubelet would have filled in by the time someone looks.
  #synthesize(def: ResourceDef, o: Obj, old: Obj | null): void {
    switch (def.kind) {
      case 'Pod': {
        o.spec = { nodeName: 'standin-node', ...o.spec };
        const containers: Obj[] = o.spec.containers ?? [];
        o.status = old?.status ?? {
          phase: 'Running',
          podIP: `10.42.0.${this.#ips++}`,
          containerStatuses: containers.map((c) => ({ name: c.name, image: c.image, ready: true, restartCount: 0, state: { running: { startedAt: now() } } })),
        };
        break;
      }
      case 'Deployment': {
        o.spec = { replicas: 1, ...o.spec };
        const n = o.spec.replicas;
        o.metadata.generation = (old?.metadata.generation ?? 0) + 1;
        o.status = { observedGeneration: o.metadata.generation, replicas: n, readyReplicas: n, updatedReplicas: n, availableReplicas: n };
        break;
      }
      case 'Service':
        o.spec = { type: 'ClusterIP', clusterIP: old?.spec?.clusterIP ?? `10.43.0.${this.#ips++}`, ...o.spec };
        break;
      case 'Secret':
        o.type ??= 'Opaque';
        if (o.stringData) {
          o.data = { ...o.data, ...Object.fromEntries(Object.entries(o.stringData).map(([k, v]) => [k, Buffer.from(String(v)).toString('base64')])) };
          delete o.stringData;
        }
        break;
      case 'Namespace':
        o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name };
        o.spec = { finalizers: ['kubernetes'] };
        o.status = { phase: 'Active' };
        break;
    }
  }
}

/** Equality-based label selectors: `a=b`, `a==b`, `a!=b`, `a`, comma-separated. */
export function selectorMatcher(selector: string | null): (labels: Record<string, string>) => boolean {
  if (!selector) return () => true;
  const terms = selector.split(',').map((t) => t.trim()).filter(Boolean);
  return (labels) =>
    terms.every((t) => {
      const ne = /^([^!=]+)!=(.*)$/.exec(t);
      if (ne) return labels[ne[1]] !== ne[2];
      const eq = /^([^!=]+)==?(.*)$/.exec(t);
      if (eq) return labels[eq[1]] === eq[2];
      return t in labels;
    });
}
