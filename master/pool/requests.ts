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
