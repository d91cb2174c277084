/**
 * The supervisor driving the real fake-k3s executable through the execa runner: argv, token file,
 * readiness, crash/restart, each diagnosed failure, and stopping.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock.ts';
import { captureLogger, FAKE_K3S, FAST_FAKE_ENV, isAlive, readRecord, waitFor } from '../../test/fixtures/fake-k3s-harness.ts';
import { buildK3sAgentArgs, ownerLabelValue } from './args.ts';
import { createBackoff } from './backoff.ts';
import { createProcessRunner } from './runner.ts';
import { K3sSupervisor } from './supervisor.ts';
import { writeTokenFile } from './token-file.ts';

const OWNER = `0x${'7e'.repeat(32)}`;
const CA = 'c'.repeat(64);
const TOKEN = `K10${CA}::abcdef.0123456789abcdef`;
const SERVER = 'https://127.0.0.1:6443';
let running: K3sSupervisor[] = [];

afterEach(async () => {
  await Promise.all(running.map((s) => s.stop(500)));
  running = [];
});

async function start(env: Record<string, string>, extraArgs = '') {
  const dir = mkdtempSync(join(tmpdir(), 'k3s-sup-'));
  const tokenFile = await writeTokenFile({ dir: join(dir, 'state'), token: TOKEN });
  const record = join(dir, 'record.jsonl');
  const args = buildK3sAgentArgs({ serverUrl: SERVER, tokenFile, nodeId: 'worker-7', ownerAddress: OWNER, stakeMist: 2_500_000_000n, extraArgs });
  const { logger, records } = captureLogger();
  const supervisor = new K3sSupervisor({
    runner: createProcessRunner({ bin: FAKE_K3S }),
    args,
    env: { ...FAST_FAKE_ENV, FAKE_K3S_CA_HASH: CA, FAKE_K3S_RECORD: record, ...env },
    clock: systemClock,
    logger,
    context: { serverUrl: SERVER, nodeName: 'worker-7' },
    backoff: createBackoff({ name: 'k3s-restart', baseMs: 100, maxMs: 400, jitter: 0 }),
    assumeReadyAfterMs: 60_000,
    stableAfterMs: 60_000,
  });
  running.push(supervisor);
  supervisor.start();
  const recognised = () => records.filter((r) => r.msg === 'k3s agent failure recognised');
  return { supervisor, record, tokenFile, records, recognised };
}

describe('K3sSupervisor with the fake k3s', () => {
  it('starts k3s agent with exactly our flags, the token only in a 0600 file, and reaches running', async () => {
    const { supervisor, record, tokenFile } = await start({}, `--node-ip 10.1.2.3 --kubelet-arg "max-pods=50" --node-taint 'gpu=true:NoSchedule'`);
    await waitFor('running', () => supervisor.status().state === 'running');
    const [first] = readRecord(record);
    expect(first.argv).toEqual([
      '--server', SERVER,
      '--token-file', tokenFile,
      '--node-name', 'worker-7',
      '--node-label', `k8s-daas.io/owner=${ownerLabelValue(OWNER)}`,
      '--node-label', 'k8s-daas.io/stake-mist=2500000000',
      '--node-ip', '10.1.2.3',
      '--kubelet-arg', 'max-pods=50',
      '--node-taint', 'gpu=true:NoSchedule',
    ]);
    expect(first.tokenFileMode).toBe('0600');
    expect(JSON.stringify(first.argv)).not.toContain('0123456789abcdef');
    expect(first.env.K3S_TOKEN).toBeUndefined(); // nor in the environment
    expect(supervisor.status()).toEqual({ state: 'running', pid: first.pid, restarts: 0, lastError: null });
  });

  it('restarts k3s after a crash, with backoff, and reports the crash', async () => {
    const { supervisor, record } = await start({ FAKE_K3S_CRASH_AFTER_MS: '150' });
    await waitFor('two restarts', () => supervisor.status().restarts >= 2 && readRecord(record).length >= 3, 10_000);
    const starts = readRecord(record);
    expect(new Set(starts.map((s) => s.pid)).size).toBe(starts.length);
    // each restart waits crash time + backoff (100 ms, then 200 ms) before the next start
    expect(starts[1].time - starts[0].time).toBeGreaterThanOrEqual(150 + 100);
    expect(starts[2].time - starts[1].time).toBeGreaterThanOrEqual(150 + 200);
    expect(supervisor.status().lastError).toBe('k3s agent exited with code 1: kubelet exited: fake crash after 150ms (FAKE_K3S_CRASH_AFTER_MS)');
  });

  it('says a wrong token was rejected (401) and how to fix it, once', async () => {
    const { supervisor, recognised } = await start({ FAKE_K3S_EXPECT_TOKEN: `K10${CA}::zzzzzz.0123456789abcdef` });
    await waitFor('crash', () => supervisor.status().restarts >= 1);
    expect(supervisor.status().lastError).toMatch(/rejected the join token \(401 Unauthorized\).*restart this agent to fetch a fresh token/);
    expect(supervisor.failure()?.code).toBe('K3S_TOKEN_REJECTED');
    expect(supervisor.status().state).not.toBe('running');
    expect(recognised()).toHaveLength(1); // k3s printed the 401 line twice plus a fatal
  });

  it.each([
    [{ FAKE_K3S_CA_HASH: 'd'.repeat(64) }, 'K3S_TOKEN_CA_MISMATCH', /different cluster CA/],
    [{ FAKE_K3S_FAIL: 'node-password' }, 'K3S_NODE_PASSWORD_REJECTED', /node named worker-7 .*worker-7\.node-password\.k3s/],
    [{ FAKE_K3S_FAIL: 'unreachable' }, 'K3S_SERVER_UNREACHABLE', /https:\/\/127\.0\.0\.1:6443 cannot be reached .*connection reset by peer/],
    [{ FAKE_K3S_FAIL: 'refused' }, 'K3S_SERVER_UNREACHABLE', /connection refused/],
  ])('diagnoses %j as %s', async (env, code, cause) => {
    const { supervisor, recognised } = await start(env);
    await waitFor(code, () => supervisor.failure()?.code === code);
    expect(supervisor.status().lastError).toMatch(cause);
    await waitFor('crash', () => supervisor.status().restarts >= 1);
    expect(recognised().map((r) => r.code)).toEqual([code]);
  });

  it('diagnoses an unknown flag in K3S_EXTRA_ARGS', async () => {
    const { supervisor } = await start({}, '--no-such-flag');
    await waitFor('crash', () => supervisor.status().restarts >= 1);
    expect(supervisor.failure()?.code).toBe('K3S_BAD_FLAG');
    expect(supervisor.status().lastError).toContain('--no-such-flag');
  });

  it('stops k3s with SIGTERM', async () => {
    const { supervisor, records } = await start({});
    await waitFor('running', () => supervisor.status().state === 'running');
    const pid = supervisor.status().pid!;
    await supervisor.stop(5000);
    expect(isAlive(pid)).toBe(false);
    expect(supervisor.status()).toMatchObject({ state: 'stopped', pid: null, restarts: 0 });
    expect(records.some((r) => r.msg === 'k3s output' && String(r.line).includes('msg="Proxy done"'))).toBe(true);
  });

  it('kills k3s with SIGKILL when it ignores SIGTERM past the grace period', async () => {
    const { supervisor } = await start({ FAKE_K3S_IGNORE_SIGTERM: '1' });
    await waitFor('running', () => supervisor.status().state === 'running');
    const pid = supervisor.status().pid!;
    const t0 = Date.now();
    await supervisor.stop(250);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
    expect(isAlive(pid)).toBe(false);
    expect(supervisor.status().state).toBe('stopped');
  });
});
