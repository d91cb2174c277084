/**
 * registerOnce against the local chain over real HTTP with the real SDK: stakes once, never twice,
 * recovers a transaction whose result was never recorded, and explains each refusal.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { toBase58 } from '@mysten/sui/utils';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealPublicKey } from '../../shared/chain/seal-key.ts';
import { GAS_BUDGET_ALLOWANCE_MIST } from '../../shared/chain/worker-chain.ts';
import { DaasError } from '../../shared/errors.ts';
import { startChainFixture, type ChainFixture } from '../../test/helpers/chain.ts';
import { registerOnce, type RegisterOnceOptions, type RegistrationChain } from './register-once.ts';
import { readRegistrationState, registrationStateFile, writeRegistrationState } from './state-file.ts';

const ONE_SUI = 1_000_000_000n;
const SEAL = 'seal_token_my_secure_worker_12345678901234567890';
const OTHER_SEAL = 'another_seal_token_for_the_same_worker_0123456789';

let fx: ChainFixture;
beforeAll(async () => {
  fx = await startChainFixture();
});
afterAll(async () => {
  await fx?.close();
});

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, destination), messages: () => lines.map((l) => String(l.msg)) };
}

function options(key: Ed25519Keypair, nodeId: string, extra: Partial<RegisterOnceOptions> = {}) {
  const log = capture();
  const opts: RegisterOnceOptions = {
    chain: fx.chain,
    signer: key,
    nodeId,
    sealPubkey: sealPublicKey(SEAL),
    stakeMist: ONE_SUI,
    stateFile: registrationStateFile(mkdtempSync(join(tmpdir(), 'agent-state-'))),
    logger: log.logger,
    inFlightGraceMs: 0,
    ...extra,
  };
  return { opts, messages: log.messages };
}

async function failure(promise: Promise<unknown>): Promise<DaasError> {
  const err = await promise.then(
    () => {
      throw new Error('expected registerOnce to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DaasError);
  return err as DaasError;
}

describe('registerOnce', () => {
  it('registers a fresh worker, records it in a 0600 state file and logs it', async () => {
    const key = await fx.fundedKey();
    const before = await fx.chain.balance(key.toSuiAddress());
    const { opts, messages } = options(key, 'fresh-worker-001');

    const reg = await registerOnce(opts);

    expect(reg).toMatchObject({ nodeId: 'fresh-worker-001', owner: key.toSuiAddress(), stakeMist: ONE_SUI, outcome: 'registered' });
    expect(reg.digest).toEqual(expect.any(String));
    expect(reg.stakeProofId).toMatch(/^0x[0-9a-f]{64}$/);
    const onChain = await fx.chain.findRegistration('fresh-worker-001');
    expect(onChain).toMatchObject({ owner: key.toSuiAddress(), stakeMist: ONE_SUI, status: 'pending' });
    expect(onChain!.sealPubkey).toEqual(sealPublicKey(SEAL));
    const spent = before - (await fx.chain.balance(key.toSuiAddress()));
    expect(spent).toBeGreaterThan(ONE_SUI);
    expect(spent).toBeLessThanOrEqual(ONE_SUI + GAS_BUDGET_ALLOWANCE_MIST);

    expect(statSync(opts.stateFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(opts.stateFile, 'utf8'))).toMatchObject({
      nodeId: 'fresh-worker-001',
      owner: key.toSuiAddress(),
      digest: reg.digest,
      registered: true,
      stakeProofId: reg.stakeProofId,
    });
    expect(messages()).toEqual(
      expect.arrayContaining([
        '📝 Registering worker fresh-worker-001 with stake 1000000000 MIST',
        `✅ Worker fresh-worker-001 registered (tx ${reg.digest}, StakeProof ${reg.stakeProofId})`,
      ]),
    );
  });

  it('does not stake again on a second start, with or without its state file', async () => {
    const key = await fx.fundedKey();
    const { opts } = options(key, 'twice-worker-001');
    const first = await registerOnce(opts);
    const balance = await fx.chain.balance(key.toSuiAddress());

    const again = options(key, 'twice-worker-001', { stateFile: opts.stateFile });
    const second = await registerOnce(again.opts);
    expect(second).toMatchObject({ outcome: 'reused', digest: first.digest, stakeProofId: first.stakeProofId, stakeMist: ONE_SUI });
    expect(again.messages()).toContain('♻️ Worker twice-worker-001 already registered by this key; not staking again');

    // A host that lost its state directory (or an operator who registered from the same key elsewhere).
    const lost = options(key, 'twice-worker-001');
    const third = await registerOnce(lost.opts);
    expect(third).toMatchObject({ outcome: 'reused', digest: null, stakeProofId: null });
    expect(await readRegistrationState(lost.opts.stateFile)).toMatchObject({ registered: true, digest: null });

    expect(await fx.chain.balance(key.toSuiAddress())).toBe(balance);
  });

  it('finds its own transaction after being killed between sending it and recording the result', async () => {
    const key = await fx.fundedKey();
    const { opts } = options(key, 'killed-worker-001');
    // The process dies right after the transaction executed: the state file holds only the digest.
    const dying: RegistrationChain = {
      findRegistration: (id) => fx.chain.findRegistration(id),
      transactionEvents: (d) => fx.chain.transactionEvents(d),
      balance: (a) => fx.chain.balance(a),
      registerWorker: async (input) => {
        await fx.chain.registerWorker(input);
        throw new Error('killed by SIGKILL');
      },
    };
    await expect(registerOnce({ ...opts, chain: dying })).rejects.toThrow('killed by SIGKILL');
    const sent = await readRegistrationState(opts.stateFile);
    expect(sent).toMatchObject({ registered: false, digest: expect.any(String) });
    expect(await fx.chain.findRegistration('killed-worker-001')).not.toBeNull();
    const balance = await fx.chain.balance(key.toSuiAddress());

    const restart = options(key, 'killed-worker-001', { stateFile: opts.stateFile });
    const reg = await registerOnce(restart.opts);

    expect(reg).toMatchObject({ outcome: 'recovered', digest: sent!.digest, stakeMist: ONE_SUI });
    expect(await fx.chain.balance(key.toSuiAddress())).toBe(balance);
    expect(await readRegistrationState(opts.stateFile)).toMatchObject({ registered: true, digest: sent!.digest });
    expect(restart.messages()).toContain(
      `♻️ Worker killed-worker-001 registration tx ${sent!.digest} found on chain after a restart; not staking again`,
    );
  });

  it('registers when the recorded transaction never reached the chain', async () => {
    const key = await fx.fundedKey();
    const { opts, messages } = options(key, 'lost-tx-worker-001');
    const lostDigest = toBase58(randomBytes(32)); // a well-formed digest no node knows
    await writeRegistrationState(opts.stateFile, {
      version: 1,
      nodeId: 'lost-tx-worker-001',
      owner: key.toSuiAddress(),
      sealPubkey: Buffer.from(opts.sealPubkey).toString('base64'),
      stakeMist: String(ONE_SUI),
      digest: lostDigest,
      registered: false,
      stakeProofId: null,
      updatedAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const reg = await registerOnce(opts);
    expect(reg.outcome).toBe('registered');
    expect(reg.digest).not.toBe(lostDigest);
    expect(messages()).toContain(`⚠️ Registration tx ${lostDigest} of worker lost-tx-worker-001 is unknown to the node; it never reached the chain`);
  });

  it('waits out a recorded transaction that may still be in flight before concluding it was lost', async () => {
    const key = await fx.fundedKey();
    const now = Date.parse('2030-01-01T00:00:00Z');
    const slept: number[] = [];
    const clock = { now: () => now, sleep: async (ms: number) => void slept.push(ms) };
    const { opts } = options(key, 'inflight-worker-001', { clock, inFlightGraceMs: 30_000 });
    await writeRegistrationState(opts.stateFile, {
      version: 1,
      nodeId: 'inflight-worker-001',
      owner: key.toSuiAddress(),
      sealPubkey: Buffer.from(opts.sealPubkey).toString('base64'),
      stakeMist: String(ONE_SUI),
      digest: toBase58(randomBytes(32)),
      registered: false,
      stakeProofId: null,
      updatedAt: new Date(now - 10_000).toISOString(),
    });
    expect((await registerOnce(opts)).outcome).toBe('registered');
    expect(slept).toEqual([20_000]);
  });

  it('ignores a state file written for another node id', async () => {
    const key = await fx.fundedKey();
    const first = options(key, 'renamed-worker-001');
    await registerOnce(first.opts);
    const renamed = options(key, 'renamed-worker-002', { stateFile: first.opts.stateFile });
    const reg = await registerOnce(renamed.opts);
    expect(reg).toMatchObject({ outcome: 'registered', nodeId: 'renamed-worker-002' });
    expect(renamed.messages()[0]).toMatch(/^⚠️ State file describes worker renamed-worker-001 of 0x[0-9a-f]{64}; starting over for renamed-worker-002$/);
    expect(await readRegistrationState(first.opts.stateFile)).toMatchObject({ nodeId: 'renamed-worker-002', registered: true });
  });

  it('explains EWorkerAlreadyExists when another address holds the node id', async () => {
    const [owner, intruder] = await Promise.all([fx.fundedKey(), fx.fundedKey()]);
    await registerOnce(options(owner, 'taken-worker-001').opts);
    const balance = await fx.chain.balance(intruder.toSuiAddress());

    const err = await failure(registerOnce(options(intruder, 'taken-worker-001').opts));
    expect(err.code).toBe('NODE_ID_TAKEN');
    expect(err.message).toBe(
      `EWorkerAlreadyExists: node id taken-worker-001 is already registered on chain by ${owner.toSuiAddress()}, ` +
        `not by this key (${intruder.toSuiAddress()}); pick another K8S_DAAS_NODE_ID, or run the agent with the key of ${owner.toSuiAddress()}`,
    );
    expect(await fx.chain.balance(intruder.toSuiAddress())).toBe(balance);
  });

  it('stops when this key registered the node id with another seal token', async () => {
    const key = await fx.fundedKey();
    const { opts } = options(key, 'resealed-worker-001');
    await registerOnce(opts);
    const balance = await fx.chain.balance(key.toSuiAddress());

    const other = options(key, 'resealed-worker-001', { stateFile: opts.stateFile, sealPubkey: sealPublicKey(OTHER_SEAL) });
    const err = await failure(registerOnce(other.opts));
    expect(err.code).toBe('SEAL_KEY_MISMATCH');
    expect(err.message).toMatch(/^worker resealed-worker-001 is registered by this key with another seal key: the seal token \(K8S_DAAS_SEAL_TOKEN\) differs from the one used at registration/);
    expect(err.message).toMatch(/use the original token, or rotate the registered key with the owner key/);
    expect(await fx.chain.balance(key.toSuiAddress())).toBe(balance);
  });

  it('says how much is missing before staking more than the key holds', async () => {
    const key = await fx.fundedKey();
    const address = key.toSuiAddress();
    const balance = await fx.chain.balance(address);
    const { opts } = options(key, 'poor-worker-001', { stakeMist: balance });

    const err = await failure(registerOnce(opts));
    expect(err.code).toBe('INSUFFICIENT_BALANCE');
    expect(err.message).toContain(`but registering worker poor-worker-001 needs`);
    expect(err.message).toContain(`0.05 SUI (${GAS_BUDGET_ALLOWANCE_MIST} MIST) missing: send it to ${address}`);
    expect(await fx.chain.balance(address)).toBe(balance);
    expect(await fx.chain.findRegistration('poor-worker-001')).toBeNull();
    expect(await readRegistrationState(opts.stateFile)).toBeNull();
  });

  it('shows a chain refusal by its Move name and keeps no pending digest', async () => {
    const key = await fx.fundedKey();
    // Below the contract's minimum: only the chain refuses it (the config would have caught it earlier).
    const { opts } = options(key, 'cheap-worker-001', { stakeMist: ONE_SUI - 1n });
    const err = await failure(registerOnce(opts));
    expect(err.code).toBe('MOVE_ABORT');
    expect(err.message).toContain('EInsufficientStake');
    const state = await readRegistrationState(opts.stateFile);
    expect(state === null || state.digest === null).toBe(true);
  });

  it('refuses to stake again for a worker this host registered that has since left the registry', async () => {
    const key = await fx.fundedKey();
    const { opts } = options(key, 'gone-worker-001');
    const reg = await registerOnce(opts);
    await fx.chain.unstake({ signer: key, stakeProofId: reg.stakeProofId! });
    const balance = await fx.chain.balance(key.toSuiAddress());

    const err = await failure(registerOnce(options(key, 'gone-worker-001', { stateFile: opts.stateFile }).opts));
    expect(err.code).toBe('WORKER_DEREGISTERED');
    expect(err.message).toContain(`delete ${opts.stateFile}`);
    expect(await fx.chain.balance(key.toSuiAddress())).toBe(balance);
  });
});
