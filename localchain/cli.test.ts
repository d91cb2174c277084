/** The CLI and --state persistence: a real process, and restarts of an in-process chain. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import { ONE_SUI, registrationTx, startTestChain } from './testing.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'localchain-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const BIN = path.resolve(import.meta.dirname, '../bin/k8s-daas-localchain.mjs');

function run(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'info' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    const check = () => (stdout.includes('\n') ? resolve(stdout.split('\n')[0]) : undefined);
    child.stdout.on('data', check);
    exited.then(() => reject(new Error(`exited early: ${stderr}`)));
  });
  firstLine.catch(() => undefined); // awaited only by tests that expect the process to start
  return { child, exited, firstLine, output: () => ({ stdout, stderr }) };
}

describe('k8s-daas-localchain CLI', () => {
  it('prints exactly one JSON line, writes --out with mode 0600, and stops with exit 0 on SIGTERM', async () => {
    const out = path.join(dir, 'info.json');
    const p = run(['--port', '0', '--out', out]);
    const info = JSON.parse(await p.firstLine);
    expect(Object.keys(info)).toEqual(['rpcUrl', 'faucetUrl', 'packageId', 'registryId', 'schedulerId', 'masterCapId', 'masterPrivateKey']);
    expect(info.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.faucetUrl).toBe(info.rpcUrl);
    expect(info.masterPrivateKey).toMatch(/^suiprivkey1/);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual(info);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);

    const client = new SuiGrpcClient({ network: 'localnet', baseUrl: info.rpcUrl });
    expect((await client.getReferenceGasPrice()).referenceGasPrice).toBe('1000');

    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const { stdout, stderr } = p.output();
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).not.toContain(info.masterPrivateKey);
  });

  it('exits 2 with one clear line on a bad flag', async () => {
    const p = run(['--port', 'eighty']);
    expect(await p.exited).toBe(2);
    const { stdout, stderr } = p.output();
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/--port/)]);
  });
});

describe('--state', () => {
  it('keeps objects, balances, package state and history across a restart', async () => {
    const stateFile = path.join(dir, 'chain.json');
    const first = await startTestChain({ stateFile });
    const key = await first.funded();
    const reg = await first.client.signAndExecuteTransaction({ transaction: registrationTx(first.chain, 'persisted', ONE_SUI), signer: key, include: { effects: true } });
    const balance = (await first.client.getBalance({ owner: key.toSuiAddress() })).balance.balance;
    const { chainIdentifier } = await first.client.core.getChainIdentifier();
    expect(fs.statSync(stateFile).mode & 0o777).toBe(0o600);
    await first.close();

    const second = await startTestChain({ stateFile });
    try {
      expect(second.chain.info).toMatchObject({ packageId: first.chain.info.packageId, registryId: first.chain.info.registryId, masterPrivateKey: first.chain.info.masterPrivateKey });
      expect((await second.client.core.getChainIdentifier()).chainIdentifier).toBe(chainIdentifier);
      expect((await second.client.getBalance({ owner: key.toSuiAddress() })).balance.balance).toBe(balance);
      const old = await second.client.getTransaction({ digest: reg.Transaction!.digest, include: { events: true } });
      expect(old.Transaction!.events).toHaveLength(2);
      // The registry remembers the worker: registering it again aborts with EWorkerAlreadyExists (2).
      const again = registrationTx(second.chain, 'persisted', ONE_SUI);
      again.setSender(key.toSuiAddress());
      await expect(again.build({ client: second.client })).rejects.toMatchObject({ executionError: { MoveAbort: { abortCode: '2' } } });
      // New transactions continue the history.
      const next = await second.client.signAndExecuteTransaction({ transaction: registrationTx(second.chain, 'persisted-2', ONE_SUI), signer: key, include: { effects: true } });
      expect(BigInt(next.Transaction!.checkpoint!)).toBeGreaterThan(BigInt(reg.Transaction!.checkpoint!));
    } finally {
      await second.close();
    }
  });

  it('refuses a corrupt state file instead of starting a new chain over it', async () => {
    const stateFile = path.join(dir, 'corrupt.json');
    fs.writeFileSync(stateFile, '{"format":"something else"}');
    await expect(startTestChain({ stateFile })).rejects.toThrow(/cannot read state file/);
  });
});
