/**
 * The master as operators run it: the npm bin as a separate process, configured by environment.
 * Bad configuration stops it with one line per problem; SIGKILL in the middle of a stream of
 * registrations loses nothing and applies nothing twice; SIGTERM exits 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sealPublicKey, newSealToken } from '../shared/chain/seal-key.ts';
import { startChainFixture, type ChainFixture } from './helpers/chain.ts';
import { NODE_TOKEN } from './helpers/master.ts';
import { buildMasterBundle } from '../scripts/build-master-bundle.ts';

let fx: ChainFixture;
const dir = mkdtempSync(join(tmpdir(), 'k8s-daas-master-proc-'));

beforeAll(async () => {
  fx = await startChainFixture();
  writeFileSync(join(dir, 'node-token'), NODE_TOKEN, { mode: 0o600 });
});
afterAll(async () => {
  await fx?.close();
});

function env(port: number): Record<string, string> {
  const i = fx.local.info;
  return {
    SUI_RPC_URL: i.rpcUrl,
    K8S_DAAS_PACKAGE_ID: i.packageId,
    K8S_DAAS_REGISTRY_ID: i.registryId,
    K8S_DAAS_SCHEDULER_ID: i.schedulerId,
    K3S_SERVER_URL: 'https://127.0.0.1:6443',
    K3S_TOKEN_FILE: join(dir, 'node-token'),
    K8S_DAAS_DB: join(dir, 'pool.db'),
    K8S_DAAS_LISTEN: `127.0.0.1:${port}`,
    K8S_DAAS_POLL_INTERVAL_MS: '100',
    LOG_LEVEL: 'info',
  };
}

function startMasterProcess(port: number, program = 'bin/k8s-daas-master.mjs'): ResultPromise {
  return execa('node', [program, 'serve'], { env: env(port), reject: false, all: true });
}

async function waitForHttp(url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('k8s-daas-master process', () => {
  it('stops with one line per configuration problem, naming the variable, and no stack trace', async () => {
    const result = await execa('node', ['bin/k8s-daas-master.mjs'], {
      env: { K8S_DAAS_POLL_INTERVAL_MS: 'abc', K3S_SERVER_URL: 'http://plain:6443', SUI_RPC_URL: '' },
      extendEnv: false,
      reject: false,
    });
    expect(result.exitCode).toBe(2);
    const lines = String(result.stderr).trim().split('\n');
    expect(lines).toContain('k8s-daas-master: K8S_DAAS_POLL_INTERVAL_MS: must be a positive integer (got "abc")');
    expect(lines.some((l) => l.startsWith('k8s-daas-master: SUI_RPC_URL:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('k8s-daas-master: K3S_SERVER_URL:'))).toBe(true);
    expect(String(result.stderr)).not.toMatch(/\n\s+at /);
  });

  it('survives SIGKILL in the middle of a stream of registrations: every worker in the pool exactly once', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const owners = [await fx.fundedKey(), await fx.fundedKey(), await fx.fundedKey()];
    const ids = Array.from({ length: 24 }, (_, i) => `stream-${String(i).padStart(2, '0')}`);
    const register = (i: number) =>
      fx.chain.registerWorker({ signer: owners[i % 3], nodeId: ids[i], sealPubkey: sealPublicKey(newSealToken()), stakeMist: 1_000_000_000n });

    let master = startMasterProcess(port);
    await waitForHttp(`${url}/healthz`);
    for (let i = 0; i < 8; i++) await register(i);
    // Kill while the watcher is busy with a burst of new events.
    const burst = Promise.all([register(8), register(9), register(10)]);
    await new Promise((r) => setTimeout(r, 150));
    master.kill('SIGKILL');
    const killed = await master;
    expect(killed.signal).toBe('SIGKILL');
    await burst;
    for (let i = 11; i < ids.length; i++) await register(i);

    master = startMasterProcess(port);
    try {
      await waitForHttp(`${url}/healthz`);
      const deadline = Date.now() + 20_000;
      let workers: Array<{ nodeId: string; status: string; stakeMist: string }> = [];
      while (Date.now() < deadline) {
        workers = ((await (await fetch(`${url}/api/v1/workers`)).json()) as { workers: typeof workers }).workers;
        if (workers.length >= ids.length) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(workers.map((w) => w.nodeId).sort()).toEqual(ids);
      expect(workers.every((w) => w.status === 'pending' && w.stakeMist === '1000000000')).toBe(true);
      const stats = (await (await fetch(`${url}/api/v1/stats`)).json()) as { totalWorkers: number; totalStakeMist: string };
      expect(stats.totalWorkers).toBe(24);
      expect(stats.totalStakeMist).toBe('24000000000');

      const table = await execa('node', ['bin/k8s-daas-master.mjs', 'workers', '--url', url], { reject: false });
      expect(table.exitCode).toBe(0);
      expect(String(table.stdout)).toMatch(/^NODE ID\s+STATUS\s+OWNER/);
      expect(String(table.stdout).split('\n').filter((l) => l.startsWith('stream-'))).toHaveLength(24);
    } finally {
      master.kill('SIGTERM');
      const stopped = await master;
      expect(stopped.exitCode).toBe(0);
      expect(String(stopped.all)).toContain('master stopped');
    }
  });

  it('runs from the bundle `npm run build:master` writes, as the service does: pool, status page, installer, clean stop', async () => {
    // Inside the checkout, as dist/master is: the bundle loads its packages from node_modules.
    const out = join('dist', `test-${process.pid}`, 'k8s-daas-master.mjs');
    try {
      await buildMasterBundle(out);
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const owner = await fx.fundedKey();
      await fx.chain.registerWorker({ signer: owner, nodeId: 'bundled-00', sealPubkey: sealPublicKey(newSealToken()), stakeMist: 1_000_000_000n });
      const master = startMasterProcess(port, out);
      try {
        await waitForHttp(`${url}/readyz`);
        const deadline = Date.now() + 20_000;
        let ids: string[] = [];
        while (Date.now() < deadline && !ids.includes('bundled-00')) {
          ids = ((await (await fetch(`${url}/api/v1/workers`)).json()) as { workers: Array<{ nodeId: string }> }).workers.map((w) => w.nodeId);
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(ids).toContain('bundled-00');
        // Files found through the checkout, not next to the module.
        const page = await fetch(`${url}/`);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('assets/status.js');
        expect((await fetch(`${url}/assets/status.js`)).status).toBe(200);
        const installer = await fetch(`${url}/install.sh`);
        expect(installer.status).toBe(200);
        expect(await installer.text()).toMatch(/^#!\/bin\/sh/);
      } finally {
        master.kill('SIGTERM');
        const stopped = await master;
        expect(stopped.exitCode).toBe(0);
        expect(String(stopped.all)).toContain('master stopped');
      }
    } finally {
      rmSync(join('dist', `test-${process.pid}`), { recursive: true, force: true });
    }
  });
});
