/**
 * The live status page in a real browser: the local chain, a real master with the page's routes,
 * scripted agents, and headless Chromium (Debian `chromium`) driven by playwright-core. Every
 * change must reach the open page through its event stream, never through a reload.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../shared/clock.ts';
import { deriveSealKey, newSealToken, sealPublicKey } from '../shared/chain/seal-key.ts';
import type { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import type { StatusPageRoutes } from '../master/status-page/routes.ts';
import { startChainFixture, type ChainFixture } from './helpers/chain.ts';
import { startTestMaster, type MasterFixture } from './helpers/master.ts';
import { TestAgent } from './helpers/test-agent.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
const SCREENSHOT = `${ARTIFACTS}status-page.png`;
const XSS = '<img src=x onerror="window.__xss=1">kubelet: <b>failed</b> & exited';

// The callbacks handed to page.evaluate / waitForFunction run in Chromium. The project's TypeScript
// has no DOM library (it would retype Node's timers everywhere), so they are typed by these few names.
interface DomNode {
  textContent: string | null;
  title: string;
  dataset: Record<string, string | undefined>;
  querySelector(selector: string): DomNode | null;
}
declare const document: {
  body: DomNode;
  querySelector(selector: string): DomNode | null;
  querySelectorAll(selector: string): { length: number };
};
declare const window: Record<string, unknown>;
declare const CSS: { escape(value: string): string };
declare function getComputedStyle(node: unknown): { color: string };

interface Registered {
  nodeId: string;
  owner: Ed25519Keypair;
  sealKey: Ed25519Keypair;
  stakeProofId: string;
}

let fx: ChainFixture;
let m: MasterFixture;
let routes: StatusPageRoutes;
let browser: Browser;
let page: Page;
const agents: TestAgent[] = [];
const pageErrors: string[] = [];
const workers = new Map<string, Registered>();

async function register(nodeId: string, stakeMist = 1_000_000_000n): Promise<Registered> {
  const token = newSealToken();
  const owner = await fx.fundedKey(2);
  const reg = await fx.chain.registerWorker({ signer: owner, nodeId, sealPubkey: sealPublicKey(token), stakeMist });
  const w = { nodeId, owner, sealKey: deriveSealKey(token), stakeProofId: reg.stakeProofId };
  workers.set(nodeId, w);
  return w;
}

async function connectAgent(nodeId: string): Promise<TestAgent> {
  const a = new TestAgent(m.master.url);
  agents.push(a);
  await a.authenticate(nodeId, workers.get(nodeId)!.sealKey);
  await a.next('welcome');
  return a;
}

async function poolHas(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What a person reads in one row, by column. */
async function row(nodeId: string) {
  return page.evaluate((id) => {
    const tr = document.querySelector(`tbody tr[data-node-id="${CSS.escape(id)}"]`);
    if (!tr) return null;
    const cell = (sel: string) => tr.querySelector(sel)!;
    return {
      status: cell('.status').textContent,
      owner: cell('.owner').textContent,
      ownerTitle: cell('.owner').title,
      stake: cell('.stake').textContent,
      age: cell('.age').textContent ?? '',
      heartbeatAt: Number(cell('.age time').dataset.at ?? 0),
      cpu: cell('.cpu .val').textContent,
      cpuSamples: Number(cell('.cpu svg').dataset.samples),
      memory: cell('.mem .val').textContent,
      k3s: cell('.k3s').textContent,
      error: cell('.error').textContent,
    };
  }, nodeId);
}

async function stat(name: string): Promise<string> {
  return (await page.textContent(`#stat-${name}`)) ?? '';
}

/** Waits, in the page, until `nodeId`'s status cell reads `status`; returns how long it took. */
async function statusBecomes(nodeId: string, status: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  await page.waitForFunction(
    ([id, want]) => document.querySelector(`tbody tr[data-node-id="${id}"] .status`)?.textContent === want,
    [nodeId, status] as const,
    { timeout: timeoutMs, polling: 50 },
  );
  return Date.now() - started;
}

function heartbeatFrame(seq: number, cpu: number, memUsed: number, state: 'running' | 'starting' = 'running') {
  return { type: 'heartbeat', seq, sentAt: Date.now(), metrics: { cpu: { loadPercent: cpu }, memory: { usedBytes: memUsed, totalBytes: 8e9 } }, k3s: { state, pid: 42, restarts: 0, lastError: null } };
}

const seconds = (age: string) => Number(/^(\d+) s ago$/.exec(age)?.[1] ?? NaN);

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install the Debian package "chromium" (or set CHROMIUM_PATH)`);
  fx = await startChainFixture();
  // No on-chain status mirror: the test's own slash transaction then has the MasterCap key to itself.
  m = await startTestMaster(fx, { signer: undefined });
  routes = m.master.statusPage;
  await Promise.all(['page-a', 'page-b', 'page-c'].map((id) => register(id)));
  await poolHas(() => m.master.store.listWorkers().length === 3, 'three workers in the pool');
  for (const id of ['page-a', 'page-b']) (await connectAgent(id)).heartbeat(1);
  await poolHas(() => m.master.store.stats().byStatus.active === 2, 'two active workers');

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 620 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (msg) => void (msg.type() === 'error' && pageErrors.push(msg.text())));
});

afterAll(async () => {
  await browser?.close(); // first: an open page holds an event stream
  for (const a of agents) a.close();
  await m?.master.close();
  await fx?.close();
});

describe('status page in Chromium', () => {
  it('shows the three workers, their statuses and the pool statistics', async () => {
    await page.goto(`${m.master.url}/`);
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 3 && document.body.dataset.conn === 'live');
    expect(await page.textContent('#conn-text')).toBe('Live');
    await page.evaluate(() => (window.__marker = 'same-document'));

    const a = (await row('page-a'))!;
    const owner = workers.get('page-a')!.owner.toSuiAddress();
    expect(a).toMatchObject({ status: 'active', stake: '1', ownerTitle: owner, owner: `${owner.slice(0, 6)}…${owner.slice(-4)}`, cpu: '12.5 %', memory: '1.9 / 7.5 GiB', k3s: 'running', error: '—' });
    expect(a.cpuSamples).toBe(1);
    expect((await row('page-b'))!.status).toBe('active');
    expect(await row('page-c')).toMatchObject({ status: 'pending', age: 'never', cpu: '—', k3s: '—' });
    // A real table with headers; status is text, not only colour.
    expect(await page.$$eval('thead th[scope=col]', (ths) => ths.map((th) => th.textContent))).toEqual([
      'Node', 'Status', 'Owner', 'Stake (SUI)', 'Last heartbeat', 'CPU', 'Memory', 'k3s', 'Last error',
    ]);
    expect(await page.$$eval('tbody th[scope=row]', (ths) => ths.map((th) => th.textContent))).toEqual(['page-a', 'page-b', 'page-c']);

    expect(await stat('totalWorkers')).toBe('3');
    expect(await stat('active')).toBe('2');
    expect(await stat('pending')).toBe('1');
    expect(await stat('slashed')).toBe('0');
    expect(await stat('totalStakeSui')).toBe('3');
    expect(await stat('averageStakeSui')).toBe('1');
    expect(await stat('heartbeatsReceived')).toBe('2');
  });

  it('resets the heartbeat age and grows the CPU sparkline within a second of a heartbeat', async () => {
    // Let the age tick on the client first.
    await page.waitForFunction(() => /^([2-9]|\d\d+) s ago$/.test(document.querySelector('tbody tr[data-node-id="page-a"] .age')?.textContent ?? ''));
    const before = (await row('page-a'))!;
    expect(seconds(before.age)).toBeGreaterThanOrEqual(2);

    agents[0].heartbeat(2);
    const started = Date.now();
    await page.waitForFunction(
      (at) => Number(document.querySelector('tbody tr[data-node-id="page-a"] .age time')?.dataset.at) > at,
      before.heartbeatAt,
      { timeout: 1_000, polling: 20 },
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    const after = (await row('page-a'))!;
    expect(seconds(after.age)).toBeLessThan(seconds(before.age));
    expect(after.cpuSamples).toBe(before.cpuSamples + 1);
    await page.waitForFunction(() => document.querySelector('#stat-heartbeatsReceived')?.textContent === '3', undefined, { timeout: 2_000 });
    expect(await page.evaluate(() => window.__marker)).toBe('same-document');
  });

  it('shows what the agent reports as text, never as markup', async () => {
    agents[1].send({
      type: 'heartbeat',
      seq: 2,
      sentAt: Date.now(),
      metrics: { cpu: { loadPercent: 87.25 }, memory: { usedBytes: 3 * 1024 ** 3, totalBytes: 4 * 1024 ** 3 } },
      k3s: { state: 'crashed', pid: null, restarts: 3, lastError: XSS },
    });
    await page.waitForFunction(() => document.querySelector('tbody tr[data-node-id="page-b"] .k3s')?.textContent?.startsWith('crashed'), undefined, { timeout: 2_000 });
    expect(await row('page-b')).toMatchObject({ error: XSS, k3s: 'crashed · 3 restarts', cpu: '87.3 %', memory: '3.0 / 4.0 GiB' });
    expect(await page.$$('tbody img, tbody b')).toHaveLength(0);
    expect(await page.evaluate(() => window.__xss)).toBeUndefined();
  });

  it('shows status changes within two seconds: an agent authenticating, a slash on chain', async () => {
    const c = new TestAgent(m.master.url);
    agents.push(c);
    await c.authenticate('page-c', workers.get('page-c')!.sealKey);
    await c.next('welcome');
    expect(await statusBecomes('page-c', 'active', 2_000)).toBeLessThan(2_000);

    await fx.chain.slashWorker({ signer: fx.master, masterCapId: fx.local.info.masterCapId, nodeId: 'page-b', amountMist: 250_000_000n, reason: 'test: double signing' });
    expect(await statusBecomes('page-b', 'slashed', 2_000)).toBeLessThan(2_000);
    expect(await page.$eval('tbody tr[data-node-id="page-b"] .status', (el) => getComputedStyle(el).color)).not.toBe(
      await page.$eval('tbody tr[data-node-id="page-a"] .status', (el) => getComputedStyle(el).color),
    );

    await page.waitForFunction(() => document.querySelector('#stat-slashed')?.textContent === '1', undefined, { timeout: 2_000 });
    expect(await stat('active')).toBe('2');
    expect(await stat('pending')).toBe('0');
    expect(await stat('totalStakeSui')).toBe('2.75');
    expect(await page.evaluate(() => window.__marker)).toBe('same-document');
  });

  it('shows "reconnecting" when the stream drops, then reconnects by itself and is live again', async () => {
    routes.streams.close(); // the master ends every stream, as on a restart
    await page.waitForFunction(() => document.body.dataset.conn === 'reconnecting', undefined, { timeout: 2_000, polling: 20 });
    expect(await page.textContent('#conn-text')).toBe('Reconnecting…');
    await page.waitForFunction(() => document.body.dataset.conn === 'live', undefined, { timeout: 5_000 });
    expect(routes.streams.streams).toBe(1);
    expect(await page.$$eval('tbody th[scope=row]', (ths) => ths.map((th) => th.textContent))).toEqual(['page-a', 'page-b', 'page-c']);
    expect(await page.evaluate(() => window.__marker)).toBe('same-document');
  });

  it('adds a newly registered worker and drops one that unstaked, without reloading', async () => {
    const d = await register('page-d', 2_000_000_000n);
    await page.waitForFunction(() => document.querySelector('tbody tr[data-node-id="page-d"] .status')?.textContent === 'pending', undefined, { timeout: 3_000 });
    expect(await page.$$eval('tbody th[scope=row]', (ths) => ths.map((th) => th.textContent))).toEqual(['page-a', 'page-b', 'page-c', 'page-d']);
    await page.waitForFunction(() => document.querySelector('#stat-totalWorkers')?.textContent === '4', undefined, { timeout: 2_000 });

    // A page opened later draws the sparklines from the master's recent samples, not one point.
    const a = agents[0];
    const acked = () => a.received.filter((x) => x.type === 'ack').length;
    const before = acked();
    for (let i = 0; i < 12; i++) a.send(heartbeatFrame(100 + i, 18 + 30 * Math.abs(Math.sin(i / 2)), 2e9 + i * 6e7));
    agents[2].send(heartbeatFrame(1, 4, 9e8, 'starting'));
    await a.until(() => acked() >= before + 12, 'twelve acks', 5_000);
    for (const scheme of ['light', 'dark'] as const) {
      const fresh = await browser.newPage({ viewport: { width: 1400, height: 560 }, colorScheme: scheme });
      try {
        await fresh.goto(`${m.master.url}/`);
        await fresh.waitForFunction(() => document.querySelectorAll('tbody tr').length === 4 && document.body.dataset.conn === 'live');
        const samples = await fresh.$eval('tbody tr[data-node-id="page-a"] .cpu svg', (el) => Number((el as unknown as DomNode).dataset.samples));
        expect(samples).toBe(14);
        mkdirSync(ARTIFACTS, { recursive: true });
        await fresh.screenshot({ path: scheme === 'light' ? SCREENSHOT : SCREENSHOT.replace('.png', '-dark.png'), fullPage: true, animations: 'disabled' });
      } finally {
        await fresh.close();
      }
    }

    await fx.chain.unstake({ signer: d.owner, stakeProofId: d.stakeProofId });
    await page.waitForFunction(() => !document.querySelector('tbody tr[data-node-id="page-d"]'), undefined, { timeout: 3_000 });
    await page.waitForFunction(() => document.querySelector('#stat-totalWorkers')?.textContent === '3', undefined, { timeout: 2_000 });
    expect(await page.evaluate(() => window.__marker)).toBe('same-document');
    expect(pageErrors).toEqual([]);
  });
});
