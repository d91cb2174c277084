/**
 * The local chain as a separate process (its npm bin), driven by a script that uses only
 * @mysten/sui: the "works with an unmodified SDK" promise, end to end.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'k8s-daas-smoke-'));
let chain: ResultPromise | undefined;

afterAll(async () => {
  chain?.kill('SIGTERM');
  await chain?.catch(() => undefined);
});

describe('k8s-daas-localchain + an SDK-only script', () => {
  it('prints one JSON line, writes --out 0600, and a plain SDK script can fund, register and read both events', async () => {
    const out = join(dir, 'info.json');
    chain = execa('node', ['bin/k8s-daas-localchain.mjs', '--port', '0', '--out', out], { reject: false });
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      chain!.stdout!.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        if (buf.includes('\n')) resolve(buf.split('\n')[0]);
      });
      chain!.once('exit', (code) => reject(new Error(`localchain exited with ${code}`)));
    });
    const info = JSON.parse(line);
    expect(Object.keys(info).sort()).toEqual(['faucetUrl', 'masterCapId', 'masterPrivateKey', 'packageId', 'registryId', 'rpcUrl', 'schedulerId']);
    expect(info.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.masterPrivateKey).toMatch(/^suiprivkey1/);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(info);
    expect(statSync(out).mode & 0o777).toBe(0o600);

    const smoke = await execa('node', ['scripts/sdk-smoke.mjs', out], { reject: false });
    expect(smoke.stderr).toBe('');
    expect(smoke.exitCode).toBe(0);
    expect(smoke.stdout).toMatch(/WorkerRegisteredEvent node_id=smoke-[0-9a-f]{8} owner=0x[0-9a-f]{64} stake_amount=1000000000/);
    expect(smoke.stdout).toMatch(/StakeDepositedEvent node_id=smoke-[0-9a-f]{8} amount=1000000000/);
    expect(smoke.stdout).toContain('sdk smoke: OK');
  });
});
