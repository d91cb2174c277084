/**
 * The benchmark's chain: a local chain in this process holding N workers registered the way agents
 * do (`stake_and_register_worker`), ten per owner address (the contract's cap) in one programmable
 * transaction per owner, so 10,000 workers cost 1,000 transactions, not 10,000.
 *
 * The local chain re-serializes the whole registry in every transaction, so registering 10,000
 * workers takes minutes (it grows quadratically). The registered chain is therefore saved once
 * per N under the cache directory and reused by later runs (`--fresh-chain` rebuilds it); each run
 * works on a copy, and a fresh master reads all of its events from the start.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { startLocalChain, type LocalChain } from '../../localchain/index.ts';
import { saveLedger } from '../../localchain/chain/persistence.ts';
import { createSuiClient } from '../../shared/chain/sui-client.ts';
import { WORKER_REGISTRY } from '../../shared/chain/abi.ts';
import { MoveAbortError } from '../../shared/chain/chain-errors.ts';
import { WorkerChain } from '../../shared/chain/worker-chain.ts';
import { benchNodeId, WORKERS_PER_OWNER } from './workers.ts';

const MIST_PER_SUI = 1_000_000_000n;
/** The contract's minimum stake (1 SUI). */
const STAKE_MIST = MIST_PER_SUI;
/** What each owner receives: ten stakes plus gas for one ten-call transaction, with room. */
const OWNER_FUNDING_MIST = BigInt(WORKERS_PER_OWNER) * STAKE_MIST + 2n * MIST_PER_SUI;
/** Owners funded per distribution transaction (two commands each, far below Sui's 1,024). */
const OWNERS_PER_FUNDING_TX = 200;
/** Covers a ten-registration or a 200-transfer transaction several times over; the rest is refunded. */
const GAS_BUDGET_MIST = MIST_PER_SUI;
/** The local chain's reference gas price. */
const GAS_PRICE_MIST = 1000n;
/** Registration transactions in flight at once. */
const CONCURRENCY = 6;
/** Bump when the bench workers' names or keys change: old cache files are then ignored. */
const CACHE_VERSION = 'v1';

export interface BenchChain {
  local: LocalChain;
  chain: WorkerChain;
  /** True when the chain came from the cache. */
  cached: boolean;
  /** Wall time spent registering (0 when cached). */
  registerMs: number;
  close(): Promise<void>;
}

export interface OpenChainOptions {
  workers: number;
  /** Seal public key of worker `index` (called only when the chain must be built). */
  pubkeys: () => Promise<readonly Uint8Array[]>;
  cacheDir: string;
  fresh?: boolean;
  progress?: (done: number) => void;
}

/** A local chain with workers 0…workers-1 registered, from the cache or built now. Throws on any chain error. */
export async function openBenchChain(o: OpenChainOptions): Promise<BenchChain> {
  mkdirSync(o.cacheDir, { recursive: true });
  const cacheFile = join(o.cacheDir, `chain-${CACHE_VERSION}-${o.workers}.json`);
  const runFile = join(o.cacheDir, `run-${process.pid}-${o.workers}.json`);
  rmSync(runFile, { force: true });
  let cached = !o.fresh && existsSync(cacheFile);
  let registerMs = 0;
  if (!cached) {
    const local = await startLocalChain({ port: 0, host: '127.0.0.1', faucetAmountMist: fundingFor(o.workers) });
    const chain = new WorkerChain({ client: createSuiClient({ url: local.info.rpcUrl }), ids: local.info });
    registerMs = await registerWorkers(local, chain, await o.pubkeys(), o.progress);
    await local.close();
    saveLedger(cacheFile, local.node.ledger.data);
  }
  copyFileSync(cacheFile, runFile);
  const local = await startLocalChain({ port: 0, host: '127.0.0.1', stateFile: runFile });
  const chain = new WorkerChain({ client: createSuiClient({ url: local.info.rpcUrl }), ids: local.info });
  const last = await chain.findRegistration(benchNodeId(o.workers - 1));
  const beyond = await chain.findRegistration(benchNodeId(o.workers));
  if (!last || beyond) {
    await local.close();
    rmSync(runFile, { force: true });
    if (cached) return openBenchChain({ ...o, fresh: true });
    throw new Error(`the bench chain does not hold exactly ${o.workers} workers`);
  }
  return {
    local,
    chain,
    cached,
    registerMs,
    close: async () => {
      await local.close();
      rmSync(runFile, { force: true });
    },
  };
}

function fundingFor(workers: number): bigint {
  return BigInt(Math.ceil(workers / WORKERS_PER_OWNER) + 10) * OWNER_FUNDING_MIST;
}

/** Registers workers 0…pubkeys.length-1; returns the wall time. Throws the first chain error. */
async function registerWorkers(local: LocalChain, chain: WorkerChain, pubkeys: readonly Uint8Array[], progress?: (done: number) => void): Promise<number> {
  const started = performance.now();
  const funder = new Ed25519Keypair();
  await requestSuiFromFaucetV2({ host: local.info.faucetUrl, recipient: funder.toSuiAddress() });
  const groups: Array<{ owner: Ed25519Keypair; first: number; keys: readonly Uint8Array[] }> = [];
  for (let i = 0; i < pubkeys.length; i += WORKERS_PER_OWNER) {
    groups.push({ owner: new Ed25519Keypair(), first: i, keys: pubkeys.slice(i, i + WORKERS_PER_OWNER) });
  }
  for (let i = 0; i < groups.length; i += OWNERS_PER_FUNDING_TX) {
    await fundOwners(chain, funder, groups.slice(i, i + OWNERS_PER_FUNDING_TX).map((g) => g.owner.toSuiAddress()));
  }
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < groups.length) {
      const g = groups[next++];
      await withRetry(() => registerGroup(chain, g.owner, g.first, g.keys), async () => (await chain.findRegistration(benchNodeId(g.first))) !== null);
      done += g.keys.length;
      progress?.(done);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return performance.now() - started;
}

/**
 * Runs `op`, retrying transport failures (the busy local chain sometimes drops a keep-alive socket).
 * A transaction sent but unanswered may have executed: `landed` says so, and then it is not resent.
 */
async function withRetry(op: () => Promise<void>, landed: () => Promise<boolean>, attempts = 4): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await op();
    } catch (err) {
      if (i >= attempts || err instanceof MoveAbortError) throw err;
      await new Promise((r) => setTimeout(r, 500 * i));
      if (await landed()) return;
    }
  }
}

function fixedGas(tx: Transaction): Transaction {
  // A fixed budget skips the SDK's dry run: one round trip and one execution fewer per transaction.
  tx.setGasBudget(GAS_BUDGET_MIST);
  tx.setGasPrice(GAS_PRICE_MIST);
  return tx;
}

async function fundOwners(chain: WorkerChain, funder: Ed25519Keypair, owners: readonly string[]): Promise<void> {
  const tx = fixedGas(new Transaction());
  const coins = tx.splitCoins(
    tx.gas,
    owners.map(() => tx.pure.u64(OWNER_FUNDING_MIST)),
  );
  owners.forEach((owner, i) => tx.transferObjects([coins[i]], tx.pure.address(owner)));
  await chain.execute(tx, funder);
}

async function registerGroup(chain: WorkerChain, owner: Ed25519Keypair, first: number, keys: readonly Uint8Array[]): Promise<void> {
  const tx = fixedGas(new Transaction());
  const stakes = tx.splitCoins(
    tx.gas,
    keys.map(() => tx.pure.u64(STAKE_MIST)),
  );
  keys.forEach((key, i) => {
    tx.moveCall({
      target: `${chain.ids.packageId}::${WORKER_REGISTRY}::stake_and_register_worker`,
      arguments: [tx.object(chain.ids.registryId), stakes[i], tx.pure.string(benchNodeId(first + i)), tx.pure.vector('u8', Array.from(key)), tx.object.clock()],
    });
  });
  await chain.execute(tx, owner);
}
