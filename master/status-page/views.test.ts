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

const none: RecentHeartbeats = { samples: () => [] };

describe('pageWorker', () => {
  it('is the API summary plus the recent samples', () => {
    const row = pageWorker(worker(), 8_000, true, none);
    expect(row).toMatchObject({ nodeId: 'w1', status: 'active', stakeSui: '1.25', heartbeatAgeMs: 3_000, cpu: { loadPercent: 10 }, connected: true, samples: [] });
  });

  it('carries the samples it is given', () => {
    const recent: RecentHeartbeats = { samples: () => [{ at: 7_000, cpuPercent: 77, memUsedBytes: null, memTotalBytes: 4 }] };
    expect(pageWorker(worker(), 8_000, true, recent).samples).toEqual([{ at: 7_000, cpuPercent: 77, memUsedBytes: null, memTotalBytes: 4 }]);
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
    for (let i = 1; i <= 5; i++) feed.emit('heartbeat', heartbeat('w1', i * 1000, { cpu: { loadPercent: i }, memory: { usedBytes: i * 10, totalBytes: 100 } }));
    feed.emit('heartbeat', heartbeat('w2', 9_000, {}));
    expect(h.samples('w1')).toEqual([3, 4, 5].map((i) => ({ at: i * 1000, cpuPercent: i, memUsedBytes: i * 10, memTotalBytes: 100 })));
    expect(h.samples('w2')).toEqual([{ at: 9_000, cpuPercent: null, memUsedBytes: null, memTotalBytes: null }]);
    expect(h.heartbeatsReceived).toBe(6);
    feed.emit('transition', { nodeId: 'w1', from: 'active', to: null, reason: 'deregistered', at: 1, source: 'chain' });
    expect(h.samples('w1')).toEqual([]);
    expect(h.samples('w2')).toHaveLength(1);
    h.close();
    expect(feed.listenerCount('heartbeat')).toBe(0);
  });

  it('keeps every worker apart past the first rows, and a row given back starts empty for its next worker', () => {
    const feed = new PoolFeed();
    const h = new HeartbeatHistory(feed, 2);
    const cpu = (w: number, i: number) => ({ cpu: { loadPercent: w * 10 + i }, memory: { usedBytes: w, totalBytes: 1000 } });
    for (let i = 1; i <= 3; i++) for (let w = 0; w < 200; w++) feed.emit('heartbeat', heartbeat(`w${w}`, i, cpu(w, i)));
    for (const w of [0, 63, 64, 199]) expect(h.samples(`w${w}`).map((s) => [s.at, s.cpuPercent, s.memUsedBytes])).toEqual([[2, w * 10 + 2, w], [3, w * 10 + 3, w]]);
    feed.emit('transition', { nodeId: 'w5', from: 'active', to: null, reason: 'deregistered', at: 4, source: 'chain' });
    feed.emit('heartbeat', heartbeat('new', 5, {}));
    expect(h.samples('new')).toEqual([{ at: 5, cpuPercent: null, memUsedBytes: null, memTotalBytes: null }]);
    expect(h.samples('w5')).toEqual([]);
    expect(h.samples('w6').map((s) => s.cpuPercent)).toEqual([62, 63]);
    h.close();
  });
});

describe('sseEvent', () => {
  it('keeps a value with newlines on one data line, so it cannot end the frame or forge a field', () => {
    const frame = sseEvent('heartbeat', { lastError: 'line 1\n\nevent: snapshot\ndata: {}', big: 2n ** 64n });
    expect(frame.split('\n')).toHaveLength(4);
    expect(frame).toBe('event: heartbeat\ndata: {"lastError":"line 1\\n\\nevent: snapshot\\ndata: {}","big":"18446744073709551616"}\n\n');
  });
});
