/** MoveCalls into the k8s_daas package through the unmodified SuiGrpcClient. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bcs } from '@mysten/sui/bcs';
import { SimulationError } from '@mysten/sui/client';
import { Transaction } from '@mysten/sui/transactions';
import { K8sAPIRequestScheduledEvent, K8sAPIResultEvent, StakeDepositedEvent, StakeProof, WorkerRegisteredEvent, WorkerStatusChangedEvent } from '../shared/chain/events.ts';
import { WorkerRegistryLayout } from './chain/package-objects.ts';
import { netGas, ONE_SUI, registrationTx, startTestChain, type TestChain } from './testing.ts';

let t: TestChain;
beforeAll(async () => {
  t = await startTestChain();
});
afterAll(() => t.close());

const ALL = { effects: true, events: true, balanceChanges: true, objectTypes: true } as const;

async function registryState() {
  const { object } = await t.client.getObject({ objectId: t.chain.info.registryId, include: { content: true } });
  return WorkerRegistryLayout.parse(object.content);
}

describe('worker_registry', () => {
  it('stake_and_register_worker emits both events and sends a StakeProof to the sender', async () => {
    const key = await t.funded();
    const pubkey = new Uint8Array(32).map((_, i) => i);
    const result = await t.client.signAndExecuteTransaction({ transaction: registrationTx(t.chain, 'worker-a', ONE_SUI, pubkey), signer: key, include: ALL });
    expect(result.$kind).toBe('Transaction');
    const events = result.Transaction!.events!;
    const pkg = t.chain.info.packageId;
    expect(events.map((e) => e.eventType)).toEqual([`${pkg}::worker_registry::WorkerRegisteredEvent`, `${pkg}::worker_registry::StakeDepositedEvent`]);
    const registered = WorkerRegisteredEvent.parse(events[0].bcs);
    expect(registered).toMatchObject({ node_id: 'worker-a', owner: key.toSuiAddress(), stake_amount: ONE_SUI.toString() });
    expect(Uint8Array.from(registered.seal_pubkey)).toEqual(pubkey);
    expect(StakeDepositedEvent.parse(events[1].bcs)).toMatchObject({ node_id: 'worker-a', amount: ONE_SUI.toString() });
    expect(events[0].json).toMatchObject({ node_id: 'worker-a', stake_amount: '1000000000', seal_pubkey: Buffer.from(pubkey).toString('base64') });
    expect(Number(registered.timestamp)).toBe(result.Transaction!.timestampMs);

    const proofs = await t.client.listOwnedObjects({ owner: key.toSuiAddress(), type: `${pkg}::worker_registry::StakeProof`, include: { content: true } });
    expect(proofs.objects).toHaveLength(1);
    expect(StakeProof.parse(proofs.objects[0].content)).toMatchObject({ node_id: 'worker-a', owner: key.toSuiAddress(), stake_amount: ONE_SUI.toString() });
    // A short-form filter on the package address finds it too.
    const short = await t.client.listOwnedObjects({ owner: key.toSuiAddress(), type: `${pkg}::worker_registry::StakeProof` });
    expect(short.objects).toHaveLength(1);
    expect((await registryState()).total_workers).toBe('1');
  });

  it('an abort surfaces at build time as a SimulationError with the MoveAbort', async () => {
    const key = await t.funded();
    const tx = registrationTx(t.chain, 'worker-cheap', ONE_SUI / 2n);
    tx.setSender(key.toSuiAddress());
    const err = await tx.build({ client: t.client }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimulationError);
    const exec = (err as SimulationError).executionError!;
    expect(exec.$kind).toBe('MoveAbort');
    expect(exec.MoveAbort).toMatchObject({ abortCode: '1', location: { module: 'worker_registry', functionName: 'stake_and_register_worker' } });
    expect(exec.command).toBe(1);
    expect((err as Error).message).toMatch(/^Transaction resolution failed: MoveAbort in 2nd command, abort code: 1/);
  });

  it('the same abort on pre-built bytes is a FailedTransaction: gas charged, nothing else changes', async () => {
    const key = await t.funded();
    const [coin] = (await t.client.listCoins({ owner: key.toSuiAddress() })).objects;
    const before = await registryState();
    const tx = new Transaction();
    tx.setSender(key.toSuiAddress());
    tx.setGasPayment([{ objectId: coin.objectId, version: coin.version, digest: coin.digest }]);
    tx.setGasPrice(1000);
    tx.setGasBudget(20_000_000);
    const [stake] = tx.splitCoins(tx.gas, [ONE_SUI / 2n]);
    tx.moveCall({
      target: `${t.chain.info.packageId}::worker_registry::stake_and_register_worker`,
      arguments: [
        tx.sharedObjectRef({ objectId: t.chain.info.registryId, initialSharedVersion: 2, mutable: true }),
        stake,
        tx.pure.string('worker-cheap'),
        tx.pure.vector('u8', new Array(32).fill(1)),
        tx.object.clock(),
      ],
    });
    const bytes = await tx.build();
    const { signature } = await key.signTransaction(bytes);
    const result = await t.client.executeTransaction({ transaction: bytes, signatures: [signature], include: ALL });
    expect(result.$kind).toBe('FailedTransaction');
    const failed = result.FailedTransaction!;
    expect(failed.status.error).toMatchObject({ $kind: 'MoveAbort', command: 1, MoveAbort: { abortCode: '1', location: { module: 'worker_registry', functionName: 'stake_and_register_worker' } } });
    expect(failed.events).toEqual([]);
    const gas = netGas(failed.effects!.gasUsed);
    expect(gas).toBeGreaterThan(0n);
    expect((await t.client.getBalance({ owner: key.toSuiAddress() })).balance.balance).toBe((100n * ONE_SUI - gas).toString());
    const after = await registryState();
    expect(after).toEqual(before);
    const txs = await t.client.getTransaction({ digest: failed.digest, include: { effects: true } });
    expect(txs.$kind).toBe('FailedTransaction');
    const effects = bcs.TransactionEffects.parse(failed.effects!.bcs!);
    expect(effects.V2?.status.Failure?.error.MoveAbort?.[1]).toBe('1');
    expect(effects.V2?.status.Failure?.command).toBe('1');
  });

  it('a view through simulateTransaction returns BCS command results', async () => {
    const tx = new Transaction();
    tx.moveCall({ target: `${t.chain.info.packageId}::worker_registry::get_pool_stats`, arguments: [tx.object(t.chain.info.registryId)] });
    tx.moveCall({ target: `${t.chain.info.packageId}::worker_registry::get_worker_status`, arguments: [tx.object(t.chain.info.registryId), tx.pure.string('worker-a')] });
    const sim = await t.client.simulateTransaction({ transaction: tx, include: { commandResults: true } });
    expect(sim.$kind).toBe('Transaction');
    const [stats, status] = sim.commandResults!;
    expect(stats.returnValues.map((v) => bcs.u64().parse(v.bcs!))).toEqual(['1', '0', ONE_SUI.toString()]);
    expect(bcs.string().parse(status.returnValues[0].bcs!)).toBe('pending');
  });

  it('the master key from the info can change a worker status with the MasterCap', async () => {
    const { info } = t.chain;
    expect(t.master.toSuiAddress()).toBe((await t.client.getObject({ objectId: info.masterCapId })).object.owner.AddressOwner);
    const tx = new Transaction();
    tx.moveCall({
      target: `${info.packageId}::worker_registry::set_worker_status`,
      arguments: [tx.object(info.registryId), tx.object(info.masterCapId), tx.pure.string('worker-a'), tx.pure.string('active'), tx.object.clock()],
    });
    const result = await t.client.signAndExecuteTransaction({ transaction: tx, signer: t.master, include: ALL });
    expect(result.$kind).toBe('Transaction');
    const [ev] = result.Transaction!.events!;
    expect(WorkerStatusChangedEvent.parse(ev.bcs)).toMatchObject({ node_id: 'worker-a', old_status: 'pending', new_status: 'active' });
    expect((await registryState()).active_workers).toBe('1');

    // Anyone else is refused before execution: the MasterCap is not theirs.
    const intruder = await t.funded();
    const steal = new Transaction();
    steal.moveCall({
      target: `${info.packageId}::worker_registry::set_worker_status`,
      arguments: [steal.object(info.registryId), steal.object(info.masterCapId), steal.pure.string('worker-a'), steal.pure.string('offline'), steal.object.clock()],
    });
    await expect(t.client.signAndExecuteTransaction({ transaction: steal, signer: intruder })).rejects.toThrow(/owned by account address/);
  });

  it('unstake consumes the StakeProof and returns the stake as a coin', async () => {
    const key = await t.funded();
    await t.client.signAndExecuteTransaction({ transaction: registrationTx(t.chain, 'worker-b', 2n * ONE_SUI), signer: key });
    const [proof] = (await t.client.listOwnedObjects({ owner: key.toSuiAddress(), type: `${t.chain.info.packageId}::worker_registry::StakeProof` })).objects;
    const tx = new Transaction();
    const [coin] = tx.moveCall({ target: `${t.chain.info.packageId}::worker_registry::unstake`, arguments: [tx.object(t.chain.info.registryId), tx.object(proof.objectId), tx.object.clock()] });
    tx.transferObjects([coin], key.toSuiAddress());
    const result = await t.client.signAndExecuteTransaction({ transaction: tx, signer: key, include: ALL });
    expect(result.$kind).toBe('Transaction');
    const changes = result.Transaction!.effects!.changedObjects;
    expect(changes.find((c) => c.objectId === proof.objectId)?.idOperation).toBe('Deleted');
    const coins = (await t.client.listCoins({ owner: key.toSuiAddress() })).objects;
    expect(coins.some((c) => c.balance === (2n * ONE_SUI).toString())).toBe(true);

    // Leaving the returned coin unused is refused, as Move refuses to drop a Coin.
    const k2 = await t.funded();
    await t.client.signAndExecuteTransaction({ transaction: registrationTx(t.chain, 'worker-c', ONE_SUI), signer: k2 });
    const [p2] = (await t.client.listOwnedObjects({ owner: k2.toSuiAddress(), type: `${t.chain.info.packageId}::worker_registry::StakeProof` })).objects;
    const drop = new Transaction();
    drop.moveCall({ target: `${t.chain.info.packageId}::worker_registry::unstake`, arguments: [drop.object(t.chain.info.registryId), drop.object(p2.objectId), drop.object.clock()] });
    drop.setSender(k2.toSuiAddress());
    await expect(drop.build({ client: t.client })).rejects.toThrow(/UnusedValueWithoutDrop/);
  });

  it('refuses calls outside the package with a clear message', async () => {
    const key = await t.funded();
    const tx = new Transaction();
    tx.moveCall({ target: '0x2::coin::value', typeArguments: ['0x2::sui::SUI'], arguments: [tx.gas] });
    tx.setSender(key.toSuiAddress());
    await expect(tx.build({ client: t.client })).rejects.toThrow(/runs only the k8s_daas package/);
  });
});

describe('k8s_scheduler', () => {
  it('schedules a request on the sender\'s active worker and records the master\'s result', async () => {
    const { info } = t.chain;
    const owner = await t.funded();
    await t.client.signAndExecuteTransaction({ transaction: registrationTx(t.chain, 'sched-worker', ONE_SUI), signer: owner });
    const activate = new Transaction();
    activate.moveCall({
      target: `${info.packageId}::worker_registry::set_worker_status`,
      arguments: [activate.object(info.registryId), activate.object(info.masterCapId), activate.pure.string('sched-worker'), activate.pure.string('active'), activate.object.clock()],
    });
    await t.client.signAndExecuteTransaction({ transaction: activate, signer: t.master });

    const submit = new Transaction();
    submit.moveCall({
      target: `${info.packageId}::k8s_scheduler::submit_k8s_request`,
      arguments: [
        submit.object(info.schedulerId),
        submit.object(info.registryId),
        ...['req-1', 'GET', 'pods', 'default', 'web', '{}'].map((v) => submit.pure.string(v)),
        submit.pure.u8(9),
        submit.object.clock(),
      ],
    });
    const scheduled = await t.client.signAndExecuteTransaction({ transaction: submit, signer: owner, include: ALL });
    expect(scheduled.$kind).toBe('Transaction');
    const ev = K8sAPIRequestScheduledEvent.parse(scheduled.Transaction!.events![0].bcs);
    expect(ev).toMatchObject({ request_id: 'req-1', assigned_worker: 'sched-worker', requester: owner.toSuiAddress(), priority: 9 });
    expect(scheduled.Transaction!.events![0].json).toMatchObject({ priority: 9, request_id: 'req-1' });
    // The registry is only read (&WorkerRegistry): it is not written, the scheduler is.
    const effects = scheduled.Transaction!.effects!;
    expect(effects.unchangedConsensusObjects.map((o) => o.objectId)).toContain(info.registryId);
    expect(effects.changedObjects.map((o) => o.objectId)).toContain(info.schedulerId);
    expect(effects.changedObjects.map((o) => o.objectId)).not.toContain(info.registryId);

    const record = new Transaction();
    record.moveCall({
      target: `${info.packageId}::k8s_scheduler::record_api_result`,
      arguments: [
        record.object(info.schedulerId),
        record.object(info.masterCapId),
        record.pure.string('req-1'),
        record.pure.bool(true),
        record.pure.string('pod/web'),
        record.pure.string(''),
        record.pure.u64(42),
        record.object.clock(),
      ],
    });
    const recorded = await t.client.signAndExecuteTransaction({ transaction: record, signer: t.master, include: ALL });
    expect(K8sAPIResultEvent.parse(recorded.Transaction!.events![0].bcs)).toMatchObject({ request_id: 'req-1', success: true, execution_time_ms: '42' });
    expect(recorded.Transaction!.events![0].json).toMatchObject({ success: true, execution_time_ms: '42' });
  });
});
