/**
 * The agent as operators run it (its npm bin, a separate process) against the local chain, a real
 * master and the fake k3s executable: registration once, the session, k3s supervision, heartbeats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newSealToken } from '../shared/chain/seal-key.ts';
import { ownerLabelValue } from '../shared/chain/owner-label.ts';
import { FAKE_K3S, FAST_FAKE_ENV, isAlive, readRecord } from './fixtures/fake-k3s-harness.ts';
import { startChainFixture, type ChainFixture } from './helpers/chain.ts';
import { NODE_TOKEN, startTestMaster, type MasterFixture } from './helpers/master.ts';

let fx: ChainFixture;
let m: MasterFixture;
const running: ResultPromise[] = [];
const outputs = new Map<ResultPromise, string[]>();
const out = (p: ResultPromise) => (outputs.get(p) ?? []).join('');
/** Every fake k3s start is recorded with its pid (FAKE_K3S_RECORD), so none can be left behind. */
const records: string[] = [];

beforeAll(async () => {
  fx = await startChainFixture();
  m = await startTestMaster(fx, { heartbeatIntervalMs: 300, offlineAfterMs: 5_000 });
});
afterAll(async () => {
  // A test that failed half-way leaves its agent running. SIGKILL would orphan the agent's k3s (a
  // killed process cannot stop its children): SIGTERM lets the agent stop k3s itself first.
  await Promise.all(running.map((p) => stopAgentProcess(p)));
  for (const record of records) for (const { pid } of readRecord(record)) if (isFakeK3s(pid)) process.kill(pid, 'SIGKILL');
  await m?.master.close();
  await fx?.close();
});

/** Still running, and still the fake (not a later process that got the pid). */
function isFakeK3s(pid: number): boolean {
  try {
    return isAlive(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('fake-k3s');
  } catch {
    return false;
  }
}

/** SIGTERM, as a service manager stops the agent; SIGKILL only if it has not exited after `graceMs`. */
async function stopAgentProcess(p: ResultPromise, graceMs = 20_000) {
  if (p.exitCode !== null || p.signalCode !== null) return p;
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
  const result = await p;
  clearTimeout(timer);
  return result;
}

interface Host {
  dir: string;
  record: string;
  env: Record<string, string>;
}

async function host(nodeId: string, opts: { withKey?: boolean; sealToken?: string; extra?: Record<string, string> } = {}): Promise<Host> {
  const dir = mkdtempSync(join(tmpdir(), `k8s-daas-agent-${nodeId}-`));
  const record = join(dir, 'k3s-starts.jsonl');
  records.push(record);
  const key = opts.withKey === false ? undefined : await fx.fundedKey();
  const i = fx.local.info;
  const env: Record<string, string> = {
    SUI_RPC_URL: i.rpcUrl,
    K8S_DAAS_PACKAGE_ID: i.packageId,
    K8S_DAAS_REGISTRY_ID: i.registryId,
    K8S_DAAS_SCHEDULER_ID: i.schedulerId,
    K8S_DAAS_MASTER_URL: m.master.url.replace('http://', 'ws://'),
    K8S_DAAS_NODE_ID: nodeId,
    K8S_DAAS_SEAL_TOKEN: opts.sealToken ?? newSealToken(),
    K8S_DAAS_STATE_DIR: join(dir, 'state'),
    K3S_BIN: FAKE_K3S,
    K3S_EXTRA_ARGS: '--node-ip 127.0.0.1 --kubelet-arg "max-pods=50"',
    FAKE_K3S_RECORD: record,
    FAKE_K3S_EXPECT_TOKEN: NODE_TOKEN,
    LOG_LEVEL: 'info',
    ...FAST_FAKE_ENV,
    ...(key ? { SUI_PRIVATE_KEY: key.getSecretKey() } : {}),
    ...opts.extra,
  };
  return { dir, record, env };
}

function startAgentProcess(h: Host, args: string[] = []): ResultPromise {
  // No forceKillAfterDelay: execa's default SIGKILLs 5 s after a SIGTERM, and an agent stopping on a
  // loaded machine (k3s gets up to 10 s) would leave its k3s orphaned; stopAgentProcess times out instead.
  const p = execa('node', ['bin/k8s-daas-agent.mjs', ...args], { env: h.env, extendEnv: false, reject: false, all: true, forceKillAfterDelay: false });
  running.push(p);
  const chunks: string[] = [];
  outputs.set(p, chunks);
  p.all?.on('data', (c: Buffer) => chunks.push(c.toString()));
  return p;
}

async function until<T>(what: string, check: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) {
      const logs = running.map((p) => out(p).split('\n').slice(-15).join('\n')).join('\n---\n');
      throw new Error(`timed out waiting for ${what}; agent output:\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const worker = (id: string) => m.master.store.getWorker(id);

describe('k8s-daas-agent', () => {
  it('registers once, authenticates, starts k3s with the exact flags, heartbeats reach the master; a restart does not stake again', async () => {
    const h = await host('agent-fresh-1');
    const owner = h.env.SUI_PRIVATE_KEY;
    let agent = startAgentProcess(h);
    await until('the worker active with a heartbeat', () => worker('agent-fresh-1')?.status === 'active' && worker('agent-fresh-1')?.k3s?.state === 'running');

    const [start] = readRecord(h.record);
    const tokenFile = join(h.env.K8S_DAAS_STATE_DIR, 'k3s-join-token');
    const w = worker('agent-fresh-1')!;
    // The fake records the flags of `k3s agent` (it only records the agent subcommand).
    expect(start.argv).toEqual([
      '--server',
      'https://127.0.0.1:6443',
      '--token-file',
      tokenFile,
      '--node-name',
      'agent-fresh-1',
      '--node-label',
      `k8s-daas.io/owner=${ownerLabelValue(w.owner)}`,
      '--node-label',
      'k8s-daas.io/stake-mist=1000000000',
      '--node-ip',
      '127.0.0.1',
      '--kubelet-arg',
      'max-pods=50',
    ]);
    expect(start.tokenFileMode).toBe('0600');
    expect(start.argv.join(' ')).not.toContain(NODE_TOKEN.slice(0, 20));
    expect(w.latestMetrics?.cpu?.cores).toBeGreaterThan(0);
    expect(w.latestMetrics?.memory?.totalBytes).toBeGreaterThan(0);
    expect(out(agent)).not.toContain(NODE_TOKEN.slice(20));

    // Restart: the registration is found, nothing is staked again.
    const { signerFromPrivateKey } = await import('../shared/chain/signer.ts');
    const address = signerFromPrivateKey(owner).toSuiAddress();
    const stopped = await stopAgentProcess(agent);
    expect({ exitCode: stopped.exitCode, signal: stopped.signal, tail: out(agent).split('\n').slice(-4) }).toMatchObject({ exitCode: 0 });
    const balance = await fx.chain.balance(address);
    agent = startAgentProcess(h);
    await until('a second k3s start after the restart', () => readRecord(h.record).length >= 2);
    expect(await fx.chain.balance(address)).toBe(balance);
    expect(out(agent)).toMatch(/already registered/);
    await stopAgentProcess(agent);
  });

  it('fails clearly when the seal token does not match the registered key', async () => {
    const h = await host('agent-wrongseal-1');
    const first = startAgentProcess(h, ['register']);
    expect((await first).exitCode).toBe(0);
    const wrong = startAgentProcess({ ...h, env: { ...h.env, K8S_DAAS_SEAL_TOKEN: newSealToken() } });
    const result = await wrong;
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toMatch(/^k8s-daas-agent: .*seal/im);
    expect(String(result.stderr)).not.toMatch(/\n\s+at /);
  });

  it('prints a fresh seal token and the public key of a seal token', async () => {
    const { sealPublicKey } = await import('../shared/chain/seal-key.ts');
    const fresh = await execa('node', ['bin/k8s-daas-agent.mjs', 'new-seal-token'], { reject: false });
    const token = String(fresh.stdout).trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const pub = await execa('node', ['bin/k8s-daas-agent.mjs', 'seal-pubkey'], { env: { K8S_DAAS_SEAL_TOKEN: token }, reject: false });
    expect(String(pub.stdout).trim()).toBe(`0x${Buffer.from(sealPublicKey(token)).toString('hex')}`);
    const none = await execa('node', ['bin/k8s-daas-agent.mjs', 'seal-pubkey'], { env: { K8S_DAAS_SEAL_TOKEN: '' }, reject: false });
    expect(none.exitCode).toBe(2);
    expect(String(none.stderr)).toContain('K8S_DAAS_SEAL_TOKEN');
  });

  it('rejects bad configuration with every problem named, before doing anything', async () => {
    const h = await host('agent-badconf-1');
    const result = await startAgentProcess({ ...h, env: { ...h.env, K8S_DAAS_SEAL_TOKEN: 'short', K8S_DAAS_NODE_ID: 'Bad_Node', K8S_DAAS_MASTER_URL: 'ws://10.1.2.3:8080' } });
    expect(result.exitCode).toBe(2);
    const err = String(result.stderr);
    expect(err).toContain('K8S_DAAS_SEAL_TOKEN');
    expect(err).toContain('K8S_DAAS_NODE_ID');
    expect(err).toContain('K8S_DAAS_MASTER_URL');
    expect(err).not.toContain('short');
  });

  it('reconnects and resumes after a master restart', async () => {
    const h = await host('agent-resume-1');
    const agent = startAgentProcess(h);
    await until('active', () => worker('agent-resume-1')?.status === 'active');
    const port = Number(new URL(m.master.url).port);
    const dbDir = m.dir;
    await m.master.close();
    m = await startTestMaster(fx, { heartbeatIntervalMs: 300, offlineAfterMs: 5_000, listen: { host: '127.0.0.1', port }, dbPath: join(dbDir, 'pool.db') });
    const before = worker('agent-resume-1')?.lastHeartbeatAt ?? 0;
    await until('a heartbeat to the new master', () => (worker('agent-resume-1')?.lastHeartbeatAt ?? 0) > before && m.master.agents.isConnected('agent-resume-1'));
    // k3s kept running: the agent did not restart it for the same token.
    expect(readRecord(h.record)).toHaveLength(1);
    // `status` reads what the running agent reports.
    const status = await until('status to show the session', async () => {
      const r = await execa('node', ['bin/k8s-daas-agent.mjs', 'status'], { env: h.env, extendEnv: false, reject: false });
      return /master:\s+welcomed/.test(String(r.stdout)) ? String(r.stdout) : null;
    });
    expect(status).toMatch(/node id:\s+agent-resume-1/);
    expect(status).toMatch(/registration:\s+registered \(tx \w+/);
    expect(status).toMatch(/k3s:\s+running \(pid \d+\)/);
    await stopAgentProcess(agent);
  });

  it('restarts a crashing k3s with backoff and reports lastError; stops k3s on revoke', async () => {
    const h = await host('agent-crash-1', { extra: { FAKE_K3S_CRASH_AFTER_MS: '300' } });
    const agent = startAgentProcess(h);
    await until('k3s restarts reported in a heartbeat', () => (worker('agent-crash-1')?.k3s?.restarts ?? 0) >= 2, 30_000);
    const k3s = worker('agent-crash-1')!.k3s!;
    expect(k3s.lastError).toBeTruthy();
    const starts = readRecord(h.record);
    expect(starts.length).toBeGreaterThanOrEqual(2);
    // Backoff: the second restart waited longer than the first.
    if (starts.length >= 3) expect(starts[2].time - starts[1].time).toBeGreaterThan(starts[1].time - starts[0].time - 50);

    await fx.chain.slashWorker({ signer: fx.master, masterCapId: fx.local.info.masterCapId, nodeId: 'agent-crash-1', amountMist: 1n, reason: 'test' });
    await until('the revoke to be logged', () => /revoked by the master \(slashed\)/.test(out(agent)) || null);
    const count = readRecord(h.record).length;
    await new Promise((r) => setTimeout(r, 2_000));
    expect(readRecord(h.record).length).toBe(count);
    await stopAgentProcess(agent);
  });
});
