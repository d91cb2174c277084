/**
 * `k8s-daas-master workers`: the pool as a kubectl-style table, read from a running master's status
 * API (`GET /api/v1/workers`), so it works while the master holds the database.
 */
import type { WorkerSummary } from '../http/views.ts';
import { humanAge, humanBytes, renderTable, shortAddress } from './human.ts';

export const WORKERS_USAGE = 'usage: k8s-daas-master workers [--url http://127.0.0.1:PORT]';

export const WORKERS_HEADER = [
  'NODE ID',
  'STATUS',
  'OWNER',
  'STAKE (SUI)',
  'LAST HEARTBEAT',
  'CPU',
  'MEMORY',
  'K3S',
] as const;

/** Something lines can be written to: `process.stdout`, or a collector in tests. */
export interface TextOut {
  write(text: string): unknown;
}

export interface WorkersCommandOptions {
  /** The master's base URL (`http(s)://host:port`; `ws(s)://` as in K8S_DAAS_MASTER_URL is accepted). */
  url: string;
  fetch?: typeof globalThis.fetch;
  out: TextOut;
  /** Where the one-line failure goes; `out` when absent. */
  err?: TextOut;
  /** Give up on a master that does not answer within this (default 5 s). */
  timeoutMs?: number;
}

/** The table for `workers` (sorted as given), or `No workers in the pool.` for an empty pool. */
export function formatWorkersTable(workers: readonly WorkerSummary[]): string {
  if (workers.length === 0) return 'No workers in the pool.\n';
  const rows = workers.map((w) => [
    w.nodeId,
    w.status,
    shortAddress(w.owner),
    w.stakeSui,
    w.heartbeatAgeMs === null ? 'never' : humanAge(w.heartbeatAgeMs),
    w.cpu.loadPercent === null ? '-' : `${Math.round(w.cpu.loadPercent)}%`,
    memory(w.memory),
    w.k3s?.state ?? '-',
  ]);
  return renderTable([[...WORKERS_HEADER], ...rows]);
}

function memory(m: WorkerSummary['memory']): string {
  if (m.usedBytes === null && m.totalBytes === null) return '-';
  const part = (b: number | null) => (b === null ? '?' : humanBytes(b));
  return `${part(m.usedBytes)}/${part(m.totalBytes)}`;
}

/**
 * Prints the table and returns the exit code: 0, or 1 with one line naming the URL when the master
 * cannot be reached or answers something else than the worker list. Never throws.
 */
export async function runWorkersCommand(options: WorkersCommandOptions): Promise<number> {
  const err = options.err ?? options.out;
  const base = apiBase(options.url);
  if (!base) {
    err.write(`k8s-daas-master workers: invalid --url ${JSON.stringify(options.url)}: expected http(s)://host:port\n`);
    return 1;
  }
  const fetchFn = options.fetch ?? globalThis.fetch;
  const endpoint = `${base}/api/v1/workers`;
  let res: Response;
  try {
    res = await fetchFn(endpoint, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
  } catch (e) {
    err.write(`k8s-daas-master workers: cannot reach the master at ${base} (${reasonOf(e)}); is it running?\n`);
    return 1;
  }
  const body = await res.text().catch(() => '');
  if (!res.ok) {
    err.write(`k8s-daas-master workers: the master at ${base} answered HTTP ${res.status}${errorOf(body)}\n`);
    return 1;
  }
  const workers = parseWorkers(body);
  if (!workers) {
    err.write(`k8s-daas-master workers: the master at ${base} sent an unexpected answer to ${endpoint}\n`);
    return 1;
  }
  options.out.write(formatWorkersTable(workers));
  return 0;
}

/** The `workers` flags: `--url X` / `--url=X`; the URL defaults to `defaultUrl`. */
export function parseWorkersArgs(
  argv: readonly string[],
  defaultUrl: string,
): { ok: true; url: string; help: boolean } | { ok: false; message: string } {
  let url = defaultUrl;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return { ok: true, url, help: true };
    if (arg.startsWith('--url=')) url = arg.slice('--url='.length);
    else if (arg === '--url' && i + 1 < argv.length) url = argv[++i];
    else return { ok: false, message: `unexpected argument ${JSON.stringify(arg)}\n${WORKERS_USAGE}` };
  }
  return { ok: true, url, help: false };
}

/**
 * The local URL of a master listening on `listen` (K8S_DAAS_LISTEN, `host:port`): a wildcard host
 * becomes loopback. `0.0.0.0:8080` → `http://127.0.0.1:8080`, `[::]:8443` with TLS → `https://[::1]:8443`.
 */
export function localMasterUrl(listen: string, tls: boolean): string {
  const m = /^(.*):(\d+)$/.exec(listen.trim());
  const rawHost = m ? m[1] : '';
  const port = m ? m[2] : listen.trim();
  let host = rawHost.replace(/^\[(.*)\]$/, '$1');
  if (host === '' || host === '0.0.0.0') host = '127.0.0.1';
  else if (host === '::') host = '::1';
  return `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** `http(s)://host:port[/path]` without a trailing slash; ws(s) mapped to http(s); null if unusable. */
function apiBase(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const protocol = { 'http:': 'http:', 'https:': 'https:', 'ws:': 'http:', 'wss:': 'https:' }[u.protocol];
  if (!protocol) return null;
  return `${protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

function reasonOf(e: unknown): string {
  if (e instanceof Error && e.name === 'TimeoutError') return 'no answer in time';
  const cause = e instanceof Error ? (e.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
}

function errorOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === 'string' ? `: ${parsed.error}` : '';
  } catch {
    return '';
  }
}

function parseWorkers(body: string): WorkerSummary[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const workers = (parsed as { workers?: unknown } | null)?.workers;
  if (!Array.isArray(workers)) return null;
  const looksRight = (w: unknown) =>
    typeof w === 'object' &&
    w !== null &&
    typeof (w as WorkerSummary).nodeId === 'string' &&
    'cpu' in w &&
    'memory' in w;
  return workers.every(looksRight) ? (workers as WorkerSummary[]) : null;
}
