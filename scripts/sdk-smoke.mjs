#!/usr/bin/env node
// Proof that the chain is a real Sui node to the SDK: using only @mysten/sui (no project code),
// fund a fresh address from the faucet, register a worker against the published ids, and read both
// events back through listEvents. Works against the local chain or any network with a faucet.
//
//   node scripts/sdk-smoke.mjs <info.json>     (the JSON that k8s-daas-localchain prints)
import { readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { bcs } from '@mysten/sui/bcs';

const infoPath = process.argv[2];
if (!infoPath) {
  console.error('usage: node scripts/sdk-smoke.mjs <info.json>');
  process.exit(2);
}
const info = JSON.parse(readFileSync(infoPath, 'utf8'));
const client = new SuiGrpcClient({ network: 'localnet', baseUrl: info.rpcUrl });

const owner = new Ed25519Keypair();
await requestSuiFromFaucetV2({ host: info.faucetUrl, recipient: owner.toSuiAddress() });
const { balance } = await client.core.getBalance({ owner: owner.toSuiAddress() });
console.log(`funded ${owner.toSuiAddress()} with ${balance.balance} MIST`);

const nodeId = `smoke-${randomBytes(4).toString('hex')}`;
const seed = createHash('sha256').update(`k8s-daas/seal/v1:${randomBytes(32).toString('base64url')}`).digest();
const sealPubkey = Ed25519Keypair.fromSecretKey(new Uint8Array(seed)).getPublicKey().toRawBytes();

const tx = new Transaction();
const [stake] = tx.splitCoins(tx.gas, [1_000_000_000]);
tx.moveCall({
  target: `${info.packageId}::worker_registry::stake_and_register_worker`,
  arguments: [tx.object(info.registryId), stake, tx.pure.string(nodeId), tx.pure.vector('u8', Array.from(sealPubkey)), tx.object.clock()],
});
const result = await client.core.signAndExecuteTransaction({ transaction: tx, signer: owner, include: { events: true } });
if (result.$kind !== 'Transaction') {
  console.error('registration failed:', result.FailedTransaction.status.error?.message);
  process.exit(1);
}
console.log(`registered ${nodeId} in ${result.Transaction.digest}`);
await client.core.waitForTransaction({ digest: result.Transaction.digest });

const Registered = bcs.struct('WorkerRegisteredEvent', {
  node_id: bcs.string(), owner: bcs.Address, stake_amount: bcs.u64(), seal_pubkey: bcs.vector(bcs.u8()), timestamp: bcs.u64(),
});
const Deposited = bcs.struct('StakeDepositedEvent', { node_id: bcs.string(), owner: bcs.Address, amount: bcs.u64(), timestamp: bcs.u64() });

const found = [];
let after;
for (;;) {
  const page = await client.core.listEvents({ filter: { eventType: `${info.packageId}::worker_registry` }, after, limit: 50 });
  found.push(...page.events.filter((e) => e.transactionDigest === result.Transaction.digest));
  if (!page.hasNextPage) break;
  after = page.endCursor;
}
const registered = found.find((e) => e.eventType.endsWith('::worker_registry::WorkerRegisteredEvent'));
const deposited = found.find((e) => e.eventType.endsWith('::worker_registry::StakeDepositedEvent'));
if (!registered || !deposited) {
  console.error(`expected both events of ${result.Transaction.digest}, found ${found.map((e) => e.eventType).join(', ') || 'none'}`);
  process.exit(1);
}
const r = Registered.parse(registered.bcs);
const d = Deposited.parse(deposited.bcs);
console.log(`WorkerRegisteredEvent node_id=${r.node_id} owner=${r.owner} stake_amount=${r.stake_amount}`);
console.log(`StakeDepositedEvent node_id=${d.node_id} amount=${d.amount}`);
if (r.node_id !== nodeId || d.amount !== '1000000000' || r.owner !== owner.toSuiAddress()) process.exit(1);
console.log('sdk smoke: OK');
