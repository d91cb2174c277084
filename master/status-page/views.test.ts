import { describe, expect, it } from 'vitest';
import { PoolFeed } from '../live/feed.ts';
import type { Worker } from '../pool/tables.ts';
import { K3S_RUNNING, OWNER, heartbeat, sealKey } from '../pool/testing.ts';
import { HeartbeatHistory } from './recent-heartbeats.ts';
import { sseEvent } from './sse.ts';
import { heartbeatView, pageStats, pageWorker, type RecentHeartbeats } from './views.ts';

const worker = (over: Partial<Worker> = {}): Worker => ({
  nodeId: 'w1',
  owner: OWNER,
  stakeMist: 1_250_000_000n,
  sealPubkey: sealKey(1),
  status: 'active',
  statusChangedAt: 1_000,
  registeredAt: 1_000,
  registrationDigest: 'tx1',
  lastHeartbeatAt: 5_000,
  latestMetrics: { cpu: { loadPercent: 10 } },
  k3s: K3S_RUNNING,
  updatedAt: 5_000,
  ...over,
});

const none: RecentHeartbeats = { samples: () => [], latest: () => undefined };

describe('pageWorker', () => {
  it('is the API summary plus the recent samples', () => {
    const row = pageWorker(worker(), 8_000, true, none);
    expect(row).toMatchObject({ nodeId: 'w1', status: 'active', stakeSui: '1.25', heartbeatAgeMs: 3_000, cpu: { loadPercent: 10 }, connected: true, samples: [] });
  });

  it('takes the heartbeat fields from a newer heartbeat not yet written to the pool', () => {
    const newer = { ...heartbeat('w1', 7_000, { cpu: { loadPercent: 77 }, memory: { usedBytes: 1, totalBytes: 4 } }), k3s: { ...K3S_RUNNING, state: 'crashed' as const, lastError: 'boom' } };
    const recent: RecentHeartbeats = { samples: () => [{ at: 7_000, cpuPercent: 77, memUsedBytes: 1, memTotalBytes: 4 }], latest: () => newer };
    const row = pageWorker(worker(), 8_000, true, recent);
    expect(row).toMatchObject({
      lastHeartbeatAt: new Date(7_000).toISOString(),
      heartbeatAgeMs: 1_000,
      cpu: { loadPercent: 77 },
      memory: { usedBytes: 1, totalBytes: 4 },
      k3s: { state: 'crashed', restarts: 0, lastError: 'boom' },
    });
    expect(row.samples).toHaveLength(1);
    // An older one changes nothing.
    expect(pageWorker(worker({ lastHeartbeatAt: 7_500 }), 8_000, true, recent).cpu.loadPercent).toBe(10);
  });
});

describe('pageStats and heartbeatView', () => {
  it('turns MIST into exact SUI strings', () => {
    const stats = pageStats(
      { total: 3, byStatus: { pending: 1, active: 1, busy: 0, offline: 0, slashed: 1 }, totalStakeMist: '3004607436', averageStakeMist: '1001535812' },
      7,
    );
    expect(stats).toEqual({ totalWorkers: 3, active: 1, busy: 0, pending: 1, offline: 0, slashed: 1, totalStakeSui: '3.004607436', averageStakeSui: '1.001535812', heartbeatsReceived: 7 });
  });

  it('fills absent metrics with null', () => {
    expect(heartbeatView({ nodeId: 'w1', at: 1, metrics: {}, k3s: K3S_RUNNING })).toEqual({
      nodeId: 'w1',
      at: 1,
      cpu: { loadPercent: null },
      memory: { usedBytes: null, totalBytes: null },
      k3s: { state: 'running', restarts: 0, lastError: null },
    });
  });
});

describe('HeartbeatHistory', () => {
  it('keeps the last samples per worker, counts heartbeats, and forgets a worker that left', () => {
    const feed = new PoolFeed();
    const h = new HeartbeatHistory(feed, 3);
    for (let i = 1; i <= 5; i++) feed.emit('heartbeat', heartbeat('w1', i * 1000, { cpu: { loadPercent: i } }));
    feed.emit('heartbeat', heartbeat('w2', 9_000));
    expect(h.samples('w1').map((s) => s.cpuPercent)).toEqual([3, 4, 5]);
    expect(h.latest('w1')?.at).toBe(5_000);
    expect(h.heartbeatsReceived).toBe(6);
    feed.emit('transition', { nodeId: 'w1', from: 'active', to: null, reason: 'deregistered', at: 1, source: 'chain' });
    expect(h.samples('w1')).toEqual([]);
    expect(h.latest('w1')).toBeUndefined();
    expect(h.samples('w2')).toHaveLength(1);
    h.close();
    expect(feed.listenerCount('heartbeat')).toBe(0);
  });
});

describe('sseEvent', () => {
  it('keeps a value with newlines on one data line, so it cannot end the frame or forge a field', () => {
    const frame = sseEvent('heartbeat', { lastError: 'line 1\n\nevent: snapshot\ndata: {}', big: 2n ** 64n });
    expect(frame.split('\n')).toHaveLength(4);
    expect(frame).toBe('event: heartbeat\ndata: {"lastError":"line 1\\n\\nevent: snapshot\\ndata: {}","big":"18446744073709551616"}\n\n');
  });
});
