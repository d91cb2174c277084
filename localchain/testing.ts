/**
 * Helpers for the local chain's own tests: a chain on 127.0.0.1:0 with a real SuiGrpcClient,
 * funded keys, and the registration PTB the agent sends.
 */
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { SuiGrpcClient } from '@mysten/sui/grpc';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Transaction } from '@mysten/sui/transactions';
import { startLocalChain, type LocalChain, type LocalChainOptions } from './index.ts';

export const ONE_SUI = 1_000_000_000n;

export interface TestChain {
  chain: LocalChain;
  client: SuiGrpcClient;
  master: Ed25519Keypair;
  /** A new key holding `grants` faucet grants (100 SUI each). */
  funded(grants?: number): Promise<Ed25519Keypair>;
  close(): Promise<void>;
}

export async function startTestChain(opts: LocalChainOptions = {}): Promise<TestChain> {
  const chain = await startLocalChain({ port: 0, ...opts });
  const client = new SuiGrpcClient({ network: 'localnet', baseUrl: chain.info.rpcUrl });
  return {
    chain,
    client,
    master: Ed25519Keypair.fromSecretKey(chain.info.masterPrivateKey),
    async funded(grants = 1) {
      const key = new Ed25519Keypair();
      for (let i = 0; i < grants; i++) await requestSuiFromFaucetV2({ host: chain.info.faucetUrl, recipient: key.toSuiAddress() });
      return key;
    },
    close: () => chain.close(),
  };
}

/** The agent's registration: stake `stakeMist` split from the gas coin. */
export function registrationTx(chain: LocalChain, nodeId: string, stakeMist: bigint, pubkey = new Uint8Array(32).fill(7)): Transaction {
  const tx = new Transaction();
  const [stake] = tx.splitCoins(tx.gas, [stakeMist]);
  tx.moveCall({
    target: `${chain.info.packageId}::worker_registry::stake_and_register_worker`,
    arguments: [tx.object(chain.info.registryId), stake, tx.pure.string(nodeId), tx.pure.vector('u8', Array.from(pubkey)), tx.object.clock()],
  });
  return tx;
}

/** Sum of the gas summary a transaction paid (computation + storage − rebate). */
export function netGas(gas: { computationCost: string; storageCost: string; storageRebate: string }): bigint {
  return BigInt(gas.computationCost) + BigInt(gas.storageCost) - BigInt(gas.storageRebate);
}
