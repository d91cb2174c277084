/**
 * The worker pool: the master's one source of truth about workers, their history and how far the
 * chain has been read. Every write is a transaction; transitions are reported to `onTransition`
 * only after their transaction committed, so a rolled-back page never logs a change that did not
 * happen.
 */
import type { Clock } from '../../shared/clock.ts';
import { DaasError } from '../../shared/errors.ts';
import { applyEvent } from './apply-events.ts';
import type { ChainEvent, ChainModule } from './chain-events.ts';
import type { PoolDb } from './db.ts';
import { RequestRunTable, RequestTable, type K8sRequest, type RequestOutcome, type RequestRun, type RequestRunState } from './requests.ts';
import { WORKER_STATUSES, transition, type Transition, type WorkerStatus } from './states.ts';
import { PoolTables, storedHeartbeat, type HeartbeatRecord, type HistoryEntry, type StoredHeartbeat, type Worker, type WorkerIdentity } from './tables.ts';

export type { HeartbeatRecord, HistoryEntry, StoredHeartbeat, Worker, WorkerIdentity } from './tables.ts';

export interface PoolStoreOptions {
  /** An open, migrated database (`openPoolDb`); the store owns it from now on. */
  db: PoolDb;
  clock: Clock;
  /** Called once per committed change, in order; the master logs it with `formatTransition`. */
  onTransition?: (t: Transition) => void;
}

export interface ApplyResult {
  /** Events applied now. */
  applied: number;
  /** Those events, in order: what listeners act on (a re-read page's duplicates are not in it). */
  appliedEvents: ChainEvent[];
  /** Events skipped because an earlier page already applied them. */
  duplicates: number;
  /** Applied events that changed nothing, with why (e.g. an event for a worker not in the pool). */
  ignored: Array<{ txDigest: string; eventIndex: number; reason: string }>;
  transitions: Transition[];
}

export interface PoolStats {
  total: number;
  byStatus: Record<WorkerStatus, number>;
  /** Decimal strings: sums of u64 stakes exceed Number's exact range. */
  totalStakeMist: string;
  /** Integer average (rounded down), "0" for an empty pool. */
  averageStakeMist: string;
}

export class PoolStore {
  private readonly db: PoolDb;
  private readonly clock: Clock;
  private readonly onTransition: (t: Transition) => void;
  private readonly tables: PoolTables;
  private readonly requests: RequestTable;
  private runTable: RequestRunTable | null = null;

  constructor(options: PoolStoreOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.onTransition = options.onTransition ?? (() => {});
    this.tables = new PoolTables(options.db);
    this.requests = new RequestTable(options.db);
  }

  /** Where to resume reading `module`'s events; null before the first page. */
  getCursor(module: ChainModule): string | null {
    return this.tables.getCursor(module);
  }

  /**
   * Applies one page of events in order and saves `newCursor` in the same transaction: after a crash
   * either both are stored or neither. Events already applied are skipped, so re-reading a page is
   * harmless. A null `newCursor` (an empty page) keeps the saved cursor.
   * @throws whatever the database throws; nothing of the page is then stored.
   */
  applyChainEvents(module: ChainModule, events: readonly ChainEvent[], newCursor: string | null): ApplyResult {
    const now = this.clock.now();
    const ctx = { tables: this.tables, requests: this.requests, now };
    const result = this.db.transaction((): ApplyResult => {
      const out: ApplyResult = { applied: 0, appliedEvents: [], duplicates: 0, ignored: [], transitions: [] };
      for (const e of events) {
        const nodeId = 'nodeId' in e ? e.nodeId : undefined;
        if (!this.tables.markApplied({ ...e, nodeId }, module, now)) {
          out.duplicates++;
          continue;
        }
        out.applied++;
        out.appliedEvents.push(e);
        const outcome = applyEvent(ctx, e);
        out.transitions.push(...outcome.transitions);
        if (outcome.ignored)
          out.ignored.push({ txDigest: e.txDigest, eventIndex: e.eventIndex, reason: outcome.ignored });
      }
      if (newCursor !== null) this.tables.saveCursor(module, newCursor, now);
      return out;
    })();
    this.report(result.transitions);
    return result;
  }

  getWorker(nodeId: string): Worker | undefined {
    return this.tables.getWorker(nodeId);
  }

  /** A worker's identity and status, cheaper than `getWorker` (no heartbeat columns). */
  getIdentity(nodeId: string): WorkerIdentity | undefined {
    return this.tables.getIdentity(nodeId);
  }

  /** Node ids of the workers now `offline`. */
  offlineIds(): string[] {
    return this.tables.offlineIds();
  }

  /** All workers, by node id. */
  listWorkers(): Worker[] {
    return this.tables.listWorkers();
  }

  /**
   * Moves a worker through the state machine and records the move.
   * @returns the move, or null when the worker already had that status.
   * @throws DaasError `WORKER_NOT_FOUND`; IllegalTransitionError for a forbidden move.
   */
  setStatus(nodeId: string, to: WorkerStatus, reason: string): { from: WorkerStatus; to: WorkerStatus } | null {
    const now = this.clock.now();
    const t = this.db.transaction(() => {
      const worker = this.tables.getWorker(nodeId);
      if (!worker) throw new DaasError('WORKER_NOT_FOUND', `worker ${nodeId} is not in the pool`);
      const change = transition(worker, to, reason, now);
      if (!change) return null;
      this.tables.setStatus(nodeId, to, now, now);
      this.tables.addHistory(change);
      return change;
    })();
    if (!t) return null;
    this.report([t]);
    return { from: t.from as WorkerStatus, to };
  }

  /**
   * Stores many heartbeats in one transaction (the master buffers them, see HeartbeatBuffer).
   * Heartbeats of workers no longer in the pool are dropped. Returns how many were stored.
   */
  recordHeartbeats(batch: readonly HeartbeatRecord[]): number {
    return this.recordHeartbeatRows(batch.map(storedHeartbeat));
  }

  /** `recordHeartbeats` for heartbeats already in their stored form (what HeartbeatBuffer keeps). */
  recordHeartbeatRows(rows: readonly StoredHeartbeat[]): number {
    if (rows.length === 0) return 0;
    const now = this.clock.now();
    return this.db.transaction(() => rows.filter((h) => this.tables.heartbeat(h, now)).length)();
  }

  /** Active or busy workers with no sign of life (heartbeat, or becoming active) for `olderThanMs` or more. */
  findSilent(olderThanMs: number, now: number = this.clock.now()): Worker[] {
    return this.tables.silentSince(now - olderThanMs);
  }

  stats(): PoolStats {
    const byStatus = Object.fromEntries(WORKER_STATUSES.map((s) => [s, 0])) as Record<WorkerStatus, number>;
    let total = 0;
    let stake = 0n;
    for (const row of this.tables.stakes()) {
      total++;
      byStatus[row.status]++;
      stake += BigInt(row.stake_mist);
    }
    const average = total === 0 ? 0n : stake / BigInt(total);
    return { total, byStatus, totalStakeMist: stake.toString(), averageStakeMist: average.toString() };
  }

  /** The worker's last `limit` history entries, newest first; kept after the worker left the pool. */
  history(nodeId: string, limit = 50): HistoryEntry[] {
    return this.tables.readHistory(nodeId, limit);
  }

  getRequest(requestId: string): K8sRequest | undefined {
    return this.requests.get(requestId);
  }

  /**
   * Journals that the master starts executing `requestId` and marks the request `running`, in one
   * transaction: the gate that makes execution happen at most once, also across restarts.
   * @returns the request, or null when it is unknown, not `scheduled`, or was started before.
   */
  startRequest(requestId: string): K8sRequest | null {
    const now = this.clock.now();
    const runs = this.runs();
    return this.db.transaction(() => (runs.start(requestId, now) ? (this.requests.get(requestId) ?? null) : null))();
  }

  /** Records a started request's outcome with its full output; false unless the run is `started`. */
  completeRequestRun(requestId: string, outcome: RequestOutcome): boolean {
    return this.runs().executed(requestId, outcome, this.clock.now());
  }

  /** Closes an executed run once its result is on chain (`digest`) or refused there (`digest` null, `note` why). */
  closeRequestRun(requestId: string, digest: string | null, note: string | null = null): boolean {
    return this.runs().reported(requestId, digest, this.clock.now(), note);
  }

  /** Keeps the last reason reporting a run failed (shown by the request API). */
  noteRequestRun(requestId: string, note: string): void {
    this.runs().note(requestId, note);
  }

  getRequestRun(requestId: string): RequestRun | undefined {
    return this.runs().get(requestId);
  }

  /** Journal rows in `state`, oldest first. */
  listRequestRuns(state: RequestRunState): RequestRun[] {
    return this.runs().inState(state);
  }

  /** Requests scheduled on chain and never started, in ledger order (at most `limit`). */
  listUnstartedRequests(limit = 100): K8sRequest[] {
    return this.runs()
      .scheduledIds(limit)
      .map((id) => this.requests.get(id))
      .filter((r): r is K8sRequest => r !== undefined);
  }

  private runs(): RequestRunTable {
    return (this.runTable ??= new RequestRunTable(this.db));
  }

  close(): void {
    this.db.close();
  }

  private report(transitions: readonly Transition[]): void {
    for (const t of transitions) this.onTransition(t);
  }
}
