/**
 * The master's state database: SQLite through better-sqlite3, in WAL mode with synchronous=NORMAL
 * (a crash may lose the last commits but never corrupts; lost chain events are simply read again
 * from the saved cursor). The schema is versioned by `PRAGMA user_version`; each migration runs in
 * its own transaction, so a failed upgrade leaves the previous version intact.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DaasError } from '../../shared/errors.ts';
import { K8S_REQUEST_RUNS_DDL } from './requests.ts';

export type PoolDb = Database.Database;

/** Migration N (index N-1) takes the schema from version N-1 to N. Append only; never edit a shipped one. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE workers (
    node_id             TEXT PRIMARY KEY,
    owner               TEXT NOT NULL,
    stake_mist          TEXT NOT NULL,          -- decimal u64: SQLite integers stop at i64
    seal_pubkey         TEXT NOT NULL,          -- hex, 32 bytes
    status              TEXT NOT NULL CHECK (status IN ('pending','active','busy','offline','slashed')),
    status_changed_at   INTEGER NOT NULL,       -- a fresh 'active' counts as a sign of life
    registered_at       INTEGER NOT NULL,
    registration_digest TEXT NOT NULL,
    last_heartbeat_at   INTEGER,
    latest_metrics      TEXT,                   -- JSON
    k3s                 TEXT,                   -- JSON
    updated_at          INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX workers_by_status ON workers(status);

  -- Not tied to workers by a foreign key: history outlives a deregistered worker.
  CREATE TABLE transitions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    node_id     TEXT NOT NULL,
    from_status TEXT,                           -- NULL: joined the pool
    to_status   TEXT,                           -- NULL: left the pool
    reason      TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('master','chain')),
    tx_digest   TEXT,
    at          INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX transitions_by_node ON transitions(node_id, id);

  CREATE TABLE chain_cursors (
    module     TEXT PRIMARY KEY CHECK (module IN ('worker_registry','k8s_scheduler')),
    cursor     TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE applied_events (
    tx_digest   TEXT NOT NULL,
    event_index INTEGER NOT NULL,
    module      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    node_id     TEXT,                           -- lets a StakeDeposited find its tx's registration
    checkpoint  TEXT,
    applied_at  INTEGER NOT NULL,
    PRIMARY KEY (tx_digest, event_index)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE k8s_requests (
    request_id      TEXT PRIMARY KEY,
    method          TEXT NOT NULL,
    resource        TEXT NOT NULL,
    namespace       TEXT NOT NULL,
    name            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    requester       TEXT NOT NULL,
    priority        INTEGER NOT NULL,
    assigned_worker TEXT NOT NULL,
    scheduled_at    INTEGER NOT NULL,
    tx_digest       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('scheduled','running','succeeded','failed')),
    started_at      INTEGER,
    finished_at     INTEGER,
    result          TEXT                        -- JSON
  ) STRICT;
  CREATE INDEX k8s_requests_by_status ON k8s_requests(status);
  `,
  // 2: the request executor's crash journal (full outputs; started/executed/reported).
  K8S_REQUEST_RUNS_DDL,
  // 3: the offline sweep reads only the workers silent long enough, not the whole table (the
  // expression and the WHERE are exactly those of PoolTables' silent query, so the planner uses it).
  `
  CREATE INDEX workers_by_sign_of_life ON workers (max(coalesce(last_heartbeat_at, 0), status_changed_at))
    WHERE status IN ('active', 'busy');
  `,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Opens (creating if needed) and migrates the pool database; `:memory:` works for tests.
 * @throws DaasError `POOL_DB_OPEN` when the file cannot be opened, `POOL_DB_TOO_NEW` after a downgrade.
 */
export function openPoolDb(path: string): PoolDb {
  let db: PoolDb;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // The agent server and the chain watcher share this one connection; a short wait covers a
    // second process (a CLI inspecting the file) holding the lock.
    db.pragma('busy_timeout = 5000');
  } catch (err) {
    throw new DaasError('POOL_DB_OPEN', `cannot open the pool database at ${path}`, { cause: err });
  }
  try {
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * Brings the schema to `SCHEMA_VERSION`, one transaction per migration.
 * @throws DaasError `POOL_DB_TOO_NEW` when the file was written by a newer build.
 */
export function migrate(db: PoolDb, migrations: readonly string[] = MIGRATIONS): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > migrations.length) {
    throw new DaasError(
      'POOL_DB_TOO_NEW',
      `the pool database has schema version ${from}, newer than this build's ${migrations.length}; run a newer k8s-daas-master`,
    );
  }
  for (let version = from; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version]);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return { from, to: migrations.length };
}
