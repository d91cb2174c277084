import { describe, expect, it } from 'vitest';
import { openPoolDb } from './db.ts';
import { PoolTables, SILENT_SQL, storedHeartbeat } from './tables.ts';
import { METRICS, OWNER, heartbeat, sealKey } from './testing.ts';

describe('PoolTables', () => {
  it('round-trips a worker: u64 stake beyond i64, key bytes, JSON metrics', () => {
    const tables = new PoolTables(openPoolDb(':memory:'));
    const stake = 18_446_744_073_709_551_615n;
    tables.insertWorker(
      { nodeId: 'w1', owner: OWNER, stakeMist: stake, sealPubkey: sealKey(9), at: 10, txDigest: 'tx1' },
      11,
    );
    expect(tables.heartbeat(storedHeartbeat(heartbeat('w1', 12)), 13)).toBe(true);
    expect(tables.heartbeat(storedHeartbeat(heartbeat('ghost', 12)), 13)).toBe(false);
    expect(tables.getWorker('w1')).toEqual({
      nodeId: 'w1',
      owner: OWNER,
      stakeMist: stake,
      sealPubkey: sealKey(9),
      status: 'pending',
      statusChangedAt: 10,
      registeredAt: 10,
      registrationDigest: 'tx1',
      lastHeartbeatAt: 12,
      latestMetrics: METRICS,
      k3s: { state: 'running', pid: 42, restarts: 0, lastError: null },
      updatedAt: 13,
    });
  });

  it('marks an event applied once', () => {
    const tables = new PoolTables(openPoolDb(':memory:'));
    const e = { txDigest: 'tx', eventIndex: 0, kind: 'WorkerRegistered', nodeId: 'w1', checkpoint: "5" };
    expect(tables.markApplied(e, 'worker_registry', 1)).toBe(true);
    expect(tables.markApplied(e, 'worker_registry', 2)).toBe(false);
    expect(tables.markApplied({ ...e, eventIndex: 1 }, 'worker_registry', 2)).toBe(true);
  });

  it('finds silent workers through the sign-of-life index, not by reading every row', () => {
    const db = openPoolDb(':memory:');
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${SILENT_SQL}`).all(0) as Array<{ detail: string }>).map((r) => r.detail).join('\n');
    expect(plan).toContain('USING INDEX workers_by_sign_of_life');
    expect(plan).not.toMatch(/SCAN workers(?! USING)/);
  });
});
