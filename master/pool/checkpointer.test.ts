import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { WalCheckpointer, type CheckpointResult } from './checkpointer.ts';
import { openPoolDb } from './db.ts';
import { PoolStore } from './store.ts';
import { heartbeat, manualClock, registration } from './testing.ts';

const until = async (what: string, ok: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('WalCheckpointer', () => {
  it('checkpoints the WAL from its thread while the master connection checkpoints nothing itself', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'k8s-daas-ckpt-')), 'pool.db');
    const db = openPoolDb(path);
    const store = new PoolStore({ db, clock: manualClock() });
    const results: CheckpointResult[] = [];
    const ckpt = new WalCheckpointer({ db, path, logger: pino({ level: 'silent' }), intervalMs: 60_000, onCheckpoint: (r) => results.push(r) });
    try {
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      for (let i = 0; i < 300; i++) store.applyChainEvents('worker_registry', registration(`w${i}`, { tx: `tx${i}` }), null);
      for (let round = 0; round < 20; round++) store.recordHeartbeats(Array.from({ length: 300 }, (_, i) => heartbeat(`w${i}`, round)));
      // Past SQLite's 1,000-page threshold, and nothing moved it back into the database file.
      const walBytes = statSync(`${path}-wal`).size;
      expect(walBytes).toBeGreaterThan(1000 * 4096);
      ckpt.checkpointNow();
      await until('a checkpoint', () => results.length > 0);
      expect(results[0].walFrames).toBeGreaterThan(1000);
      expect(results[0].checkpointed).toBe(results[0].walFrames);
      // The next write starts the WAL over instead of growing it.
      store.recordHeartbeats([heartbeat('w1', 99)]);
      expect(statSync(`${path}-wal`).size).toBe(walBytes);
      expect(store.getWorker('w1')?.lastHeartbeatAt).toBe(99);
    } finally {
      await ckpt.stop();
      store.close();
    }
  });

  it('gives checkpointing back to the connection when its thread fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8s-daas-ckpt-'));
    const db = openPoolDb(join(dir, 'pool.db'));
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (l: string) => lines.push(l) });
    const ckpt = new WalCheckpointer({ db, path: join(dir, 'absent.db'), logger, intervalMs: 60_000 });
    try {
      await until('the fallback', () => db.pragma('wal_autocheckpoint', { simple: true }) === 1000);
      expect(lines.join('')).toContain('checkpoints on its own again');
    } finally {
      await ckpt.stop();
      db.close();
    }
  });
});
