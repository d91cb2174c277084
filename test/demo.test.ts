/**
 * The README's first command, as a newcomer runs it: `npm run demo` brings up the chain, the master
 * and three agents; all three become active; Ctrl-C (SIGINT to the process group) stops everything
 * and leaves no process behind.
 */
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function groupMembers(pgid: number): number[] {
  try {
    return execFileSync('pgrep', ['-g', String(pgid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

describe('npm run demo', () => {
  it('shows three active workers, then stops cleanly on Ctrl-C', async () => {
    // Output goes to a file, as to a terminal: npm exits at Ctrl-C before the demo's last lines,
    // and a pipe would close under them.
    const log = join(mkdtempSync(join(tmpdir(), 'k8s-daas-demo-test-')), 'demo.log');
    const demo = execa('sh', ['-c', `exec npm run demo > '${log}' 2>&1`], { detached: true, reject: false, env: { DEMO_OFFLINE_AFTER_MS: '15000' } });
    const pgid = demo.pid!;
    let output = '';
    const poll = setInterval(() => (output = existsSync(log) ? readFileSync(log, 'utf8') : ''), 200);
    try {
      const url = await waitFor(() => /📊 Status page: (http:\/\/127\.0\.0\.1:\d+)\//.exec(output)?.[1], 'the status page address', () => output, 90_000);
      const active = await waitFor(
        async () => {
          const res = await fetch(`${url}/api/v1/workers`).catch(() => null);
          if (!res?.ok) return null;
          const { workers } = (await res.json()) as { workers: Array<{ nodeId: string; status: string; k3s?: { state?: string } }> };
          return workers.filter((w) => w.status === 'active').length === 3 ? workers : null;
        },
        'three active workers',
        () => output,
        120_000,
      );
      expect(active.map((w) => w.nodeId).sort()).toEqual(['my-worker-001', 'my-worker-002', 'my-worker-003']);
      expect(output).toContain('👥 Worker added to pool: my-worker-001 (stake: 1000000000)');
      expect(output).toMatch(/🔄 Worker my-worker-00\d status: pending → active/);
    } finally {
      process.kill(-pgid, 'SIGINT');
    }
    await demo;
    await waitFor(() => groupMembers(pgid).length === 0 || null, 'every demo process to exit', () => `left: ${groupMembers(pgid).join(' ')}`, 30_000);
    clearInterval(poll);
    output = readFileSync(log, 'utf8');
    expect(output.slice(-1500)).toContain('✅ Everything stopped.');
  }, 240_000);
});

async function waitFor<T>(check: () => T | null | undefined | Promise<T | null | undefined>, what: string, context: () => string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
