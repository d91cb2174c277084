/**
 * The chain client (shared/chain) against the local chain over real HTTP with the real SDK:
 * registration, every worker_registry abort by name, signatures, the event reader, the scheduler.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { DaasError } from '../shared/errors.ts';
import { MoveAbortError } from '../shared/chain/chain-errors.ts';
import { EventReader } from '../shared/chain/event-reader.ts';
import { sealPublicKey } from '../shared/chain/seal-key.ts';
import { startChainFixture, type ChainFixture } from './helpers/chain.ts';

let fx: ChainFixture;
const SEAL = 'seal_token_my_secure_worker_12345678901234567890';
const ONE_SUI = 1_000_000_000n;

beforeAll(async () => {
  fx = await startChainFixture();
});
afterAll(async () => {
  await fx?.close();
});

async function expectAbort(promise: Promise<unknown>, name: string): Promise<MoveAbortError> {
  const err = await promise.then(
    () => {
      throw new Error(`expected ${name}, but the call succeeded`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MoveAbortError);
  const abort = err as MoveAbortError;
  expect(abort.abortName, abort.message).toBe(name);
  expect(abort.message).toContain(name);
  return abort;
}

describe('registerWorker', () => {
  it('stakes, emits both events with the right fields, and gives the sender a StakeProof', async () => {
    const key = await fx.fundedKey();
    const owner = key.toSuiAddress();
    const before = await fx.chain.balance(owner);
    const reg = await fx.chain.registerWorker({ signer: key, nodeId: 'my-worker-001', sealPubkey: sealPublicKey(SEAL), stakeMist: ONE_SUI + 4_607_436n });

    expect(reg.digest).toMatch(/^[1-9A-HJ-NP-Za-km-z]{43,44}$/);
    const [registered, deposited] = reg.events;
    expect(registered).toMatchObject({ kind: 'WorkerRegistered', nodeId: 'my-worker-001', owner, stakeMist: 1_004_607_436n, txDigest: reg.digest, eventIndex: 0 });
    expect(Buffer.from((registered as { sealPubkey: Uint8Array }).sealPubkey)).toEqual(Buffer.from(sealPublicKey(SEAL)));
    expect(deposited).toMatchObject({ kind: 'StakeDeposited', nodeId: 'my-worker-001', owner, amountMist: 1_004_607_436n, eventIndex: 1 });
    expect((registered as { timestamp: number }).timestamp).toBeGreaterThan(Date.now() - 60_000);

    const owned = await fx.chain.client.core.listOwnedObjects({ owner, type: `${fx.chain.ids.packageId}::worker_registry::StakeProof` });
    expect(owned.objects.map((o) => o.objectId)).toEqual([reg.stakeProofId]);

    const after = await fx.chain.balance(owner);
    expect(before - after).toBeGreaterThan(1_004_607_436n); // stake plus gas
    expect(before - after).toBeLessThan(1_004_607_436n + 50_000_000n);

    const found = await fx.chain.findRegistration('my-worker-001');
    expect(found).toMatchObject({ owner, stakeMist: 1_004_607_436n, status: 'pending' });
    expect(await fx.chain.findRegistration('nobody-here')).toBeNull();
    expect(await fx.chain.transactionEvents(reg.digest)).toHaveLength(2);
  });
});

describe('worker_registry aborts, by name', () => {
  it('EInsufficientStake, EInvalidNodeId, EInvalidSealToken, EWorkerAlreadyExists at registration', async () => {
    const key = await fx.fundedKey();
    const pub = sealPublicKey(SEAL);
    await expectAbort(fx.chain.registerWorker({ signer: key, nodeId: 'low-stake', sealPubkey: pub, stakeMist: ONE_SUI / 2n }), 'EInsufficientStake');
    await expectAbort(fx.chain.registerWorker({ signer: key, nodeId: 'Bad_Name', sealPubkey: pub, stakeMist: ONE_SUI }), 'EInvalidNodeId');
    await expectAbort(fx.chain.registerWorker({ signer: key, nodeId: 'short-key', sealPubkey: pub.slice(0, 31), stakeMist: ONE_SUI }), 'EInvalidSealToken');
    await fx.chain.registerWorker({ signer: key, nodeId: 'taken', sealPubkey: pub, stakeMist: ONE_SUI });
    const other = await fx.fundedKey();
    const abort = await expectAbort(fx.chain.registerWorker({ signer: other, nodeId: 'taken', sealPubkey: pub, stakeMist: ONE_SUI }), 'EWorkerAlreadyExists');
    expect(abort.module).toBe('worker_registry');
    expect(abort.functionName).toBe('stake_and_register_worker');
    expect(abort.abortCode).toBe(2);
  });

  it('runs transactions a sender sends at once one after the other: all execute, none refused for a stale gas coin', async () => {
    const key = await fx.fundedKey();
    const regs = await Promise.all(
      ['together-1', 'together-2', 'together-3'].map((nodeId) => fx.chain.registerWorker({ signer: key, nodeId, sealPubkey: sealPublicKey(SEAL), stakeMist: ONE_SUI })),
    );
    expect(new Set(regs.map((r) => r.digest)).size).toBe(3);
  });

  it('ETooManyWorkers for the 11th worker of one address', async () => {
    const key = await fx.fundedKey(2);
    for (let i = 0; i < 10; i++) {
      await fx.chain.registerWorker({ signer: key, nodeId: `fleet-${i}`, sealPubkey: sealPublicKey(SEAL), stakeMist: ONE_SUI });
    }
    await expectAbort(fx.chain.registerWorker({ signer: key, nodeId: 'fleet-10', sealPubkey: sealPublicKey(SEAL), stakeMist: ONE_SUI }), 'ETooManyWorkers');
  });

  it('EWorkerNotFound, EUnauthorized, EWorkerNotActive, EInvalidOperation on later calls', async () => {
    const owner = await fx.fundedKey();
    const stranger = await fx.fundedKey();
    const reg = await fx.chain.registerWorker({ signer: owner, nodeId: 'later-1', sealPubkey: sealPublicKey(SEAL), stakeMist: ONE_SUI });
    const capId = fx.local.info.masterCapId;

    await expectAbort(fx.chain.addStake({ signer: owner, nodeId: 'no-such-worker', amountMist: ONE_SUI }), 'EWorkerNotFound');
    await expectAbort(fx.chain.addStake({ signer: stranger, nodeId: 'later-1', amountMist: ONE_SUI }), 'EUnauthorized');
    await expectAbort(fx.chain.rotateSealKey({ signer: stranger, nodeId: 'later-1', sealPubkey: sealPublicKey(SEAL + 'x') }), 'EUnauthorized');
    await expectAbort(fx.chain.setWorkerStatuses({ signer: fx.master, masterCapId: capId, updates: [{ nodeId: 'later-1', status: 'busy' }] }), 'EWorkerNotActive');

    await fx.chain.slashWorker({ signer: fx.master, masterCapId: capId, nodeId: 'later-1', amountMist: ONE_SUI / 10n, reason: 'test' });
    await expectAbort(fx.chain.setWorkerStatuses({ signer: fx.master, masterCapId: capId, updates: [{ nodeId: 'later-1', status: 'active' }] }), 'EInvalidOperation');
    await expectAbort(fx.chain.addStake({ signer: owner, nodeId: 'later-1', amountMist: ONE_SUI }), 'EInvalidOperation');

    // What slashing took goes to the MasterCap holder when withdrawn.
    const treasury = new Ed25519Keypair().toSuiAddress();
    await fx.chain.withdrawSlashed({ signer: fx.master, masterCapId: capId, recipient: treasury });
    expect(await fx.chain.balance(treasury)).toBeGreaterThanOrEqual(ONE_SUI / 10n);

    // The slashed worker's owner still gets the rest of the stake back.
    const unstaked = await fx.chain.unstake({ signer: owner, stakeProofId: reg.stakeProofId });
    expect(unstaked.events[0]).toMatchObject({ kind: 'WorkerDeregistered', nodeId: 'later-1', returnedMist: ONE_SUI - ONE_SUI / 10n });
    expect(await fx.chain.findRegistration('later-1')).toBeNull();
  });

  it('only the MasterCap owner can change status', async () => {
    const owner = await fx.fundedKey();
    await fx.chain.registerWorker({ signer: owner, nodeId: 'cap-check', sealPubkey: sealPublicKey(SEAL), stakeMist: ONE_SUI });
    const err = await fx.chain
      .setWorkerStatuses({ signer: owner, masterCapId: fx.local.info.masterCapId, updates: [{ nodeId: 'cap-check', status: 'active' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaasError);
    expect((await fx.chain.findRegistration('cap-check'))?.status).toBe('pending');
  });
});

describe('signatures', () => {
  it('rejects a transaction signed by a key other than the sender', async () => {
    const sender = await fx.fundedKey();
    const impostor = new Ed25519Keypair();
    const tx = new Transaction();
    tx.setSender(sender.toSuiAddress());
    const [coin] = tx.splitCoins(tx.gas, [tx.pure.u64(1000)]);
    tx.transferObjects([coin], impostor.toSuiAddress());
    const bytes = await tx.build({ client: fx.chain.client });
    const { signature } = await impostor.signTransaction(bytes);
    const err = await fx.chain.client.core.executeTransaction({ transaction: bytes, signatures: [signature] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { code?: string }).code).toBe('INVALID_ARGUMENT');
    expect(await fx.chain.balance(impostor.toSuiAddress())).toBe(0n);
  });
});

describe('EventReader', () => {
  it('stops after 60 of 250 events and resumes from the saved cursor, seeing each exactly once', async () => {
    const local = await startChainFixture();
    try {
      const key = await local.fundedKey(2);
      // 1 registration (2 events) + 248 add_stake calls (1 event each) = 250 events.
      await local.chain.registerWorker({ signer: key, nodeId: 'busy-bee', sealPubkey: sealPublicKey(SEAL), stakeMist: ONE_SUI });
      for (let batch = 0; batch < 248; batch += 62) {
        const tx = new Transaction();
        for (let i = 0; i < 62; i++) {
          const [coin] = tx.splitCoins(tx.gas, [tx.pure.u64(1000 + batch + i)]);
          tx.moveCall({
            target: `${local.chain.ids.packageId}::worker_registry::add_stake`,
            arguments: [tx.object(local.chain.ids.registryId), tx.pure.string('busy-bee'), coin, tx.object.clock()],
          });
        }
        await local.chain.execute(tx, key);
      }

      const first = new EventReader({ client: local.chain.client, packageId: local.chain.ids.packageId, module: 'worker_registry', pageSize: 20 });
      const seen: string[] = [];
      for (let i = 0; i < 3; i++) {
        const page = await first.next();
        expect(page.events).toHaveLength(20);
        seen.push(...page.events.map((e) => `${e.txDigest}:${e.eventIndex}`));
        first.commit(page);
      }
      const saved = first.cursor;
      expect(seen).toHaveLength(60);

      const second = new EventReader({ client: local.chain.client, packageId: local.chain.ids.packageId, module: 'worker_registry', cursor: saved, pageSize: 50 });
      const amounts: bigint[] = [];
      for (;;) {
        const page = await second.next();
        seen.push(...page.events.map((e) => `${e.txDigest}:${e.eventIndex}`));
        for (const e of page.events) if (e.kind === 'StakeDeposited') amounts.push(e.amountMist);
        second.commit(page);
        if (!page.hasNextPage) break;
      }
      expect(seen).toHaveLength(250);
      expect(new Set(seen).size).toBe(250);
      // Ascending: the add_stake amounts come back in the order they were made.
      expect(amounts.slice(-3)).toEqual([1000n + 186n + 59n, 1000n + 186n + 60n, 1000n + 186n + 61n]);

      const idle = await second.next();
      expect(idle.events).toHaveLength(0);
      expect(idle.cursor).toBe(second.cursor);
    } finally {
      await local.close();
    }
  });
});

describe('k8s_scheduler', () => {
  it('picks the idle active worker per the seed score, and aborts ENoAvailableWorkers when none is active', async () => {
    const owner = await fx.fundedKey();
    const capId = fx.local.info.masterCapId;
    for (const id of ['sched-a', 'sched-b', 'sched-c']) {
      await fx.chain.registerWorker({ signer: owner, nodeId: id, sealPubkey: sealPublicKey(SEAL), stakeMist: ONE_SUI });
    }
    const request = (requestId: string, priority = 5) =>
      fx.chain.submitK8sRequest({ signer: owner, requestId, method: 'GET', resource: 'pods', namespace: 'production', name: '', payload: '', priority });

    await expectAbort(request('r-none'), 'ENoAvailableWorkers');

    await fx.chain.setWorkerStatuses({
      signer: fx.master,
      masterCapId: capId,
      updates: [{ nodeId: 'sched-b', status: 'active' }, { nodeId: 'sched-c', status: 'active' }],
    });
    const first = await request('r-1');
    const scheduled = first.events[0];
    expect(scheduled).toMatchObject({ kind: 'K8sAPIRequestScheduled', requestId: 'r-1', assignedWorker: 'sched-b', requester: owner.toSuiAddress(), method: 'GET', resource: 'pods', namespace: 'production', priority: 5 });
    // sched-b now has one request in flight: the idle sched-c scores higher.
    const second = await request('r-2', 9);
    expect(second.events[0]).toMatchObject({ assignedWorker: 'sched-c' });

    await expectAbort(request('r-1'), 'ERequestExists');
    await expectAbort(
      fx.chain.submitK8sRequest({ signer: owner, requestId: 'r-3', method: 'DELETE', resource: 'nodes', namespace: '', name: 'x', payload: '', priority: 5 }),
      'EUnauthorizedRequest',
    );
    await expectAbort(
      fx.chain.submitK8sRequest({ signer: owner, requestId: 'r-4', method: 'FETCH', resource: 'pods', namespace: '', name: '', payload: '', priority: 5 }),
      'EInvalidRequest',
    );

    const result = await fx.chain.recordApiResult({ signer: fx.master, masterCapId: capId, requestId: 'r-1', success: true, output: 'ok', error: '', executionTimeMs: 12 });
    expect(result.events[0]).toMatchObject({ kind: 'K8sAPIResult', requestId: 'r-1', assignedWorker: 'sched-b', success: true, output: 'ok', executionTimeMs: 12 });
  });
});
