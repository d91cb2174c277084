/**
 * A local stand-in of the Kubernetes API server over HTTP on 127.0.0.1:0, for tests: pods,
 * services, configmaps, secrets, deployments (apps/v1), namespaces and nodes; GET (get and list,
 * with equality label selectors), POST (201), PUT, PATCH (merge patch only), DELETE; Status objects
 * with kubectl's reasons (NotFound 404, AlreadyExists 409, Conflict 409…); the discovery documents
 * (`/api`, `/apis`, `/api/v1`, `/apis/apps/v1`); bearer-token auth. The unmodified
 * `@kubernetes/client-node` talks to it through a kubeconfig file written next to it.
 *
 * Tests can count calls (`calls`) and hold a call before it is handled (`hold`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpError, ObjectStore, RESOURCE_DEFS, apiVersionOf, fail, mergePatch, resourceList, status, type Obj, type ResourceDef } from './objects.ts';

export interface StandInCall {
  method: string;
  path: string;
  query: string;
}

export interface Hold {
  /** Resolves when a matching call arrived and is waiting. */
  reached: Promise<StandInCall>;
  release(): void;
}

export interface K8sStandIn {
  url: string;
  /** A kubeconfig whose current context points here with the right token. */
  kubeconfigPath: string;
  token: string;
  objects: ObjectStore;
  calls: StandInCall[];
  /** Calls with this method whose path matches `path` (a string is a suffix), discovery excluded. */
  count(method: string, path?: string | RegExp): number;
  /** Holds the next call for which `match` is true until released. */
  hold(match: (call: StandInCall) => boolean): Hold;
  /** Stores an object as if created through the API (namespace from its metadata). */
  seed(obj: Obj): Obj;
  close(): Promise<void>;
}

export async function startK8sStandIn(options: { token?: string } = {}): Promise<K8sStandIn> {
  const token = options.token ?? 'standin-token';
  const objects = new ObjectStore();
  const calls: StandInCall[] = [];
  const holds: Array<{ match: (c: StandInCall) => boolean; arrived: (c: StandInCall) => void; released: Promise<void> }> = [];

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const call = { method: req.method ?? 'GET', path: url.pathname, query: url.search };
    calls.push(call);
    const i = holds.findIndex((h) => h.match(call));
    const held = i === -1 ? null : holds.splice(i, 1)[0];
    void (async () => {
      if (held) {
        held.arrived(call);
        await held.released;
      }
      await handle(req, res, url, { objects, token });
    })().catch((err: unknown) => send(res, err instanceof HttpError ? err.code : 500, err instanceof HttpError ? err.body : status(500, 'InternalError', String(err))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfigPath = join(mkdtempSync(join(tmpdir(), 'k8s-standin-')), 'kubeconfig.yaml');
  writeFileSync(kubeconfigPath, kubeconfig(url, token), { mode: 0o600 });
  objects.create(def('nodes'), '', {
    metadata: { name: 'standin-node', labels: { 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true' } },
    status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.30.4+k3s1' } },
  });

  return {
    url,
    kubeconfigPath,
    token,
    objects,
    calls,
    count: (method, path) =>
      calls.filter((c) => c.method === method && !isDiscovery(c.path) && (path === undefined || (typeof path === 'string' ? c.path.endsWith(path) : path.test(c.path)))).length,
    hold(match) {
      let arrived!: (c: StandInCall) => void;
      let release!: () => void;
      const reached = new Promise<StandInCall>((r) => (arrived = r));
      const released = new Promise<void>((r) => (release = r));
      holds.push({ match, arrived, released });
      return { reached, release };
    },
    seed(obj) {
      const d = RESOURCE_DEFS.find((r) => r.kind === obj.kind)!;
      return objects.create(d, d.namespaced ? obj.metadata.namespace : '', obj);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function kubeconfig(server: string, token: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: standin
  cluster:
    server: ${server}
    # client-node refuses plain http unless TLS checks are off; there is no TLS here to check.
    insecure-skip-tls-verify: true
users:
- name: standin
  user:
    token: ${token}
contexts:
- name: standin
  context:
    cluster: standin
    user: standin
current-context: standin
`;
}

function def(name: string): ResourceDef {
  return RESOURCE_DEFS.find((d) => d.name === name)!;
}

const DISCOVERY = ['/api', '/apis', '/api/v1', '/apis/apps/v1'];

function isDiscovery(path: string): boolean {
  return DISCOVERY.includes(path.replace(/\/+$/, ''));
}

function send(res: ServerResponse, code: number, body: Obj): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Obj> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Obj;
  } catch (err) {
    fail(400, 'BadRequest', `the body of the request was in an unknown format: ${(err as Error).message}`);
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, url: URL, ctx: { objects: ObjectStore; token: string }): Promise<void> {
  if (req.headers.authorization !== `Bearer ${ctx.token}`) return send(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
  const p = url.pathname.replace(/\/+$/, '');
  if (p === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }] });
  if (p === '/apis') {
    const gv = { groupVersion: 'apps/v1', version: 'v1' };
    return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'apps', versions: [gv], preferredVersion: gv }] });
  }
  if (p === '/api/v1') return send(res, 200, resourceList('', 'v1'));
  if (p === '/apis/apps/v1') return send(res, 200, resourceList('apps', 'v1'));
  const target = route(p);
  if (!target) return send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
  const { answer, code } = await serve(req, url, target, ctx.objects);
  send(res, code, answer);
}

interface Target {
  def: ResourceDef;
  /** Namespace from the path; null for a cluster-wide list of a namespaced resource. */
  ns: string | null;
  name: string | null;
}

function route(path: string): Target | null {
  const m = /^\/(?:api\/v1|apis\/(apps)\/v1)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  const core = /^\/api\/v1\/namespaces(?:\/([^/]+))?$/.exec(path);
  if (core) return { def: def('namespaces'), ns: '', name: core[1] ?? null };
  if (!m) return null;
  const [, group = '', ns, resource, name] = m;
  const d = RESOURCE_DEFS.find((r) => r.name === resource && r.group === group);
  if (!d || (ns !== undefined && !d.namespaced)) return null;
  return { def: d, ns: d.namespaced ? (ns ?? null) : '', name: name ?? null };
}

async function serve(req: IncomingMessage, url: URL, t: Target, objects: ObjectStore): Promise<{ answer: Obj; code: number }> {
  const { def: d, ns, name } = t;
  const notFound: (n: string) => never = (n) => fail(404, 'NotFound', `${d.name}${d.group ? `.${d.group}` : ''} "${n}" not found`, { name: n, group: d.group || undefined, kind: d.name });
  const method = req.method ?? 'GET';
  if (method === 'GET' && name === null) {
    const items = objects.list(d, ns, url.searchParams.get('labelSelector')).map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
    return { code: 200, answer: { apiVersion: apiVersionOf(d), kind: `${d.kind}List`, metadata: { resourceVersion: objects.resourceVersion }, items } };
  }
  if (ns === null) fail(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  if (method === 'POST' && name === null) {
    const body = await readJson(req);
    checkHeader(d, body);
    if (d.namespaced && !objects.get(def('namespaces'), '', ns)) fail(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    if (d.namespaced && body.metadata?.namespace && body.metadata.namespace !== ns) fail(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    if (!body.metadata?.name && !body.metadata?.generateName) fail(422, 'Invalid', `${d.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
    return { code: 201, answer: objects.create(d, ns, body) };
  }
  if (name === null) fail(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const current = objects.get(d, ns, name);
  if (method === 'GET') return { code: 200, answer: current ?? notFound(name) };
  if (method === 'DELETE') {
    if (!current) notFound(name);
    const gone = objects.delete(d, ns, name);
    if (d.kind === 'Pod' || d.kind === 'Namespace') return { code: 200, answer: { ...gone, metadata: { ...gone.metadata, deletionTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') } } };
    return { code: 200, answer: status(200, '', '', { name, group: d.group || undefined, kind: d.name, uid: gone.metadata.uid }) };
  }
  if (method === 'PUT') {
    const body = await readJson(req);
    checkHeader(d, body);
    if (!current) notFound(name);
    if (body.metadata?.name !== name) fail(400, 'BadRequest', `the name of the object (${body.metadata?.name}) does not match the name on the URL (${name})`);
    const rv = body.metadata?.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) conflict(d, name);
    return { code: 200, answer: objects.update(d, ns, name, body) };
  }
  if (method === 'PATCH') {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
    if (type !== 'application/merge-patch+json') fail(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json (this stand-in), got ${type}`);
    const patch = await readJson(req);
    if (!current) notFound(name);
    const next = mergePatch(current, patch) as Obj;
    if (next.metadata?.name !== name) fail(400, 'BadRequest', 'metadata.name cannot be changed by a patch');
    return { code: 200, answer: objects.update(d, ns, name, next) };
  }
  fail(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

function checkHeader(d: ResourceDef, body: Obj): void {
  if (body.kind !== undefined && body.kind !== d.kind) fail(400, 'BadRequest', `the kind of the object (${body.kind}) does not match the resource ${d.name}`);
  if (body.apiVersion !== undefined && body.apiVersion !== apiVersionOf(d)) fail(400, 'BadRequest', `apiVersion ${body.apiVersion} is not served for ${d.name}`);
}

function conflict(d: ResourceDef, name: string): never {
  fail(409, 'Conflict', `Operation cannot be fulfilled on ${d.name}${d.group ? `.${d.group}` : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: d.name });
}
