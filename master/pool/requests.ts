/**
 * Kubernetes API requests scheduled on chain (k8s_scheduler). For now only stored and read back;
 * executing them and recording results on chain is a later step that builds on this table.
 */
import type { K8sAPIRequestScheduled, K8sAPIResult } from './chain-events.ts';
import type { PoolDb } from './db.ts';

export type K8sRequestStatus = 'scheduled' | 'running' | 'succeeded' | 'failed';

export interface K8sRequestResult {
  success: boolean;
  output: string;
  error: string;
  executionTimeMs: number;
}

export interface K8sRequest {
  requestId: string;
  method: string;
  resource: string;
  namespace: string;
  name: string;
  payload: string;
  requester: string;
  priority: number;
  assignedWorker: string;
  scheduledAt: number;
  txDigest: string;
  status: K8sRequestStatus;
  startedAt: number | null;
  finishedAt: number | null;
  result: K8sRequestResult | null;
}

export class RequestTable {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly finishStmt;

  constructor(db: PoolDb) {
    this.insertStmt = db.prepare(`INSERT OR IGNORE INTO k8s_requests (request_id, method, resource, namespace,
      name, payload, requester, priority, assigned_worker, scheduled_at, tx_digest, status)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled')`);
    this.getStmt = db.prepare('SELECT * FROM k8s_requests WHERE request_id = ?');
    this.finishStmt = db.prepare(
      'UPDATE k8s_requests SET status = ?, finished_at = ?, result = ? WHERE request_id = ?',
    );
  }

  /** Stores a scheduled request; false when the id is already known (request ids are unique on chain). */
  insert(e: Omit<K8sAPIRequestScheduled, 'kind' | 'eventIndex' | 'checkpoint'>): boolean {
    const r = this.insertStmt.run(
      e.requestId,
      e.method,
      e.resource,
      e.namespace,
      e.name,
      e.payload,
      e.requester,
      e.priority,
      e.assignedWorker,
      e.timestamp,
      e.txDigest,
    );
    return r.changes > 0;
  }

  /** Records the on-chain result; false when the request is unknown. */
  finish(
    e: Pick<K8sAPIResult, 'requestId' | 'success' | 'output' | 'error' | 'executionTimeMs' | 'timestamp'>,
  ): boolean {
    const result: K8sRequestResult = {
      success: e.success,
      output: e.output,
      error: e.error,
      executionTimeMs: e.executionTimeMs,
    };
    const status: K8sRequestStatus = e.success ? 'succeeded' : 'failed';
    return this.finishStmt.run(status, e.timestamp, JSON.stringify(result), e.requestId).changes > 0;
  }

  get(requestId: string): K8sRequest | undefined {
    const r = this.getStmt.get(requestId) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    return {
      requestId: r.request_id as string,
      method: r.method as string,
      resource: r.resource as string,
      namespace: r.namespace as string,
      name: r.name as string,
      payload: r.payload as string,
      requester: r.requester as string,
      priority: r.priority as number,
      assignedWorker: r.assigned_worker as string,
      scheduledAt: r.scheduled_at as number,
      txDigest: r.tx_digest as string,
      status: r.status as K8sRequestStatus,
      startedAt: r.started_at as number | null,
      finishedAt: r.finished_at as number | null,
      result: r.result === null ? null : (JSON.parse(r.result as string) as K8sRequestResult),
    };
  }
}

/**
 * The master's execution journal of Kubernetes API requests, one row per request it started. It
 * lives beside `k8s_requests` because that row's `result` is overwritten by the on-chain
 * K8sAPIResult echo, whose output is truncated; the journal keeps the full output and how far the
 * report got. `started` is written before the API call, so a crash leaves a row that tells the
 * restarted master not to run the request again.
 *
 * The DDL is idempotent so the journal works on databases of schema version 1; it is meant to move
 * verbatim into `MIGRATIONS` (db.ts) as migration 2, after which `IF NOT EXISTS` is a no-op.
 */
export const K8S_REQUEST_RUNS_DDL = `
  CREATE TABLE IF NOT EXISTS k8s_request_runs (
    request_id     TEXT PRIMARY KEY,
    state          TEXT NOT NULL CHECK (state IN ('started','executed','reported')),
    started_at     INTEGER NOT NULL,
    finished_at    INTEGER,
    success        INTEGER CHECK (success IN (0, 1)),
    output         TEXT,                      -- full output (kubectl-style JSON)
    error          TEXT,
    execution_ms   INTEGER,
    report_digest  TEXT,                      -- record_api_result transaction; NULL if refused on chain
    reported_at    INTEGER,
    report_note    TEXT                       -- why a report was dropped, or what its last failure was
  ) STRICT;
  CREATE INDEX IF NOT EXISTS k8s_request_runs_by_state ON k8s_request_runs(state);
`;

export type RequestRunState = 'started' | 'executed' | 'reported';

/** What executing a request produced; `output` is the full output, `error` empty on success. */
export interface RequestOutcome {
  success: boolean;
  output: string;
  error: string;
  executionTimeMs: number;
}

/** One journal row. Outcome fields are null while `started`. */
export interface RequestRun {
  requestId: string;
  state: RequestRunState;
  startedAt: number;
  finishedAt: number | null;
  outcome: RequestOutcome | null;
  reportDigest: string | null;
  reportedAt: number | null;
  reportNote: string | null;
}

export class RequestRunTable {
  private readonly insertStmt;
  private readonly runningStmt;
  private readonly executedStmt;
  private readonly reportedStmt;
  private readonly noteStmt;
  private readonly getStmt;
  private readonly byStateStmt;
  private readonly scheduledStmt;

  /** Creates the journal table when missing (see K8S_REQUEST_RUNS_DDL). */
  constructor(db: PoolDb) {
    db.exec(K8S_REQUEST_RUNS_DDL);
    this.insertStmt = db.prepare(`INSERT OR IGNORE INTO k8s_request_runs (request_id, state, started_at) VALUES (?, 'started', ?)`);
    this.runningStmt = db.prepare(`UPDATE k8s_requests SET status = 'running', started_at = ? WHERE request_id = ? AND status = 'scheduled'`);
    this.executedStmt = db.prepare(`UPDATE k8s_request_runs SET state = 'executed', finished_at = ?, success = ?, output = ?, error = ?,
      execution_ms = ? WHERE request_id = ? AND state = 'started'`);
    this.reportedStmt = db.prepare(`UPDATE k8s_request_runs SET state = 'reported', report_digest = ?, reported_at = ?,
      report_note = ? WHERE request_id = ? AND state = 'executed'`);
    this.noteStmt = db.prepare('UPDATE k8s_request_runs SET report_note = ? WHERE request_id = ?');
    this.getStmt = db.prepare('SELECT * FROM k8s_request_runs WHERE request_id = ?');
    this.byStateStmt = db.prepare('SELECT * FROM k8s_request_runs WHERE state = ? ORDER BY started_at, rowid');
    // rowid order is insertion order, which is ledger order: the watcher applies events in order.
    this.scheduledStmt = db.prepare(`SELECT r.request_id FROM k8s_requests r LEFT JOIN k8s_request_runs j USING (request_id)
      WHERE r.status = 'scheduled' AND j.request_id IS NULL ORDER BY r.rowid LIMIT ?`);
  }

  /** Journals the start and marks the request running; false when it was started before or is not `scheduled`. Call in a transaction. */
  start(requestId: string, at: number): boolean {
    if (this.runningStmt.run(at, requestId).changes === 0) return false;
    return this.insertStmt.run(requestId, at).changes > 0;
  }

  /** Records the outcome of a started run; false unless the run is `started`. */
  executed(requestId: string, outcome: RequestOutcome, at: number): boolean {
    const { success, output, error, executionTimeMs } = outcome;
    return this.executedStmt.run(at, success ? 1 : 0, output, error, executionTimeMs, requestId).changes > 0;
  }

  /** Closes an executed run: reported on chain (`digest`), or dropped with a `note`; false unless `executed`. */
  reported(requestId: string, digest: string | null, at: number, note: string | null): boolean {
    return this.reportedStmt.run(digest, at, note, requestId).changes > 0;
  }

  /** Keeps the last reason a report failed, for the operator. */
  note(requestId: string, note: string): void {
    this.noteStmt.run(note, requestId);
  }

  get(requestId: string): RequestRun | undefined {
    const row = this.getStmt.get(requestId) as Record<string, unknown> | undefined;
    return row ? toRun(row) : undefined;
  }

  inState(state: RequestRunState): RequestRun[] {
    return (this.byStateStmt.all(state) as Record<string, unknown>[]).map(toRun);
  }

  /** Ids of `scheduled` requests never started, oldest first. */
  scheduledIds(limit: number): string[] {
    return (this.scheduledStmt.all(limit) as Array<{ request_id: string }>).map((r) => r.request_id);
  }
}

function toRun(r: Record<string, unknown>): RequestRun {
  const executed = r.state !== 'started';
  return {
    requestId: r.request_id as string,
    state: r.state as RequestRunState,
    startedAt: r.started_at as number,
    finishedAt: r.finished_at as number | null,
    outcome: executed
      ? { success: r.success === 1, output: r.output as string, error: r.error as string, executionTimeMs: r.execution_ms as number }
      : null,
    reportDigest: r.report_digest as string | null,
    reportedAt: r.reported_at as number | null,
    reportNote: r.report_note as string | null,
  };
}
