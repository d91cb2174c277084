/**
 * `GET /api/v1/requests/:id`: a request's full result as the master knows it — what was asked,
 * where it stands, the whole output (the chain holds at most ON_CHAIN_OUTPUT_LIMIT bytes of it),
 * the error, the timings and the on-chain report.
 */
import type { HttpRoute } from '../http/api.ts';
import { sendError, sendJson } from '../http/respond.ts';
import type { PoolStore } from '../pool/store.ts';
import type { K8sRequest, RequestRun } from '../pool/requests.ts';
import { ON_CHAIN_OUTPUT_LIMIT } from './output.ts';

export type RequestReader = Pick<PoolStore, 'getRequest' | 'getRequestRun'>;

/** The body of `GET /api/v1/requests/:id`. Times are ISO-8601; `output` is the JSON the API answered. */
export interface RequestView {
  requestId: string;
  method: string;
  resource: string;
  namespace: string;
  name: string;
  requester: string;
  assignedWorker: string;
  priority: number;
  txDigest: string;
  status: 'scheduled' | 'running' | 'succeeded' | 'failed';
  success: boolean | null;
  output: unknown;
  error: string | null;
  outputBytes: number | null;
  truncatedOnChain: boolean;
  timings: { scheduledAt: string; startedAt: string | null; finishedAt: string | null; executionTimeMs: number | null };
  report: { state: 'pending' | 'recorded' | 'refused' | 'not-ours'; txDigest: string | null; at: string | null; note: string | null };
}

export function requestRoutes(store: RequestReader, outputLimit = ON_CHAIN_OUTPUT_LIMIT): HttpRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/requests/:requestId',
      handle: (_req, res, { params }) => {
        const request = store.getRequest(params.requestId);
        if (!request) return sendError(res, 404, `request ${params.requestId} is not known to this master`);
        sendJson(res, 200, requestView(request, store.getRequestRun(params.requestId), outputLimit));
      },
    },
  ];
}

/** The view of a request and its journal row (none when this master never started it). */
export function requestView(r: K8sRequest, run: RequestRun | undefined, outputLimit = ON_CHAIN_OUTPUT_LIMIT): RequestView {
  // Without a journal row the only result is the chain's (recorded by another master, or before
  // this database existed); with one, the journal has the full output.
  const outcome = run?.outcome ?? r.result;
  const raw = outcome?.output ?? null;
  const status: RequestView['status'] = run
    ? run.state === 'started'
      ? 'running'
      : run.outcome!.success
        ? 'succeeded'
        : 'failed'
    : r.status;
  return {
    requestId: r.requestId,
    method: r.method,
    resource: r.resource,
    namespace: r.namespace,
    name: r.name,
    requester: r.requester,
    assignedWorker: r.assignedWorker,
    priority: r.priority,
    txDigest: r.txDigest,
    status,
    success: outcome ? outcome.success : null,
    output: raw ? parseOrText(raw) : null,
    error: outcome?.error || null,
    outputBytes: raw === null ? null : Buffer.byteLength(raw),
    truncatedOnChain: raw !== null && Buffer.byteLength(raw) > outputLimit,
    timings: {
      scheduledAt: iso(r.scheduledAt)!,
      startedAt: iso(run?.startedAt ?? r.startedAt),
      finishedAt: iso(run?.finishedAt ?? r.finishedAt),
      executionTimeMs: outcome?.executionTimeMs ?? null,
    },
    report: reportView(r, run),
  };
}

function reportView(r: K8sRequest, run: RequestRun | undefined): RequestView['report'] {
  if (!run) return { state: r.result ? 'not-ours' : 'pending', txDigest: null, at: iso(r.finishedAt), note: null };
  if (run.state !== 'reported') return { state: 'pending', txDigest: null, at: null, note: run.reportNote };
  return { state: run.reportDigest ? 'recorded' : 'refused', txDigest: run.reportDigest, at: iso(run.reportedAt), note: run.reportNote };
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}
