/**
 * The master's HTTP surface (except the `/v1/agent` WebSocket upgrade, which the agent server takes
 * before requests reach here): probes, the read-only status API, and `/metrics`. A small route table
 * on node:http; later parts (status page, installer downloads) add routes through `extraRoutes`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.ts';
import { DaasError } from '../../shared/errors.ts';
import type { PoolStore } from '../pool/store.ts';
import type { MasterMetrics } from './metrics.ts';
import { send, sendError, sendJson } from './respond.ts';
import { statsView, workerDetail, workerSummary } from './views.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a route matched: the request path and its `:name` segments, decoded. */
export interface RouteMatch {
  path: string;
  params: Record<string, string>;
}

/**
 * One route. `path` matches exactly (segments written `:name` match any one segment); `prefix`
 * matches every path that starts with it. A GET route answers HEAD too.
 */
export interface HttpRoute {
  method: HttpMethod;
  path?: string;
  prefix?: string;
  handle(req: IncomingMessage, res: ServerResponse, match: RouteMatch): void | Promise<void>;
}

/** The reads the API makes; `PoolStore` provides them. */
export type PoolReader = Pick<PoolStore, 'listWorkers' | 'getWorker' | 'history' | 'stats' | 'getCursor'>;

export interface HttpDeps {
  store: PoolReader;
  metrics: Pick<MasterMetrics, 'snapshot' | 'render'>;
  clock: Clock;
  /** True while `nodeId` has an authenticated agent socket. */
  isConnected: (nodeId: string) => boolean;
  /** When the chain last answered a poll (ms since the epoch); null before the first answer. */
  lastChainSuccessAt: () => number | null;
  /** `/readyz` fails once the last chain answer is older than this (e.g. 3 × poll interval + 5 s). */
  readyWithinMs: number;
  logger: Logger;
  /** Routes of later parts; tried after the built-in ones, which they may not shadow. */
  extraRoutes?: readonly HttpRoute[];
}

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** How many history entries `GET /api/v1/workers/:nodeId` returns. */
export const RECENT_TRANSITIONS = 20;

/**
 * The request handler for `http.createServer`.
 * @throws DaasError `HTTP_ROUTE_CONFLICT` when an extra route repeats a built-in method and path.
 */
export function createHttpHandler(deps: HttpDeps): HttpHandler {
  const builtin = builtinRoutes(deps);
  for (const extra of deps.extraRoutes ?? []) {
    const clash = builtin.find((b) => b.method === extra.method && b.path === extra.path);
    if (clash) throw new DaasError('HTTP_ROUTE_CONFLICT', `route ${extra.method} ${extra.path} is built in`);
  }
  const routes = [...builtin, ...(deps.extraRoutes ?? [])];
  const log = deps.logger.child({ component: 'http' });

  return (req, res) => {
    const path = pathOf(req.url);
    const allowed = new Set<string>();
    for (const route of routes) {
      const params = matchRoute(route, path);
      if (!params) continue;
      if (!methodMatches(route.method, req.method)) {
        allowed.add(route.method);
        if (route.method === 'GET') allowed.add('HEAD');
        continue;
      }
      run(route, req, res, { path, params }, log);
      return;
    }
    if (allowed.size > 0) {
      sendError(res, 405, `method ${req.method} not allowed on ${path}`, { allow: [...allowed].join(', ') });
    } else {
      sendError(res, 404, `no such endpoint: ${path}`);
    }
  };
}

function builtinRoutes(deps: HttpDeps): HttpRoute[] {
  const { store, clock, isConnected } = deps;
  return [
    { method: 'GET', path: '/healthz', handle: (_q, res) => send(res, 200, 'text/plain; charset=utf-8', 'ok\n') },
    {
      method: 'GET',
      path: '/readyz',
      handle: (_q, res) => {
        const r = readiness(deps);
        sendJson(res, r.ready ? 200 : 503, r);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/workers',
      handle: (_q, res) => {
        const now = clock.now();
        sendJson(res, 200, { workers: store.listWorkers().map((w) => workerSummary(w, now, isConnected(w.nodeId))) });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/workers/:nodeId',
      handle: (_q, res, { params }) => {
        const w = store.getWorker(params.nodeId);
        if (!w) return sendError(res, 404, `worker ${params.nodeId} is not in the pool`);
        const history = store.history(w.nodeId, RECENT_TRANSITIONS);
        sendJson(res, 200, workerDetail(w, clock.now(), isConnected(w.nodeId), history));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/stats',
      handle: (_q, res) => sendJson(res, 200, statsView(store.stats(), deps.metrics.snapshot())),
    },
    {
      method: 'GET',
      path: '/metrics',
      handle: async (_q, res) => {
        const { contentType, body } = await deps.metrics.render();
        send(res, 200, contentType, body);
      },
    },
  ];
}

/** One readiness check's outcome; `reason` says what is wrong when `ok` is false. */
export interface CheckResult {
  ok: boolean;
  reason?: string;
  [detail: string]: unknown;
}

/** The body of `/readyz`: ready only when every check is ok; `notReady` names the failing ones. */
export interface Readiness {
  ready: boolean;
  notReady: string[];
  checks: { database: CheckResult; chain: CheckResult };
}

/** Runs the readiness checks. Never throws: a failing database is a failed check. */
export function readiness(deps: Pick<HttpDeps, 'store' | 'clock' | 'lastChainSuccessAt' | 'readyWithinMs'>): Readiness {
  const checks = { database: databaseCheck(deps.store), chain: chainCheck(deps) };
  const notReady = Object.entries(checks)
    .filter(([, c]) => !c.ok)
    .map(([name]) => name);
  return { ready: notReady.length === 0, notReady, checks };
}

function databaseCheck(store: PoolReader): CheckResult {
  try {
    store.getCursor('worker_registry'); // a one-row primary-key read: cheap, yet a real query
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `database query failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function chainCheck(deps: Pick<HttpDeps, 'clock' | 'lastChainSuccessAt' | 'readyWithinMs'>): CheckResult {
  const at = deps.lastChainSuccessAt();
  if (at === null) return { ok: false, reason: 'the chain has not answered a poll yet', lastSuccessAt: null };
  const ageMs = Math.max(0, deps.clock.now() - at);
  const detail = { lastSuccessAt: new Date(at).toISOString(), ageMs, withinMs: deps.readyWithinMs };
  if (ageMs <= deps.readyWithinMs) return { ok: true, ...detail };
  return { ok: false, reason: `the chain last answered ${ageMs} ms ago (limit ${deps.readyWithinMs} ms)`, ...detail };
}

function run(route: HttpRoute, req: IncomingMessage, res: ServerResponse, match: RouteMatch, log: Logger): void {
  const fail = (err: unknown) => {
    log.error({ err, method: req.method, path: match.path }, 'request failed');
    if (!res.headersSent) sendError(res, 500, 'internal error');
    else res.destroy();
  };
  try {
    const done = route.handle(req, res, match);
    if (done) done.catch(fail);
  } catch (err) {
    fail(err);
  }
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const end = raw.search(/[?#]/);
  return end === -1 ? raw : raw.slice(0, end);
}

function methodMatches(routeMethod: HttpMethod, method: string | undefined): boolean {
  return method === routeMethod || (routeMethod === 'GET' && method === 'HEAD');
}

/** The decoded `:name` segments when `path` matches, else null (also for undecodable segments). */
function matchRoute(route: HttpRoute, path: string): Record<string, string> | null {
  if (route.prefix !== undefined) return path.startsWith(route.prefix) ? {} : null;
  if (route.path === undefined) return null;
  const want = route.path.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      if (got[i] === '') return null;
      try {
        params[want[i].slice(1)] = decodeURIComponent(got[i]);
      } catch {
        return null;
      }
    } else if (want[i] !== got[i]) return null;
  }
  return params;
}
