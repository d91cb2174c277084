import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PoolFeed } from '../live/feed.ts';
import { K3S_RUNNING } from '../pool/testing.ts';
import type { HeartbeatRecord } from '../pool/tables.ts';
import { LiveStream, type LiveStreamOptions } from './live-stream.ts';
import { StreamClient, until } from './testing.ts';
import type { HeartbeatView, PageStats } from './views.ts';

const STATS: PageStats = {
  totalWorkers: 1,
  active: 1,
  busy: 0,
  pending: 0,
  offline: 0,
  slashed: 0,
  totalStakeSui: '1',
  averageStakeSui: '1',
  heartbeatsReceived: 0,
};

const open: Array<{ server: Server; clients: StreamClient[] }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    for (const c of o.clients) c.close();
    o.server.closeAllConnections();
    await new Promise((r) => o.server.close(r));
  }
});

async function serve(over: Partial<LiveStreamOptions> = {}) {
  const feed = new PoolFeed();
  let statsReads = 0;
  const live = new LiveStream({
    feed,
    snapshot: () => ({ serverNow: 0, workers: [], stats: STATS }),
    worker: () => null,
    stats: () => ({ ...STATS, heartbeatsReceived: ++statsReads }),
    minUpdateIntervalMs: 200,
    ...over,
  });
  const server = createServer((req, res) => live.open(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const entry = { server, clients: [] as StreamClient[] };
  open.push(entry);
  const connect = async () => {
    const c = new StreamClient(url);
    entry.clients.push(c);
    await c.opened();
    await c.waitFor('snapshot');
    return c;
  };
  return { feed, live, connect, statsReads: () => statsReads };
}

const hb = (nodeId: string, at: number, cpu: number): HeartbeatRecord => ({
  nodeId,
  at,
  metrics: { cpu: { loadPercent: cpu } },
  k3s: K3S_RUNNING,
});

describe('LiveStream', () => {
  it('coalesces heartbeats per worker: the first at once, the newest at the end of the window', async () => {
    const { feed, connect } = await serve();
    const c = await connect();
    for (let i = 1; i <= 5; i++) feed.emit('heartbeat', hb('w1', i, i * 10));
    feed.emit('heartbeat', hb('w2', 1, 99));
    await c.waitFor('heartbeat', 2, 500);
    // Each worker's first heartbeat went out at once, independently of the other's.
    expect(c.named('heartbeat').map((e) => (e.data as HeartbeatView).nodeId)).toEqual(['w1', 'w2']);
    const all = await c.waitFor('heartbeat', 3, 1_000);
    expect(all.map((e) => [(e.data as HeartbeatView).nodeId, (e.data as HeartbeatView).cpu.loadPercent])).toEqual([
      ['w1', 10],
      ['w2', 99],
      ['w1', 50], // 20..40 were superseded within the window
    ]);
    await new Promise((r) => setTimeout(r, 450));
    expect(c.named('heartbeat')).toHaveLength(3);
  });

  it('does not send a page a held-back heartbeat its snapshot already holds', async () => {
    const { feed, connect } = await serve();
    const early = await connect();
    feed.emit('heartbeat', hb('w1', 1, 10)); // sent at once
    feed.emit('heartbeat', hb('w1', 2, 20)); // held until the window ends
    await early.waitFor('heartbeat', 1, 500);
    const late = await connect(); // its snapshot is taken after both
    feed.emit('heartbeat', hb('w2', 3, 30)); // but a newer one still reaches it
    await early.waitFor('heartbeat', 3, 1_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(early.named('heartbeat').map((e) => (e.data as HeartbeatView).cpu.loadPercent)).toEqual([10, 30, 20]);
    expect(late.named('heartbeat').map((e) => (e.data as HeartbeatView).cpu.loadPercent)).toEqual([30]);
  });

  it('reads the stats at most once per window however many changes arrive', async () => {
    const { feed, connect, statsReads } = await serve();
    const c = await connect();
    for (let i = 0; i < 50; i++) feed.emit('heartbeat', hb(`w${i}`, i, 1));
    await c.waitFor('stats', 1, 500);
    await new Promise((r) => setTimeout(r, 100));
    expect(statsReads()).toBe(1);
    await c.waitFor('stats', 2, 1_000);
    expect(statsReads()).toBe(2);
  });

  it('never throws into the feed when a row cannot be read', async () => {
    const { feed, connect } = await serve({
      worker: () => {
        throw new Error('database is closed');
      },
    });
    const c = await connect();
    expect(() => feed.emit('transition', { nodeId: 'w1', from: 'pending', to: 'active', reason: 'authenticated', at: 1, source: 'master' })).not.toThrow();
    // The stream carries on.
    feed.emit('heartbeat', hb('w1', 2, 5));
    await c.waitFor('heartbeat');
    expect(c.named('transition')).toHaveLength(0);
  });

  it('sends a leaving worker as a transition with no row', async () => {
    const { feed, connect } = await serve();
    const c = await connect();
    feed.emit('transition', { nodeId: 'w1', from: 'active', to: null, reason: 'deregistered', at: 3, source: 'chain', stakeMist: 5n });
    const [t] = await c.waitFor('transition');
    expect(t.data).toEqual({ nodeId: 'w1', from: 'active', to: null, reason: 'deregistered', source: 'chain', at: 3, worker: null });
  });

  it('close() ends every stream and detaches from the feed', async () => {
    const { feed, live, connect } = await serve();
    const a = await connect();
    const b = await connect();
    expect(feed.listenerCount('heartbeat')).toBe(1);
    live.close();
    await until(() => a.ended && b.ended, 'both streams to end');
    expect(live.streams).toBe(0);
    expect(feed.listenerCount('heartbeat')).toBe(0);
    expect(feed.listenerCount('transition')).toBe(0);
  });
});
