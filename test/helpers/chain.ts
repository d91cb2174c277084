/** Test helpers: a local chain per test file, funded keys, and a WorkerChain on it. */
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { startLocalChain } from '../../localchain/index.ts';
import { createSuiClient } from '../../shared/chain/sui-client.ts';
import { signerFromPrivateKey } from '../../shared/chain/signer.ts';
import { WorkerChain } from '../../shared/chain/worker-chain.ts';

export type LocalChain = Awaited<ReturnType<typeof startLocalChain>>;

export interface ChainFixture {
  local: LocalChain;
  chain: WorkerChain;
  master: ReturnType<typeof signerFromPrivateKey>;
  /** A new key with `times` faucet grants. */
  fundedKey(times?: number): Promise<Ed25519Keypair>;
  close(): Promise<void>;
}

export async function startChainFixture(): Promise<ChainFixture> {
  const local = await startLocalChain({ port: 0 });
  const { info } = local;
  const client = createSuiClient({ url: info.rpcUrl });
  const chain = new WorkerChain({ client, ids: info });
  return {
    local,
    chain,
    master: signerFromPrivateKey(info.masterPrivateKey),
    async fundedKey(times = 1) {
      const key = new Ed25519Keypair();
      for (let i = 0; i < times; i++) {
        await requestSuiFromFaucetV2({ host: info.faucetUrl, recipient: key.toSuiAddress() });
      }
      return key;
    },
    close: () => local.close(),
  };
}
