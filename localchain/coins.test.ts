/** Coins, gas, reads and transaction checks through the unmodified SuiGrpcClient. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bcs } from '@mysten/sui/bcs';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { RpcError } from '@mysten/sui/grpc';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { SerialTransactionExecutor, Transaction } from '@mysten/sui/transactions';
import { SimulationError, TransactionError, ObjectError } from '@mysten/sui/client';
import { netGas, ONE_SUI, startTestChain, type TestChain } from './testing.ts';

let t: TestChain;
beforeAll(async () => {
  t = await startTestChain();
});
afterAll(() => t.close());

describe('faucet and balances', () => {
  it('funds an address through a real transaction; getBalance and listCoins agree', async () => {
    const key = new Ed25519Keypair();
    const reply = await requestSuiFromFaucetV2({ host: t.chain.info.faucetUrl, recipient: key.toSuiAddress() });
    expect(reply.status).toBe('Success');
    const [sent] = reply.coins_sent!;
    expect(sent.amount).toBe(100 * 1e9);
    const { balance } = await t.client.getBalance({ owner: key.toSuiAddress() });
    expect(balance.balance).toBe('100000000000');
    expect(balance.coinBalance).toBe('100000000000');
    const coins = await t.client.listCoins({ owner: key.toSuiAddress() });
    expect(coins.objects.map((c) => c.objectId)).toEqual([sent.id]);
    expect(coins.objects[0].balance).toBe('100000000000');
    expect(coins.hasNextPage).toBe(false);
    const grant = await t.client.getTransaction({ digest: sent.transferTxDigest, include: { balanceChanges: true } });
    expect(grant.Transaction?.balanceChanges).toContainEqual(expect.objectContaining({ address: key.toSuiAddress(), amount: '100000000000' }));
    const { balances } = await t.client.listBalances({ owner: key.toSuiAddress() });
    expect(balances).toEqual([expect.objectContaining({ balance: '100000000000' })]);
  });

  it('refuses a bad recipient with a Failure the SDK turns into an error', async () => {
    await expect(requestSuiFromFaucetV2({ host: t.chain.info.faucetUrl, recipient: 'not-an-address' })).rejects.toThrow(/Faucet request failed: Invalid request/);
  });
});

describe('transactions', () => {
  it('executes splitCoins + transferObjects, moves balances and charges gas', async () => {
    const key = await t.funded();
    const to = new Ed25519Keypair().toSuiAddress();
    const tx = new Transaction();
    const [coin] = tx.splitCoins(tx.gas, [3n * ONE_SUI]);
    tx.transferObjects([coin], to);
    const result = await t.client.signAndExecuteTransaction({
      transaction: tx,
      signer: key,
      include: { effects: true, events: true, balanceChanges: true, objectTypes: true },
    });
    expect(result.$kind).toBe('Transaction');
    const done = result.Transaction!;
    expect(done.digest).toBe(await tx.getDigest());
    expect(done.status).toEqual({ success: true, error: null });
    expect(done.events).toEqual([]);
    const gas = netGas(done.effects!.gasUsed);
    expect(gas).toBeGreaterThan(0n);
    expect(done.balanceChanges).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ address: to, amount: (3n * ONE_SUI).toString() }),
        expect.objectContaining({ address: key.toSuiAddress(), amount: (-(3n * ONE_SUI) - gas).toString() }),
      ]),
    );
    const created = done.effects!.changedObjects.find((c) => c.idOperation === 'Created')!;
    expect(done.objectTypes![created.objectId]).toMatch(/::coin::Coin<0x0+2::sui::SUI>$/);
    expect((await t.client.getBalance({ owner: to })).balance.balance).toBe((3n * ONE_SUI).toString());
    expect((await t.client.getBalance({ owner: key.toSuiAddress() })).balance.balance).toBe((100n * ONE_SUI - 3n * ONE_SUI - gas).toString());

    // The effects BCS is what the SDK's caching executors parse.
    const parsed = bcs.TransactionEffects.parse(done.effects!.bcs!);
    expect(parsed.V2?.transactionDigest).toBe(done.digest);
    expect(parsed.V2?.changedObjects).toHaveLength(done.effects!.changedObjects.length);

    const read = await t.client.getTransaction({ digest: done.digest, include: { transaction: true, bcs: true } });
    expect(read.Transaction!.bcs).toEqual(await tx.build());
    expect(read.Transaction!.transaction!.commands.map((c) => Object.keys(c).find((k) => k !== '$kind'))).toEqual(['SplitCoins', 'TransferObjects']);
    expect(read.Transaction!.transaction!.sender).toBe(key.toSuiAddress());

    const waited = await t.client.waitForTransaction({ digest: done.digest, include: { effects: true } });
    expect(waited.Transaction?.checkpoint).toBe(done.checkpoint);
    expect(waited.Transaction?.effects?.gasUsed).toEqual(done.effects!.gasUsed);
  });

  it('merges coins and pays gas with several coins', async () => {
    const key = await t.funded(3);
    const coins = (await t.client.listCoins({ owner: key.toSuiAddress() })).objects;
    expect(coins).toHaveLength(3);
    const first = await t.client.listCoins({ owner: key.toSuiAddress(), limit: 2 });
    expect(first).toMatchObject({ hasNextPage: true, cursor: expect.any(String) });
    const second = await t.client.listCoins({ owner: key.toSuiAddress(), limit: 2, cursor: first.cursor });
    expect(second).toMatchObject({ hasNextPage: false, cursor: null });
    expect([...first.objects, ...second.objects].map((c) => c.objectId)).toEqual(coins.map((c) => c.objectId));
    const anyCoin = await t.client.listOwnedObjects({ owner: key.toSuiAddress(), type: '0x2::coin::Coin' });
    expect(anyCoin.objects).toHaveLength(3);
    const tx = new Transaction();
    tx.mergeCoins(tx.gas, [tx.object(coins[0].objectId)]);
    const result = await t.client.signAndExecuteTransaction({ transaction: tx, signer: key, include: { effects: true } });
    expect(result.$kind).toBe('Transaction');
    const after = (await t.client.listCoins({ owner: key.toSuiAddress() })).objects;
    expect(after).toHaveLength(1);
    expect(BigInt(after[0].balance)).toBe(300n * ONE_SUI - netGas(result.Transaction!.effects!.gasUsed));
  });

  it('works with the SDK\'s SerialTransactionExecutor, which learns object versions from the effects BCS', async () => {
    const key = await t.funded();
    const executor = new SerialTransactionExecutor({ client: t.client, signer: key });
    const to = new Ed25519Keypair().toSuiAddress();
    for (let i = 0; i < 3; i++) {
      const tx = new Transaction();
      tx.transferObjects([tx.splitCoins(tx.gas, [ONE_SUI])], to);
      const r = await executor.executeTransaction(tx, { effects: true });
      expect(r.$kind).toBe('Transaction');
    }
    expect((await t.client.getBalance({ owner: to })).balance.balance).toBe((3n * ONE_SUI).toString());
  });

  it('reports unknown digests and objects the way the SDK expects', async () => {
    await expect(t.client.getTransaction({ digest: 'GZdEQqSggVvG1KV9NAdNJFiq5LpDbaTxSSTzbBZLQ6Yb' })).rejects.toBeInstanceOf(TransactionError);
    const { objects } = await t.client.getObjects({ objectIds: [`0x${'ab'.repeat(32)}`, t.chain.info.registryId] });
    expect(objects[0]).toBeInstanceOf(ObjectError);
    expect((objects[0] as ObjectError).code).toBe('notExists');
    expect(objects[1]).toMatchObject({ objectId: t.chain.info.registryId, owner: { $kind: 'Shared', Shared: { initialSharedVersion: '2' } } });
  });

  it('refuses a stale object version, a bad signature and garbage bytes with INVALID_ARGUMENT', async () => {
    const key = await t.funded();
    const [coin] = (await t.client.listCoins({ owner: key.toSuiAddress() })).objects;
    const build = (version: string) => {
      const tx = new Transaction();
      tx.setSender(key.toSuiAddress());
      tx.setGasPayment([{ objectId: coin.objectId, version, digest: coin.digest }]);
      tx.setGasPrice(1000);
      tx.setGasBudget(10_000_000);
      tx.transferObjects([tx.splitCoins(tx.gas, [1])], key.toSuiAddress());
      return tx.build();
    };
    const bytes = await build(coin.version);
    const stranger = new Ed25519Keypair();
    const forged = (await stranger.signTransaction(bytes)).signature;
    const err1 = await t.client.executeTransaction({ transaction: bytes, signatures: [forged] }).catch((e: unknown) => e);
    expect(err1).toBeInstanceOf(RpcError);
    expect((err1 as RpcError).code).toBe('INVALID_ARGUMENT');

    const tampered = (await key.signTransaction(bytes)).signature.replace(/^(.{10})./, (_m, p: string) => `${p}${p.endsWith('A') ? 'B' : 'A'}`);
    const err2 = await t.client.executeTransaction({ transaction: bytes, signatures: [tampered] }).catch((e: unknown) => e);
    expect((err2 as RpcError).code).toBe('INVALID_ARGUMENT');
    expect((err2 as RpcError).message).toMatch(/Signature is not valid/);

    const garbage = await t.client.executeTransaction({ transaction: new Uint8Array([1, 2, 3, 4]), signatures: [forged] }).catch((e: unknown) => e);
    expect((garbage as RpcError).code).toBe('INVALID_ARGUMENT');

    const stale = await build(String(BigInt(coin.version) - 1n));
    const err3 = await t.client.executeTransaction({ transaction: stale, signatures: [(await key.signTransaction(stale)).signature] }).catch((e: unknown) => e);
    expect((err3 as RpcError).code).toBe('INVALID_ARGUMENT');
    expect((err3 as RpcError).message).toMatch(/not available for consumption, current version/);

    // The genuine transaction still works, once; executing it again returns the same result.
    const sig = (await key.signTransaction(bytes)).signature;
    const ok = await t.client.executeTransaction({ transaction: bytes, signatures: [sig], include: { effects: true } });
    const again = await t.client.executeTransaction({ transaction: bytes, signatures: [sig], include: { effects: true } });
    expect(ok.$kind).toBe('Transaction');
    expect(again.Transaction?.digest).toBe(ok.Transaction?.digest);
  });

  it('fails with InsufficientGas when the budget is too small, charging at most the budget', async () => {
    const key = await t.funded();
    const [coin] = (await t.client.listCoins({ owner: key.toSuiAddress() })).objects;
    const tx = new Transaction();
    tx.setSender(key.toSuiAddress());
    tx.setGasPayment([{ objectId: coin.objectId, version: coin.version, digest: coin.digest }]);
    tx.setGasPrice(1000);
    tx.setGasBudget(1_000_000);
    tx.transferObjects([tx.splitCoins(tx.gas, [ONE_SUI])], new Ed25519Keypair().toSuiAddress());
    const bytes = await tx.build();
    const result = await t.client.executeTransaction({ transaction: bytes, signatures: [(await key.signTransaction(bytes)).signature], include: { effects: true } });
    expect(result.$kind).toBe('FailedTransaction');
    expect(result.FailedTransaction!.status.error?.message).toMatch(/InsufficientGas/);
    const charged = netGas(result.FailedTransaction!.effects!.gasUsed);
    expect(charged).toBeGreaterThan(0n);
    expect(charged).toBeLessThanOrEqual(1_000_000n);
    expect((await t.client.getBalance({ owner: key.toSuiAddress() })).balance.balance).toBe((100n * ONE_SUI - charged).toString());
  });

  it('fails gas selection like a real node when the sender cannot pay', async () => {
    const poor = new Ed25519Keypair();
    const tx = new Transaction();
    tx.setSender(poor.toSuiAddress());
    tx.transferObjects([tx.splitCoins(tx.gas, [1])], poor.toSuiAddress());
    const err = await tx.build({ client: t.client }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimulationError);
    expect((err as Error).message).toMatch(/Unable to perform gas selection due to insufficient SUI balance for account 0x[0-9a-f]{64} to satisfy required budget \d+/);
  });

  it('answers chain identity, gas price and unimplemented methods', async () => {
    const { chainIdentifier } = await t.client.core.getChainIdentifier();
    expect(chainIdentifier).toMatch(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
    expect((await t.client.getReferenceGasPrice()).referenceGasPrice).toBe('1000');
    const err = await t.client.core.listDynamicFields({ parentId: t.chain.info.registryId }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe('UNIMPLEMENTED');
  });
});
