/**
 * The JSON shapes of the status API (`/api/v1/…`), built from pool rows. Pure functions: the
 * handler supplies the time and the connection lookup. Every bigint becomes a decimal string, every
 * time an ISO-8601 string, so any JSON client reads them without loss.
 */
import type { K3sStatus, Metrics } from '../../shared/protocol/messages.ts';
import type { PoolStats } from '../pool/store.ts';
import type { HistoryEntry, Worker } from '../pool/tables.ts';
import type { MetricsSnapshot } from './metrics.ts';

const MIST_PER_SUI = 1_000_000_000n;

/** One row of `GET /api/v1/workers`. */
export interface WorkerSummary {
  nodeId: string;
  status: string;
  owner: string;
  stakeMist: string;
  stakeSui: string;
  registeredAt: string;
  lastHeartbeatAt: string | null;
  /** Milliseconds since the last heartbeat, measured by the master; null before the first one. */
  heartbeatAgeMs: number | null;
  cpu: { loadPercent: number | null };
  memory: { usedBytes: number | null; totalBytes: number | null };
  k3s: { state: K3sStatus['state']; restarts: number; lastError: string | null } | null;
  /** True while the worker has an authenticated agent socket. */
  connected: boolean;
}

/** One entry of a worker's recent history, newest first. */
export interface TransitionView {
  from: string | null;
  to: string | null;
  reason: string;
  source: string;
  txDigest: string | null;
  at: string;
}

/** `GET /api/v1/workers/:nodeId`. */
export interface WorkerDetail extends WorkerSummary {
  registrationDigest: string;
  statusChangedAt: string;
  metrics: Metrics | null;
  transitions: TransitionView[];
}

/** `GET /api/v1/stats`: the seed's pool metrics. */
export interface StatsView {
  totalWorkers: number;
  activeWorkers: number;
  offlineWorkers: number;
  busy: number;
  pending: number;
  slashed: number;
  totalStakeMist: string;
  averageStakeMist: string;
  heartbeatsReceived: number;
  authFailures: number;
  connectedAgents: number;
}

/** MIST as an exact decimal SUI string: 1004607436 → "1.004607436", 2000000000 → "2". */
export function mistToSui(mist: bigint): string {
  const sign = mist < 0n ? '-' : '';
  const abs = mist < 0n ? -mist : mist;
  const whole = abs / MIST_PER_SUI;
  const frac = (abs % MIST_PER_SUI).toString().padStart(9, '0').replace(/0+$/, '');
  return `${sign}${whole}${frac ? `.${frac}` : ''}`;
}

export function workerSummary(w: Worker, now: number, connected: boolean): WorkerSummary {
  const m = w.latestMetrics;
  return {
    nodeId: w.nodeId,
    status: w.status,
    owner: w.owner,
    stakeMist: w.stakeMist.toString(),
    stakeSui: mistToSui(w.stakeMist),
    registeredAt: iso(w.registeredAt),
    lastHeartbeatAt: w.lastHeartbeatAt === null ? null : iso(w.lastHeartbeatAt),
    heartbeatAgeMs: w.lastHeartbeatAt === null ? null : Math.max(0, now - w.lastHeartbeatAt),
    cpu: { loadPercent: m?.cpu?.loadPercent ?? null },
    memory: { usedBytes: m?.memory?.usedBytes ?? null, totalBytes: m?.memory?.totalBytes ?? null },
    k3s: w.k3s && { state: w.k3s.state, restarts: w.k3s.restarts, lastError: w.k3s.lastError ?? null },
    connected,
  };
}

export function workerDetail(
  w: Worker,
  now: number,
  connected: boolean,
  history: readonly HistoryEntry[],
): WorkerDetail {
  return {
    ...workerSummary(w, now, connected),
    registrationDigest: w.registrationDigest,
    statusChangedAt: iso(w.statusChangedAt),
    metrics: w.latestMetrics,
    transitions: history.map((h) => ({
      from: h.from,
      to: h.to,
      reason: h.reason,
      source: h.source,
      txDigest: h.txDigest,
      at: iso(h.at),
    })),
  };
}

export function statsView(pool: PoolStats, counters: MetricsSnapshot): StatsView {
  return {
    totalWorkers: pool.total,
    activeWorkers: pool.byStatus.active,
    offlineWorkers: pool.byStatus.offline,
    busy: pool.byStatus.busy,
    pending: pool.byStatus.pending,
    slashed: pool.byStatus.slashed,
    totalStakeMist: pool.totalStakeMist,
    averageStakeMist: pool.averageStakeMist,
    heartbeatsReceived: counters.heartbeatsReceived,
    authFailures: counters.authFailures,
    connectedAgents: counters.connectedAgents,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
