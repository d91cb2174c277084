import { request } from 'node:http';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { OWNER } from '../pool/testing.ts';
import { createHttpHandler, type HttpRoute } from './api.ts';
import { send } from './respond.ts';
import { ACTIVE_METRICS, T0, startTestMaster, type TestMaster } from './testing.ts';

const masters: TestMaster[] = [];
afterEach(async () => {
  for (const m of masters.splice(0)) await m.close();
});

async function start(overrides: Parameters<typeof startTestMaster>[0] = {}): Promise<TestMaster> {
  const m = await startTestMaster(overrides);
  masters.push(m);
  return m;
}

async function get(m: TestMaster, path: string, init?: RequestInit) {
  const res = await fetch(`${m.url}${path}`, init);
  const text = await res.text();
  const isJson = res.headers.get('content-type')?.startsWith('application/json') ?? false;
  return { status: res.status, headers: res.headers, text, json: isJson && text !== '' ? JSON.parse(text) : undefined };
}

describe('probes', () => {
  it('/healthz answers ok', async () => {
    const m = await start();
    const r = await get(m, '/healthz');
    expect(r.status).toBe(200);
    expect(r.text).toBe('ok\n');
  });

  it('/readyz is 200 when the database answers and the chain answered recently', async () => {
    const m = await start();
    const r = await get(m, '/readyz');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      ready: true,
      notReady: [],
      checks: { database: { ok: true }, chain: { ok: true, ageMs: 0, withinMs: 8000 } },
    });
  });

  it('/readyz is 503 naming the chain when its last answer is too old, or there was none', async () => {
    const m = await start();
    m.clock.advance(8_001);
    let r = await get(m, '/readyz');
    expect(r.status).toBe(503);
    expect(r.json.notReady).toEqual(['chain']);
    expect(r.json.checks.chain.reason).toBe('the chain last answered 8001 ms ago (limit 8000 ms)');
    expect(r.headers.get('cache-control')).toBe('no-store');

    m.chain.lastSuccessAt = null;
    r = await get(m, '/readyz');
    expect(r.status).toBe(503);
    expect(r.json.checks.chain).toEqual({
      ok: false,
      reason: 'the chain has not answered a poll yet',
      lastSuccessAt: null,
    });
  });

  it('/readyz is 503 naming the database once it stops answering', async () => {
    const m = await start();
    m.store.close();
    const r = await get(m, '/readyz');
    expect(r.status).toBe(503);
    expect(r.json.notReady).toEqual(['database']);
    expect(r.json.checks.database.reason).toMatch(/^database query failed: .*not open/);
    expect((await get(m, '/healthz')).status).toBe(200);
  });
});

describe('GET /api/v1/workers', () => {
  it('lists every worker with stake as strings, ISO times and the latest metrics', async () => {
    const m = await start();
    const r = await get(m, '/api/v1/workers');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.json.workers.map((w: { nodeId: string }) => w.nodeId)).toEqual(['alpha', 'bravo', 'charlie']);
    expect(r.json.workers[0]).toEqual({
      nodeId: 'alpha',
      status: 'active',
      owner: OWNER,
      stakeMist: '1004607436',
      stakeSui: '1.004607436',
      registeredAt: new Date(T0 - 60_000).toISOString(),
      lastHeartbeatAt: new Date(T0 + 5_000).toISOString(),
      heartbeatAgeMs: 5_000,
      cpu: { loadPercent: 12.4 },
      memory: { usedBytes: ACTIVE_METRICS.memory!.usedBytes, totalBytes: ACTIVE_METRICS.memory!.totalBytes },
      k3s: { state: 'running', restarts: 0, lastError: null },
      connected: true,
    });
    expect(r.json.workers[1]).toMatchObject({
      nodeId: 'bravo',
      status: 'pending',
      stakeMist: '2000000000',
      stakeSui: '2',
      lastHeartbeatAt: null,
      heartbeatAgeMs: null,
      cpu: { loadPercent: null },
      memory: { usedBytes: null, totalBytes: null },
      k3s: null,
      connected: false,
    });
  });

  it('answers HEAD like GET without a body', async () => {
    const m = await start();
    const r = await get(m, '/api/v1/workers', { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.text).toBe('');
    expect(Number(r.headers.get('content-length'))).toBeGreaterThan(0);
  });
});

describe('GET /api/v1/workers/:nodeId', () => {
  it('adds the registration digest, full metrics and recent transitions, newest first', async () => {
    const m = await start();
    const r = await get(m, '/api/v1/workers/alpha');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      nodeId: 'alpha',
      status: 'active',
      stakeMist: '1004607436',
      registrationDigest: 'tx-alpha',
      statusChangedAt: new Date(T0).toISOString(),
      metrics: ACTIVE_METRICS,
      connected: true,
    });
    expect(r.json.transitions).toEqual([
      {
        from: 'pending',
        to: 'active',
        reason: 'authenticated',
        source: 'master',
        txDigest: null,
        at: new Date(T0).toISOString(),
      },
      {
        from: null,
        to: 'pending',
        reason: 'registered',
        source: 'chain',
        txDigest: 'tx-alpha',
        at: expect.any(String),
      },
    ]);
  });

  it('keeps at most 20 transitions', async () => {
    const m = await start();
    for (let i = 0; i < 15; i++) {
      m.store.setStatus('alpha', 'busy', 'job');
      m.store.setStatus('alpha', 'active', 'job done');
    }
    const r = await get(m, '/api/v1/workers/alpha');
    expect(r.json.transitions).toHaveLength(20);
    expect(r.json.transitions[0]).toMatchObject({ from: 'busy', to: 'active' });
  });

  it('is 404 with an error for a worker not in the pool', async () => {
    const m = await start();
    const r = await get(m, '/api/v1/workers/nobody');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: 'worker nobody is not in the pool' });
    expect((await get(m, '/api/v1/workers/%E0%A4%A')).status).toBe(404);
  });
});

describe('GET /api/v1/stats', () => {
  it("gives the seed's pool figures with counters from the metrics", async () => {
    const m = await start();
    m.metrics.heartbeat();
    m.metrics.heartbeat();
    m.metrics.authFailure('bad-signature');
    const r = await get(m, '/api/v1/stats');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      totalWorkers: 3,
      activeWorkers: 1,
      offlineWorkers: 0,
      busy: 0,
      pending: 2,
      slashed: 0,
      totalStakeMist: '4504607436',
      averageStakeMist: '1501535812',
      heartbeatsReceived: 2,
      authFailures: 1,
      connectedAgents: 1,
    });
  });
});

describe('routing', () => {
  it('answers an unknown path with 404 JSON and a wrong method with 405 and Allow', async () => {
    const m = await start();
    let r = await get(m, '/api/v1/nothing');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ error: 'no such endpoint: /api/v1/nothing' });
    r = await get(m, '/api/v1/workers', { method: 'POST' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD');
    expect(r.json.error).toBe('method POST not allowed on /api/v1/workers');
  });

  it('ignores the query string', async () => {
    const m = await start();
    expect((await get(m, '/api/v1/stats?pretty=1')).status).toBe(200);
  });

  it('serves extra routes by path and prefix after the built-in ones', async () => {
    const routes: HttpRoute[] = [
      { method: 'GET', path: '/', handle: (_q, res) => send(res, 200, 'text/html; charset=utf-8', '<h1>pool</h1>') },
      { method: 'GET', prefix: '/install/', handle: (_q, res, { path }) => send(res, 200, 'text/plain', path) },
    ];
    const m = await start({ extraRoutes: routes });
    expect((await get(m, '/')).text).toBe('<h1>pool</h1>');
    expect((await get(m, '/install/agent.sh')).text).toBe('/install/agent.sh');
    expect((await get(m, '/healthz')).text).toBe('ok\n');
  });

  it('refuses an extra route that shadows a built-in one', async () => {
    const m = await start();
    const shadow: HttpRoute = { method: 'GET', path: '/metrics', handle: () => {} };
    expect(() =>
      createHttpHandler({
        store: m.store,
        metrics: m.metrics,
        clock: m.clock,
        isConnected: () => false,
        lastChainSuccessAt: () => null,
        readyWithinMs: 1,
        logger: pino({ level: 'silent' }),
        extraRoutes: [shadow],
      }),
    ).toThrow(expect.objectContaining({ code: 'HTTP_ROUTE_CONFLICT' }));
  });

  it('turns a failing handler into 500 JSON and keeps serving', async () => {
    const boom: HttpRoute = {
      method: 'GET',
      path: '/boom',
      handle: async () => {
        throw new Error('kaput');
      },
    };
    const m = await start({ extraRoutes: [boom] });
    const r = await get(m, '/boom');
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ error: 'internal error' });
    expect((await get(m, '/healthz')).status).toBe(200);
  });

  it('leaves upgrade requests to whoever listens for them', async () => {
    const m = await start();
    m.server.on('upgrade', (_req, socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      socket.end();
    });
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${m.url}/v1/agent`, { headers: { connection: 'Upgrade', upgrade: 'websocket' } });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve(res.statusCode);
      });
      req.on('response', (res) => resolve(res.statusCode));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(101);
  });
});
