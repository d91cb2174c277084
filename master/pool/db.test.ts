import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { hasCode } from '../../shared/errors.ts';
import { MIGRATIONS, SCHEMA_VERSION, migrate, openPoolDb } from './db.ts';

const tempDir = () => mkdtempSync(join(tmpdir(), 'pool-db-'));

describe('openPoolDb', () => {
  it('creates the directory and the schema, in WAL mode with synchronous=NORMAL', () => {
    const path = join(tempDir(), 'nested', 'pool.db');
    const db = openPoolDb(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(
      expect.arrayContaining(['applied_events', 'chain_cursors', 'k8s_requests', 'transitions', 'workers']),
    );
    db.close();
  });

  it('re-opening an up-to-date file migrates nothing', () => {
    const path = join(tempDir(), 'pool.db');
    openPoolDb(path).close();
    const db = openPoolDb(path);
    expect(migrate(db)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION });
    db.close();
  });

  it('refuses a file written by a newer build', () => {
    const path = join(tempDir(), 'pool.db');
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    let err: unknown;
    try {
      openPoolDb(path);
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, 'POOL_DB_TOO_NEW')).toBe(true);
  });

  it('reports a path it cannot open', () => {
    const dir = tempDir();
    let err: unknown;
    try {
      openPoolDb(dir); // a directory is not a database file
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, 'POOL_DB_OPEN')).toBe(true);
  });
});

describe('migrate', () => {
  it('applies pending migrations in order and stops at a failing one, keeping the last good version', () => {
    const db = new Database(':memory:');
    const migrations = [
      ...MIGRATIONS,
      'ALTER TABLE workers ADD COLUMN region TEXT',
      'CREATE TABLE x (a); SELECT nope FROM missing',
    ];
    expect(() => migrate(db, migrations)).toThrow(/missing/);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE name = 'x'").all();
    expect(tables).toEqual([]); // the failed migration's first statement was rolled back too
    const columns = db.prepare("SELECT name FROM pragma_table_info('workers')").pluck().all();
    expect(columns).toContain('region');
    db.close();
  });
});
