import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { FAKE_K3S, FAST_FAKE_ENV, isAlive, readRecord, waitFor } from '../../test/fixtures/fake-k3s-harness.ts';
import { createProcessRunner } from './runner.ts';

const execFileAsync = promisify(execFile);
let dir: string;
let tokenFile: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'k3s-runner-'));
  tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 'K10::node:secret\n', { mode: 0o600 });
});

const agentArgs = () => ['agent', '--server', 'https://10.0.0.1:6443', '--token-file', tokenFile, '--node-name', 'w1'];

describe('createProcessRunner with the fake k3s', () => {
  it('delivers stdout and stderr as lines, and stops with SIGTERM', async () => {
    const lines: string[] = [];
    const proc = createProcessRunner({ bin: FAKE_K3S }).start({ args: agentArgs(), env: FAST_FAKE_ENV, onLine: (l) => lines.push(l) });
    expect(proc.pid).toBeGreaterThan(0);
    await waitFor('ready line', () => lines.some((l) => l.includes('Remotedialer connected to proxy')));
    expect(lines[0]).toMatch(/^time="[^"]+" level=info msg="Acquiring lock file/);
    await proc.stop(5000);
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(lines.at(-1)).toMatch(/msg="Proxy done" err="context canceled"/);
    expect(isAlive(proc.pid!)).toBe(false);
  });

  it('sends SIGKILL when the process ignores SIGTERM for the grace period', async () => {
    const lines: string[] = [];
    const env = { ...FAST_FAKE_ENV, FAKE_K3S_IGNORE_SIGTERM: '1' };
    const proc = createProcessRunner({ bin: FAKE_K3S }).start({ args: agentArgs(), env, onLine: (l) => lines.push(l) });
    await waitFor('ready line', () => lines.some((l) => l.includes('Remotedialer connected')));
    const t0 = Date.now();
    await proc.stop(300);
    const took = Date.now() - t0;
    expect(await proc.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(3000);
  });

  it('resolves exited only after the last line was delivered', async () => {
    const lines: string[] = [];
    const env = { ...FAST_FAKE_ENV, FAKE_K3S_CRASH_AFTER_MS: '150' };
    const proc = createProcessRunner({ bin: FAKE_K3S }).start({ args: agentArgs(), env, onLine: (l) => lines.push(l) });
    expect(await proc.exited).toEqual({ code: 1, signal: null });
    expect(lines.at(-1)).toContain('level=error msg="kubelet exited: fake crash after 150ms');
    await proc.stop(100); // already gone: a no-op
  });

  it('passes the environment and exactly the given argv', async () => {
    const record = join(dir, 'record.jsonl');
    const proc = createProcessRunner({ bin: FAKE_K3S }).start({ args: [...agentArgs(), '--debug'], env: { ...FAST_FAKE_ENV, FAKE_K3S_RECORD: record } });
    await waitFor('record', () => readRecord(record).length === 1);
    await proc.stop(2000);
    expect(readRecord(record)[0]).toMatchObject({ argv: [...agentArgs().slice(1), '--debug'], pid: proc.pid, tokenFileMode: '0600' });
  });

  it('stops a k3s it started when the agent process exits without stopping it', async () => {
    const record = join(dir, 'record.jsonl');
    // A process that starts the fake through the runner, waits for it to be up, and exits.
    const script = [
      `import { createProcessRunner } from ${JSON.stringify(fileURLToPath(new URL('./runner.ts', import.meta.url)))};`,
      `import { existsSync } from 'node:fs';`,
      `createProcessRunner({ bin: ${JSON.stringify(FAKE_K3S)} }).start({ args: ${JSON.stringify(agentArgs())}, env: ${JSON.stringify({ ...FAST_FAKE_ENV, FAKE_K3S_RECORD: record })} });`,
      `const t = setInterval(() => { if (existsSync(${JSON.stringify(record)})) { clearInterval(t); setTimeout(() => process.exit(0), 200); } }, 20);`,
    ].join('\n');
    await execFileAsync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 20_000 });
    const [{ pid }] = readRecord(record);
    await waitFor('the orphaned k3s to be gone', () => !isAlive(pid));
  });

  it('reports a missing binary as a spawn error instead of throwing', async () => {
    const proc = createProcessRunner({ bin: join(dir, 'no-such-k3s') }).start({ args: ['agent'] });
    expect(proc.pid).toBeUndefined();
    const exit = await proc.exited;
    expect(exit).toMatchObject({ code: null, signal: null, spawnError: { errno: 'ENOENT' } });
    await proc.stop(100);
  });
});
