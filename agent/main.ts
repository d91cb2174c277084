/**
 * `k8s-daas-agent [run|register|status|seal-pubkey|new-seal-token] [--env-file FILE]`: parses,
 * validates and wires. The only place real adapters (chain client, k3s runner, host metrics) are built.
 */
import { parseArgs } from 'node:util';
import * as si from 'systeminformation';
import { systemClock } from '../shared/clock.ts';
import { createSuiClient } from '../shared/chain/sui-client.ts';
import { WorkerChain } from '../shared/chain/worker-chain.ts';
import { newSealToken, sealPublicKey } from '../shared/chain/seal-key.ts';
import { readSecretFile } from '../shared/config/resolve.ts';
import { DaasError } from '../shared/errors.ts';
import { createLogger } from '../shared/logging/logger.ts';
import { startAgent } from './agent.ts';
import { loadAgentConfig, type AgentConfigSources } from './config/load.ts';
import type { AgentConfig } from './config/schema.ts';
import { createExecaRunner } from './k3s/runner.ts';
import { createHostMetricsCollector } from './metrics/collector.ts';
import { registerOnce } from './registration/register-once.ts';
import { registrationStateFile } from './registration/state-file.ts';
import { readAgentStatus } from './status-file.ts';

const USAGE = `usage: k8s-daas-agent [command] [--env-file FILE]
commands:
  run             register once if needed, connect to the master, run k3s (default)
  register        register only; print the transaction digest and StakeProof id
  status          what this host's agent knows: node id, registration, master session, k3s
  seal-pubkey     print the seal public key of K8S_DAAS_SEAL_TOKEN(_FILE), for registering from a wallet
  new-seal-token  print a fresh random seal token`;
const DEFAULT_ENV_FILE = '/etc/k8s-daas/agent.env';

function fail(message: string, code = 1): never {
  process.stderr.write(`k8s-daas-agent: ${message.replace(/\n/g, '\nk8s-daas-agent: ')}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { 'env-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: false });
  const command = positionals[0] ?? 'run';
  if (values.help || command === 'help') return void process.stdout.write(`${USAGE}\n`);
  const sources: AgentConfigSources = { env: process.env, envFilePath: (values['env-file'] as string | undefined) ?? DEFAULT_ENV_FILE, envFileOptional: !values['env-file'] };
  switch (command) {
    case 'new-seal-token':
      return void process.stdout.write(`${newSealToken()}\n`);
    case 'seal-pubkey':
      return sealPubkey(sources);
    case 'status':
      return status(loadAgentConfig(sources));
    case 'register':
      return register(loadAgentConfig(sources));
    case 'run':
      return run(loadAgentConfig(sources));
    default:
      fail(`unknown command "${command}"\n${USAGE}`, 2);
  }
}

function chainOf(c: AgentConfig): WorkerChain {
  return new WorkerChain({ client: createSuiClient({ url: c.sui.url, transport: c.sui.transport }), ids: c.ids });
}

/** Only the seal token is needed here, not a whole configuration. */
function sealPubkey(sources: AgentConfigSources): void {
  const env = sources.env ?? {};
  const token = env.K8S_DAAS_SEAL_TOKEN_FILE ? readSecretFile('K8S_DAAS_SEAL_TOKEN_FILE', env.K8S_DAAS_SEAL_TOKEN_FILE) : env.K8S_DAAS_SEAL_TOKEN;
  if (!token) fail('set K8S_DAAS_SEAL_TOKEN or K8S_DAAS_SEAL_TOKEN_FILE to the seal token', 2);
  const hex = `0x${Buffer.from(sealPublicKey(token)).toString('hex')}`;
  process.stdout.write(`${hex}\n`);
}

async function register(c: AgentConfig): Promise<void> {
  if (!c.ownerKey) fail('registering needs the owner key: set SUI_PRIVATE_KEY or SUI_KEYSTORE', 2);
  const logger = createLogger({ level: c.logLevel, name: 'k8s-daas-agent' });
  const reg = await registerOnce({
    chain: chainOf(c),
    signer: c.ownerKey.signer(),
    nodeId: c.nodeId,
    sealPubkey: sealPublicKey(c.sealToken),
    stakeMist: c.stakeMist,
    stateFile: registrationStateFile(c.stateDir),
    logger,
  });
  process.stdout.write(`node id:     ${reg.nodeId}\nowner:       ${reg.owner}\nstake:       ${reg.stakeMist} MIST\ndigest:      ${reg.digest ?? '(registered elsewhere)'}\nStakeProof:  ${reg.stakeProofId ?? '(see the registration transaction)'}\noutcome:     ${reg.outcome}\n`);
}

async function status(c: AgentConfig): Promise<void> {
  const s = await readAgentStatus(c.stateDir);
  if (!s) fail(`no agent status in ${c.stateDir}: the agent has not run on this host (or K8S_DAAS_STATE_DIR differs)`);
  const age = Math.round((Date.now() - s.updatedAt) / 1000);
  const lines = [
    `node id:       ${s.nodeId}`,
    `registration:  ${s.registration ? `${s.registration.outcome} (tx ${s.registration.digest ?? 'n/a'}, owner ${s.registration.owner})` : 'not registered by this host'}`,
    `master:        ${s.session.state}${s.session.welcome ? ` (k3s server ${s.session.welcome.serverUrl})` : ''}${s.session.lastError ? `, last error: ${s.session.lastError.message}` : ''}`,
    `k3s:           ${s.k3s.state}${s.k3s.pid ? ` (pid ${s.k3s.pid})` : ''}, restarts ${s.k3s.restarts}${s.k3s.lastError ? `, last error: ${s.k3s.lastError}` : ''}`,
    `updated:       ${age}s ago${age > 30 ? ' (the agent may not be running)' : ''}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function run(c: AgentConfig): Promise<void> {
  const logger = createLogger({ level: c.logLevel, name: 'k8s-daas-agent' });
  const metrics = createHostMetricsCollector({ si, clock: systemClock, logger });
  void metrics.start();
  const agent = await startAgent({ config: c, chain: chainOf(c), runner: createExecaRunner({ bin: c.k3sBin }), metrics, clock: systemClock, logger });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'agent shutting down');
    agent.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // `on`, not `once`: execa's signal-exit re-raises a signal once no other listener is left.
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof DaasError) fail(err.message, err.code === 'CONFIG' ? 2 : 1);
  process.stderr.write(`k8s-daas-agent: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
