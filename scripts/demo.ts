/**
 * `npm run demo`: the whole flow on one machine — the local chain, the master (with a stand-in K3s
 * server token), and three agents, each with its own funded key and the fake `k3s`. It prints the
 * status page's address and the seed's log lines as the flow happens; Ctrl-C stops everything.
 * Stop one agent (its pid is printed) and the page shows it offline after the offline timeout.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import pino from 'pino';
import { requestSuiFromFaucetV2 } from '@mysten/sui/faucet';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { startLocalChain } from '../localchain/index.ts';
import { startMaster } from '../master/app.ts';
import { nodeTokenProvider } from '../master/tokens/join-tokens.ts';
import { systemClock } from '../shared/clock.ts';
import { createSuiClient } from '../shared/chain/sui-client.ts';
import { newSealToken } from '../shared/chain/seal-key.ts';
import { signerFromPrivateKey } from '../shared/chain/signer.ts';
import { WorkerChain } from '../shared/chain/worker-chain.ts';
import { demoPrinter, demoStream } from './demo-log.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);
const port = Number(process.env.DEMO_PORT ?? 0);
const offlineAfterMs = Number(process.env.DEMO_OFFLINE_AFTER_MS ?? 15_000);
const workDir = mkdtempSync(join(tmpdir(), 'k8s-daas-demo-'));
// A stand-in for /var/lib/rancher/k3s/server/node-token: the fake k3s accepts it.
const NODE_TOKEN = `K10${'de30'.repeat(16)}::server:demo0123456789abcdef`;

const chain = await startLocalChain({ port: Number(process.env.DEMO_CHAIN_PORT ?? 0), logger: pino({ level: 'warn' }, demoStream('chain')) });
const { info } = chain;
say(`⛓️  Local Sui chain at ${info.rpcUrl} — package ${info.packageId}`);

writeFileSync(join(workDir, 'node-token'), `${NODE_TOKEN}\n`, { mode: 0o600 });
const logger = pino({ level: 'info' }, demoStream('master'));
const master = await startMaster({
  masterId: 'demo-master',
  chain: new WorkerChain({ client: createSuiClient({ url: info.rpcUrl }), ids: info }),
  tokens: nodeTokenProvider({ file: join(workDir, 'node-token'), logger }),
  clock: systemClock,
  logger,
  dbPath: join(workDir, 'pool.db'),
  listen: { host: '127.0.0.1', port },
  serverUrl: 'https://127.0.0.1:6443',
  pollIntervalMs: 500,
  heartbeatIntervalMs: 2_000,
  offlineAfterMs,
  authTimeoutMs: 10_000,
  pendingTimeoutMs: 120_000,
  sweepSchedule: '* * * * * *',
  signer: signerFromPrivateKey(info.masterPrivateKey),
});
say(`📊 Status page: ${master.url}/`);

const agents: Array<{ nodeId: string; proc: ResultPromise }> = [];
for (const nodeId of ['my-worker-001', 'my-worker-002', 'my-worker-003']) {
  const key = new Ed25519Keypair();
  await requestSuiFromFaucetV2({ host: info.faucetUrl, recipient: key.toSuiAddress() });
  const proc = execa('node', [join(root, 'bin/k8s-daas-agent.mjs'), 'run'], {
    extendEnv: false,
    reject: false,
    env: {
      PATH: process.env.PATH ?? '',
      SUI_RPC_URL: info.rpcUrl,
      K8S_DAAS_PACKAGE_ID: info.packageId,
      K8S_DAAS_REGISTRY_ID: info.registryId,
      K8S_DAAS_SCHEDULER_ID: info.schedulerId,
      K8S_DAAS_MASTER_URL: master.url.replace(/^http/, 'ws'),
      K8S_DAAS_NODE_ID: nodeId,
      K8S_DAAS_SEAL_TOKEN: newSealToken(),
      SUI_PRIVATE_KEY: key.getSecretKey(),
      K8S_DAAS_STATE_DIR: join(workDir, nodeId),
      K3S_BIN: join(root, 'test/fixtures/fake-k3s.mjs'),
      FAKE_K3S_STEP_MS: '50',
      LOG_LEVEL: 'info',
    },
  });
  const print = demoPrinter(nodeId);
  proc.stdout?.on('data', print);
  proc.stderr?.on('data', print);
  agents.push({ nodeId, proc });
  say(`🖥️  Started agent ${nodeId} (pid ${proc.pid}); \`kill ${proc.pid}\` to see it go offline after ${offlineAfterMs / 1000} s`);
}

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('\n👋 Stopping the demo…');
  for (const a of agents) a.proc.kill('SIGTERM');
  await Promise.all(agents.map((a) => a.proc));
  await master.close();
  await chain.close();
  rmSync(workDir, { recursive: true, force: true });
  say('✅ Everything stopped.');
  process.exit(0);
}
// `on`, not `once`: execa's signal-exit re-raises a signal once no other listener is left.
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
