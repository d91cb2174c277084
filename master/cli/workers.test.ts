import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerSummary } from '../http/views.ts';
import { startTestMaster, type TestMaster } from '../http/testing.ts';
import { formatWorkersTable, localMasterUrl, parseWorkersArgs, runWorkersCommand } from './workers.ts';

const GiB = 1024 ** 3;
const OWNER = `0x1234${'0'.repeat(56)}abcd`;

const summary = (over: Partial<WorkerSummary>): WorkerSummary => ({
  nodeId: 'w1',
  status: 'pending',
  owner: OWNER,
  stakeMist: '1000000000',
  stakeSui: '1',
  registeredAt: '2023-11-14T22:13:20.000Z',
  lastHeartbeatAt: null,
  heartbeatAgeMs: null,
  cpu: { loadPercent: null },
  memory: { usedBytes: null, totalBytes: null },
  k3s: null,
  connected: false,
  ...over,
});

function collector() {
  let text = '';
  return {
    write: (s: string) => (text += s),
    get text() {
      return text;
    },
  };
}

const masters: TestMaster[] = [];
afterEach(async () => {
  for (const m of masters.splice(0)) await m.close();
});

describe('formatWorkersTable', () => {
  it('prints a kubectl-style table', () => {
    const table = formatWorkersTable([
      summary({
        nodeId: 'gpu-worker-001',
        status: 'active',
        stakeSui: '1.004607436',
        heartbeatAgeMs: 5_200,
        cpu: { loadPercent: 12.4 },
        memory: { usedBytes: 1.2 * GiB, totalBytes: 7.8 * GiB },
        k3s: { state: 'running', restarts: 0, lastError: null },
      }),
      summary({ nodeId: 'w2', heartbeatAgeMs: 150_000, memory: { usedBytes: null, totalBytes: 2 * GiB } }),
    ]);
    expect(table).toBe(
      [
        'NODE ID         STATUS   OWNER        STAKE (SUI)  LAST HEARTBEAT  CPU  MEMORY       K3S',
        'gpu-worker-001  active   0x1234…abcd  1.004607436  5s              12%  1.2Gi/7.8Gi  running',
        'w2              pending  0x1234…abcd  1            2m30s           -    ?/2.0Gi      -',
        '',
      ].join('\n'),
    );
  });

  it('says so when the pool is empty', () => {
    expect(formatWorkersTable([])).toBe('No workers in the pool.\n');
  });

  it('prints never for a worker without heartbeats', () => {
    expect(formatWorkersTable([summary({})]).split('\n')[1]).toBe(
      'w1       pending  0x1234…abcd  1            never           -    -       -',
    );
  });
});

describe('runWorkersCommand against a real master', () => {
  it('prints the pool and exits 0', async () => {
    const m = await startTestMaster();
    masters.push(m);
    const out = collector();
    expect(await runWorkersCommand({ url: m.url, out })).toBe(0);
    expect(out.text.split('\n')).toEqual([
      'NODE ID  STATUS   OWNER        STAKE (SUI)  LAST HEARTBEAT  CPU  MEMORY       K3S',
      'alpha    active   0xabab…abab  1.004607436  5s              12%  1.2Gi/7.8Gi  running',
      'bravo    pending  0xabab…abab  2            never           -    -            -',
      'charlie  pending  0xabab…abab  1.5          never           -    -            -',
      '',
    ]);
  });

  it('accepts the ws:// form of the master URL and a trailing slash', async () => {
    const m = await startTestMaster();
    masters.push(m);
    const out = collector();
    expect(await runWorkersCommand({ url: `${m.url.replace('http', 'ws')}/`, out })).toBe(0);
    expect(out.text).toContain('alpha');
  });

  it('exits 1 with one line naming the URL when nothing listens there', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const out = collector();
    const err = collector();
    expect(await runWorkersCommand({ url, out, err })).toBe(1);
    expect(out.text).toBe('');
    expect(err.text).toBe(
      `k8s-daas-master workers: cannot reach the master at ${url} (ECONNREFUSED); is it running?\n`,
    );
  });

  it('exits 1 naming the URL and the status when the master answers with an error', async () => {
    const m = await startTestMaster();
    masters.push(m);
    m.store.close();
    const err = collector();
    expect(await runWorkersCommand({ url: m.url, out: collector(), err })).toBe(1);
    expect(err.text).toBe(`k8s-daas-master workers: the master at ${m.url} answered HTTP 500: internal error\n`);
  });

  it('exits 1 on something that is not the worker list, or on a bad URL', async () => {
    const err = collector();
    const notMaster = async () => new Response('<html>', { status: 200 });
    expect(await runWorkersCommand({ url: 'http://example.test', fetch: notMaster, out: collector(), err })).toBe(1);
    expect(err.text).toContain('sent an unexpected answer to http://example.test/api/v1/workers');
    expect(await runWorkersCommand({ url: 'localhost:8080', out: collector(), err })).toBe(1);
    expect(err.text).toContain('invalid --url "localhost:8080"');
  });
});

describe('parseWorkersArgs', () => {
  it('takes --url in both forms and defaults to the given URL', () => {
    expect(parseWorkersArgs([], 'http://127.0.0.1:8080')).toEqual({
      ok: true,
      url: 'http://127.0.0.1:8080',
      help: false,
    });
    expect(parseWorkersArgs(['--url', 'http://h:1'], 'x')).toMatchObject({ url: 'http://h:1' });
    expect(parseWorkersArgs(['--url=http://h:2'], 'x')).toMatchObject({ url: 'http://h:2' });
    expect(parseWorkersArgs(['--help'], 'x')).toMatchObject({ ok: true, help: true });
    expect(parseWorkersArgs(['--bogus'], 'x')).toMatchObject({
      ok: false,
      message: expect.stringContaining('"--bogus"'),
    });
    expect(parseWorkersArgs(['--url'], 'x')).toMatchObject({ ok: false });
  });
});

describe('localMasterUrl', () => {
  it.each([
    ['0.0.0.0:8080', false, 'http://127.0.0.1:8080'],
    ['127.0.0.1:9000', false, 'http://127.0.0.1:9000'],
    [':8080', false, 'http://127.0.0.1:8080'],
    ['8080', false, 'http://127.0.0.1:8080'],
    ['[::]:8443', true, 'https://[::1]:8443'],
    ['master.example.org:443', true, 'https://master.example.org:443'],
  ])('%s (tls %s) → %s', (listen, tls, url) => {
    expect(localMasterUrl(listen, tls)).toBe(url);
  });
});

/** A port that was free a moment ago and has nothing listening now. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise((resolve) => srv.close(resolve));
  return port;
}
