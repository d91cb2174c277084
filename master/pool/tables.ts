/**
 * Row-level access to the pool tables: prepared statements and row ↔ domain mapping, no policy.
 * `PoolStore` decides what to write and wraps it in transactions; `apply-events.ts` uses the same
 * statements inside the store's transaction.
 */
import type { K3sStatus, Metrics } from '../../shared/protocol/messages.ts';
import type { ChainModule } from './chain-events.ts';
import type { PoolDb } from './db.ts';
import type { Transition, TransitionSource, WorkerStatus } from './states.ts';

/** A worker as the pool knows it. */
export interface Worker {
  nodeId: string;
  owner: string;
  stakeMist: bigint;
  sealPubkey: Uint8Array;
  status: WorkerStatus;
  statusChangedAt: number;
  registeredAt: number;
  registrationDigest: string;
  lastHeartbeatAt: number | null;
  latestMetrics: Metrics | null;
  k3s: K3sStatus | null;
  updatedAt: number;
}

/** Who a worker is and where it stands: what admitting its agent needs. */
export type WorkerIdentity = Pick<Worker, 'nodeId' | 'owner' | 'stakeMist' | 'sealPubkey' | 'status'>;

/** One row of a worker's history; `from`/`to` are the chain's strings for a chain echo. */
export interface HistoryEntry {
  nodeId: string;
  from: string | null;
  to: string | null;
  reason: string;
  source: TransitionSource;
  txDigest: string | null;
  at: number;
}

/** A row of history that is not a pool transition: a chain status echo (see apply-events.ts). */
export type HistoryRow = Omit<HistoryEntry, 'txDigest'> & { txDigest?: string | null };

/** One agent heartbeat, as flushed from the master's in-memory buffer. */
export interface HeartbeatRecord {
  nodeId: string;
  at: number;
  metrics: Metrics;
  k3s: K3sStatus;
}

/** A heartbeat as the workers table stores it: the JSON columns already serialized. */
export interface StoredHeartbeat {
  nodeId: string;
  at: number;
  metricsJson: string;
  k3sJson: string;
}

/** The stored form of a heartbeat. */
export function storedHeartbeat(h: HeartbeatRecord): StoredHeartbeat {
  return { nodeId: h.nodeId, at: h.at, metricsJson: JSON.stringify(h.metrics), k3sJson: JSON.stringify(h.k3s) };
}

interface WorkerRow {
  node_id: string;
  owner: string;
  stake_mist: string;
  seal_pubkey: string;
  status: WorkerStatus;
  status_changed_at: number;
  registered_at: number;
  registration_digest: string;
  last_heartbeat_at: number | null;
  latest_metrics: string | null;
  k3s: string | null;
  updated_at: number;
}

/**
 * Matches the partial index workers_by_sign_of_life (db.ts migration 3) term for term; named, as
 * without statistics the planner would rather scan workers_by_status.
 */
export const SILENT_SQL = `SELECT * FROM workers INDEXED BY workers_by_sign_of_life WHERE status IN ('active', 'busy')
  AND max(coalesce(last_heartbeat_at, 0), status_changed_at) <= ? ORDER BY node_id`;

function prepare(db: PoolDb) {
  const p = (sql: string) => db.prepare(sql);
  return {
    worker: p('SELECT * FROM workers WHERE node_id = ?'),
    identity: p('SELECT node_id, owner, stake_mist, seal_pubkey, status FROM workers WHERE node_id = ?'),
    offline: p("SELECT node_id FROM workers WHERE status = 'offline'"),
    workers: p('SELECT * FROM workers ORDER BY node_id'),
    insertWorker: p(`INSERT INTO workers (node_id, owner, stake_mist, seal_pubkey, status, status_changed_at,
        registered_at, registration_digest, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)`),
    deleteWorker: p('DELETE FROM workers WHERE node_id = ?'),
    status: p('UPDATE workers SET status = ?, status_changed_at = ?, updated_at = ? WHERE node_id = ?'),
    stake: p('UPDATE workers SET stake_mist = ?, updated_at = ? WHERE node_id = ?'),
    sealKey: p('UPDATE workers SET seal_pubkey = ?, updated_at = ? WHERE node_id = ?'),
    heartbeat: p(`UPDATE workers SET last_heartbeat_at = ?, latest_metrics = ?, k3s = ?, updated_at = ?
        WHERE node_id = ?`),
    silent: p(SILENT_SQL),
    stakes: p('SELECT status, stake_mist FROM workers'),
    history: p(`INSERT INTO transitions (node_id, from_status, to_status, reason, source, tx_digest, at)
        VALUES (?, ?, ?, ?, ?, ?, ?)`),
    readHistory: p('SELECT * FROM transitions WHERE node_id = ? ORDER BY id DESC LIMIT ?'),
    cursor: p('SELECT cursor FROM chain_cursors WHERE module = ?'),
    saveCursor: p(`INSERT INTO chain_cursors (module, cursor, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (module) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`),
    markApplied: p(`INSERT OR IGNORE INTO applied_events (tx_digest, event_index, module, kind, node_id,
        checkpoint, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
    lastOfKindBefore: p(`SELECT max(event_index) AS idx FROM applied_events
        WHERE tx_digest = ? AND node_id = ? AND kind = ? AND event_index < ?`),
  };
}

export class PoolTables {
  private readonly s: ReturnType<typeof prepare>;

  constructor(readonly db: PoolDb) {
    this.s = prepare(db);
  }

  getWorker(nodeId: string): Worker | undefined {
    const row = this.s.worker.get(nodeId) as WorkerRow | undefined;
    return row && toWorker(row);
  }

  /** The columns an agent's authentication needs, without parsing the heartbeat JSON. */
  getIdentity(nodeId: string): WorkerIdentity | undefined {
    const r = this.s.identity.get(nodeId) as Pick<WorkerRow, 'node_id' | 'owner' | 'stake_mist' | 'seal_pubkey' | 'status'> | undefined;
    return r && { nodeId: r.node_id, owner: r.owner, stakeMist: BigInt(r.stake_mist), sealPubkey: new Uint8Array(Buffer.from(r.seal_pubkey, 'hex')), status: r.status };
  }

  offlineIds(): string[] {
    return (this.s.offline.all() as Array<{ node_id: string }>).map((r) => r.node_id);
  }

  listWorkers(): Worker[] {
    return (this.s.workers.all() as WorkerRow[]).map(toWorker);
  }

  insertWorker(
    w: { nodeId: string; owner: string; stakeMist: bigint; sealPubkey: Uint8Array; at: number; txDigest: string },
    now: number,
  ): void {
    this.s.insertWorker.run(w.nodeId, w.owner, w.stakeMist.toString(), hex(w.sealPubkey), w.at, w.at, w.txDigest, now);
  }

  deleteWorker(nodeId: string): void {
    this.s.deleteWorker.run(nodeId);
  }

  setStatus(nodeId: string, status: WorkerStatus, at: number, now: number): void {
    this.s.status.run(status, at, now, nodeId);
  }

  setStake(nodeId: string, stakeMist: bigint, now: number): void {
    this.s.stake.run(stakeMist.toString(), now, nodeId);
  }

  setSealKey(nodeId: string, sealPubkey: Uint8Array, now: number): void {
    this.s.sealKey.run(hex(sealPubkey), now, nodeId);
  }

  /** Stores a heartbeat; false when the worker is not in the pool. */
  heartbeat(h: StoredHeartbeat, now: number): boolean {
    return this.s.heartbeat.run(h.at, h.metricsJson, h.k3sJson, now, h.nodeId).changes > 0;
  }

  /** active/busy workers whose last sign of life (heartbeat or activation) is at or before `cutoff`. */
  silentSince(cutoff: number): Worker[] {
    return (this.s.silent.all(cutoff) as WorkerRow[]).map(toWorker);
  }

  stakes(): Array<{ status: WorkerStatus; stake_mist: string }> {
    return this.s.stakes.all() as Array<{ status: WorkerStatus; stake_mist: string }>;
  }

  addHistory(t: Transition | HistoryRow): void {
    this.s.history.run(t.nodeId, t.from, t.to, t.reason, t.source, t.txDigest ?? null, t.at);
  }

  readHistory(nodeId: string, limit: number): HistoryEntry[] {
    const rows = this.s.readHistory.all(nodeId, limit) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      nodeId: r.node_id as string,
      from: r.from_status as string | null,
      to: r.to_status as string | null,
      reason: r.reason as string,
      source: r.source as TransitionSource,
      txDigest: r.tx_digest as string | null,
      at: r.at as number,
    }));
  }

  getCursor(module: ChainModule): string | null {
    const row = this.s.cursor.get(module) as { cursor: string } | undefined;
    return row?.cursor ?? null;
  }

  saveCursor(module: ChainModule, cursor: string, now: number): void {
    this.s.saveCursor.run(module, cursor, now);
  }

  /** Records an event as applied; false when it already was (a replayed page). */
  markApplied(
    e: { txDigest: string; eventIndex: number; kind: string; nodeId?: string; checkpoint?: string | null },
    module: ChainModule,
    now: number,
  ): boolean {
    const checkpoint = e.checkpoint ?? null;
    return (
      this.s.markApplied.run(e.txDigest, e.eventIndex, module, e.kind, e.nodeId ?? null, checkpoint, now).changes > 0
    );
  }

  /** Index of the last applied event of `kind` for `nodeId` earlier in the same transaction, or null. */
  lastOfKindBefore(txDigest: string, nodeId: string, kind: string, eventIndex: number): number | null {
    const row = this.s.lastOfKindBefore.get(txDigest, nodeId, kind, eventIndex) as { idx: number | null };
    return row.idx;
  }
}

function toWorker(r: WorkerRow): Worker {
  return {
    nodeId: r.node_id,
    owner: r.owner,
    stakeMist: BigInt(r.stake_mist),
    sealPubkey: new Uint8Array(Buffer.from(r.seal_pubkey, 'hex')),
    status: r.status,
    statusChangedAt: r.status_changed_at,
    registeredAt: r.registered_at,
    registrationDigest: r.registration_digest,
    lastHeartbeatAt: r.last_heartbeat_at,
    latestMetrics: r.latest_metrics === null ? null : (JSON.parse(r.latest_metrics) as Metrics),
    k3s: r.k3s === null ? null : (JSON.parse(r.k3s) as K3sStatus),
    updatedAt: r.updated_at,
  };
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
