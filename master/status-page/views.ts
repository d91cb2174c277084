/**
 * The JSON shapes the status page's event stream carries. Pure functions over pool rows and feed
 * records: the stream supplies the time, the connection lookup and the recent samples. Rows reuse
 * the API's `WorkerSummary`, so the page and `GET /api/v1/workers` never disagree on a field.
 */
import type { K3sStatus } from '../../shared/protocol/messages.ts';
import { mistToSui, workerSummary, type WorkerSummary } from '../http/views.ts';
import type { Transition } from '../pool/states.ts';
import type { PoolStats } from '../pool/store.ts';
import type { HeartbeatRecord, Worker } from '../pool/tables.ts';

/** One point of a worker's CPU and memory sparklines. */
export interface Sample {
  /** When the master received the heartbeat (ms since the epoch). */
  at: number;
  cpuPercent: number | null;
  memUsedBytes: number | null;
  memTotalBytes: number | null;
}

/** A table row: the API's summary plus the recent samples (oldest first). */
export interface PageWorker extends WorkerSummary {
  samples: Sample[];
}

/** The seed's pool statistics, stakes in SUI as exact decimal strings. */
export interface PageStats {
  totalWorkers: number;
  active: number;
  busy: number;
  pending: number;
  offline: number;
  slashed: number;
  totalStakeSui: string;
  averageStakeSui: string;
  heartbeatsReceived: number;
}

/** The `heartbeat` event: what one heartbeat changes in a row. */
export interface HeartbeatView {
  nodeId: string;
  /** When the master received it (ms since the epoch). */
  at: number;
  cpu: { loadPercent: number | null };
  memory: { usedBytes: number | null; totalBytes: number | null };
  k3s: { state: K3sStatus['state']; restarts: number; lastError: string | null };
}

/** The `transition` event; `worker` is the row after the change, null when the worker left. */
export interface TransitionEvent {
  nodeId: string;
  from: string | null;
  to: string | null;
  reason: string;
  source: string;
  at: number;
  worker: PageWorker | null;
}

/** The `snapshot` event that opens every stream; `serverNow` lets the page correct clock skew. */
export interface SnapshotEvent {
  serverNow: number;
  workers: PageWorker[];
  stats: PageStats;
}

/** What the page knows beyond the pool row: the worker's recent heartbeats. */
export interface RecentHeartbeats {
  samples(nodeId: string): Sample[];
}

export function heartbeatView(h: HeartbeatRecord): HeartbeatView {
  return {
    nodeId: h.nodeId,
    at: h.at,
    cpu: { loadPercent: h.metrics.cpu?.loadPercent ?? null },
    memory: { usedBytes: h.metrics.memory?.usedBytes ?? null, totalBytes: h.metrics.memory?.totalBytes ?? null },
    k3s: { state: h.k3s.state, restarts: h.k3s.restarts, lastError: h.k3s.lastError ?? null },
  };
}

/** A row for the page: the API's summary (the pool read with buffered heartbeats on top) plus samples. */
export function pageWorker(w: Worker, now: number, connected: boolean, recent: RecentHeartbeats): PageWorker {
  return { ...workerSummary(w, now, connected), samples: recent.samples(w.nodeId) };
}

export function pageStats(pool: PoolStats, heartbeatsReceived: number): PageStats {
  return {
    totalWorkers: pool.total,
    active: pool.byStatus.active,
    busy: pool.byStatus.busy,
    pending: pool.byStatus.pending,
    offline: pool.byStatus.offline,
    slashed: pool.byStatus.slashed,
    totalStakeSui: mistToSui(BigInt(pool.totalStakeMist)),
    averageStakeSui: mistToSui(BigInt(pool.averageStakeMist)),
    heartbeatsReceived,
  };
}

export function transitionEvent(t: Transition, worker: PageWorker | null): TransitionEvent {
  return { nodeId: t.nodeId, from: t.from, to: t.to, reason: t.reason, source: t.source, at: t.at, worker };
}
