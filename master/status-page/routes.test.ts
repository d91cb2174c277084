import { afterEach, describe, expect, it } from 'vitest';
import { K3S_RUNNING } from '../pool/testing.ts';
import { closeServer } from '../http/server.ts';
import type { PageStats, PageWorker, SnapshotEvent, TransitionEvent, HeartbeatView } from './views.ts';
import { StreamClient, T0, startPageServer, until, type PageServer } from './testing.ts';

const servers: PageServer[] = [];
const clients: StreamClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function start(options: Parameters<typeof startPageServer>[0] = {}): Promise<PageServer> {
  const s = await startPageServer(options);
  servers.push(s);
  return s;
}

async function stream(s: PageServer): Promise<StreamClient> {
  const c = new StreamClient(`${s.url}/api/v1/events`);
  clients.push(c);
  await c.opened();
  return c;
}

describe('GET / and its files', () => {
  it('serves the page, its script and stylesheet, with a CSP that allows only the own origin', async () => {
    const s = await start();
    const page = await fetch(`${s.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<table id="workers">');
    expect(html).toContain('src="assets/status.js"');
    // No CDN, no external font, no inline script.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<script>/);

    const js = await fetch(`${s.url}/assets/status.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const code = await js.text();
    expect(code).toContain("new EventSource(EVENTS_URL)");
    expect(code).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    const css = await fetch(`${s.url}/assets/status.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).not.toMatch(/@import|url\(/);
  });
});

describe('GET /api/v1/events', () => {
  it('opens with a snapshot of the pool and the stats', async () => {
    const s = await start();
    s.clock.set(T0 + 4_000);
    const c = await stream(s);
    expect(c.status).toBe(200);
    expect(c.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(c.headers['cache-control']).toBe('no-store');
    const [first] = await c.waitFor('snapshot');
    expect(c.events[0]).toBe(first);
    const snap = first.data as SnapshotEvent;
    expect(snap.serverNow).toBe(T0 + 4_000);
    expect(snap.workers.map((w) => [w.nodeId, w.status])).toEqual([
      ['alpha', 'active'],
      ['bravo', 'pending'],
      ['charlie', 'pending'],
    ]);
    expect(snap.workers[0]).toMatchObject({ heartbeatAgeMs: 4_000, cpu: { loadPercent: 20 }, connected: true, stakeSui: '1.5' });
    expect(snap.stats).toEqual<PageStats>({
      totalWorkers: 3,
      active: 1,
      busy: 0,
      pending: 2,
      offline: 0,
      slashed: 0,
      totalStakeSui: '6',
      averageStakeSui: '2',
      heartbeatsReceived: 0,
    });
    expect(c.body.startsWith('retry: 2000\n\n')).toBe(true);
  });

  it('sends heartbeats and transitions as the feed emits them, then the new stats', async () => {
    const s = await start();
    const c = await stream(s);
    await c.waitFor('snapshot');
    s.feed.emit('heartbeat', {
      nodeId: 'alpha',
      at: T0 + 1_000,
      metrics: { cpu: { loadPercent: 55.5 }, memory: { usedBytes: 2e9, totalBytes: 8e9 } },
      k3s: { ...K3S_RUNNING, state: 'crashed', lastError: 'x509: certificate signed by unknown authority' },
    });
    const [hb] = await c.waitFor('heartbeat');
    expect(hb.data).toEqual<HeartbeatView>({
      nodeId: 'alpha',
      at: T0 + 1_000,
      cpu: { loadPercent: 55.5 },
      memory: { usedBytes: 2e9, totalBytes: 8e9 },
      k3s: { state: 'crashed', restarts: 0, lastError: 'x509: certificate signed by unknown authority' },
    });
    expect(((await c.waitFor('stats'))[0].data as PageStats).heartbeatsReceived).toBe(1);

    s.connected.add('bravo');
    s.store.setStatus('bravo', 'active', 'authenticated');
    const [tr] = await c.waitFor('transition');
    const t = tr.data as TransitionEvent;
    expect(t).toMatchObject({ nodeId: 'bravo', from: 'pending', to: 'active', reason: 'authenticated', source: 'master' });
    expect(t.worker).toMatchObject<Partial<PageWorker>>({ nodeId: 'bravo', status: 'active', connected: true });
    await until(() => c.named('stats').some((e) => (e.data as PageStats).active === 2), 'stats with two active');
  });

  it('uses the master counters for heartbeats received when given', async () => {
    const s = await start({ metrics: { snapshot: () => ({ heartbeatsReceived: 41, authFailures: 0, connectedAgents: 1 }) } });
    const c = await stream(s);
    const [snap] = await c.waitFor('snapshot');
    expect((snap.data as SnapshotEvent).stats.heartbeatsReceived).toBe(41);
  });

  it('adds its feed listeners with the first stream and removes them when the last one disconnects', async () => {
    const s = await start();
    // The recent-heartbeat history listens for the page's whole life: that is the baseline.
    const base = { heartbeat: s.feed.listenerCount('heartbeat'), transition: s.feed.listenerCount('transition') };
    const a = await stream(s);
    const b = await stream(s);
    await a.waitFor('snapshot');
    await b.waitFor('snapshot');
    expect(s.routes.streams.streams).toBe(2);
    expect(s.feed.listenerCount('heartbeat')).toBe(base.heartbeat + 1);
    expect(s.feed.listenerCount('transition')).toBe(base.transition + 1);

    a.close();
    await until(() => s.routes.streams.streams === 1, 'one stream left');
    expect(s.feed.listenerCount('heartbeat')).toBe(base.heartbeat + 1);
    b.close();
    await until(() => s.routes.streams.streams === 0, 'no stream left');
    expect(s.feed.listenerCount('heartbeat')).toBe(base.heartbeat);
    expect(s.feed.listenerCount('transition')).toBe(base.transition);
    // The feed is quiet for the page now: emitting reaches no stream and throws nothing.
    expect(() => s.feed.emit('heartbeat', { nodeId: 'alpha', at: T0, metrics: {}, k3s: K3S_RUNNING })).not.toThrow();
  });

  it('answers 503 with retry-after beyond the stream bound, and serves again once one closes', async () => {
    const s = await start({ maxStreams: 2 });
    const a = await stream(s);
    await stream(s);
    const third = await stream(s);
    expect(third.status).toBe(503);
    expect(third.headers['retry-after']).toBe('10');
    await until(() => third.ended, 'the refused response to end');
    expect(JSON.parse(third.body)).toEqual({ error: 'too many status streams open (2); retry later' });
    expect(s.routes.streams.streams).toBe(2);

    a.close();
    await until(() => s.routes.streams.streams === 1, 'a free slot');
    const fourth = await stream(s);
    expect(fourth.status).toBe(200);
    await fourth.waitFor('snapshot');
  });

  it('sends a ping comment on the interval', async () => {
    const s = await start({ pingIntervalMs: 30 });
    const c = await stream(s);
    await until(() => c.comments.includes('ping'), 'a ping');
  });

  it('ends open streams when the server closes, so an open page does not hold the shutdown', async () => {
    const s = await start();
    const c = await stream(s);
    await c.waitFor('snapshot');
    const started = Date.now();
    await closeServer(s.server);
    expect(Date.now() - started).toBeLessThan(2_000);
    await until(() => c.ended, 'the stream to end');
    expect(s.routes.streams.streams).toBe(0);
  });

  it('answers HEAD with the stream headers and no stream', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/api/v1/events`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(s.routes.streams.streams).toBe(0);
  });
});
