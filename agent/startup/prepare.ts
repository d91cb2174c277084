/**
 * The agent's startup step: validate the configuration, register on chain when the agent holds the
 * owner key (register-once.ts), and read the host's static facts (static-facts.ts). `run` does this
 * in a short-lived child process of its own (`k8s-daas-agent __prepare`, started by
 * prepare-child.ts), which answers over the IPC channel and exits: the Sui SDK and its chain client,
 * the configuration schemas and systeminformation — together some 20 MiB of resident memory — are
 * needed once, and would otherwise stay in the long-running process for good.
 *
 * The child speaks for itself: it logs to the agent's stdout and, when it fails, prints the error
 * and exits with the code `run` used to exit with (2 for configuration, 1 otherwise).
 */
import type { Logger } from 'pino';
import { createSuiClient } from '../../shared/chain/sui-client.ts';
import { WorkerChain } from '../../shared/chain/worker-chain.ts';
import { sealPublicKey } from '../../shared/chain/seal-key.ts';
import { DaasError } from '../../shared/errors.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import { loadAgentConfig, type AgentConfigSources } from '../config/load.ts';
import type { AgentConfig, RunConfig } from '../config/schema.ts';
import type { OwnerKey } from '../config/owner-key.ts';
import { readStaticHostFacts, type StaticHostFacts } from '../metrics/static-facts.ts';
import { registerOnce, type WorkerRegistration } from '../registration/register-once.ts';
import { registrationStateFile } from '../registration/state-file.ts';
import { PREPARE_COMMAND } from './prepare-child.ts';

export interface PreparedAgent {
  config: RunConfig;
  registration: WorkerRegistration | null;
}

/** What the child sends, in this order; `facts` may take longer (lspci, nvidia-smi) and must not hold up the session. */
export type PrepareMessage = { type: 'prepared'; prepared: PreparedAgent } | { type: 'facts'; facts: StaticHostFacts };

/** Registers the configured worker once (or finds its registration): the `register` command and this step. */
export function registerConfigured(c: AgentConfig & { ownerKey: OwnerKey }, logger: Logger): Promise<WorkerRegistration> {
  return registerOnce({
    chain: new WorkerChain({ client: createSuiClient({ url: c.sui.url, transport: c.sui.transport }), ids: c.ids }),
    signer: c.ownerKey.signer(),
    nodeId: c.nodeId,
    sealPubkey: sealPublicKey(c.sealToken),
    stakeMist: c.stakeMist,
    stateFile: registrationStateFile(c.stateDir),
    logger,
  });
}

/**
 * The child's side: does the step and sends the outcome to the parent, then exits 0. Throws what
 * the step throws (ConfigProblems, registration's DaasErrors): main.ts prints it and exits.
 */
export async function prepareChild(sources: AgentConfigSources): Promise<void> {
  if (!process.send) throw new DaasError('CONFIG', `${PREPARE_COMMAND} is internal: \`k8s-daas-agent run\` runs it as its child`);
  // The agent went away (killed while starting): so does its startup step, as it did when one process did both.
  process.once('disconnect', () => process.exit(1));
  const c = loadAgentConfig(sources);
  const logger = createLogger({ level: c.logLevel, name: 'k8s-daas-agent' });
  // Concurrently with registration, as the collector used to read them (graphics() may take seconds).
  const facts = import('systeminformation').then((si) => readStaticHostFacts(si));
  let registration: WorkerRegistration | null = null;
  const { ownerKey, ...config } = c;
  if (ownerKey) {
    registration = await registerConfigured({ ...c, ownerKey }, logger);
  } else {
    logger.info({ nodeId: c.nodeId }, 'no owner key configured: assuming the worker was registered from a wallet');
  }
  await send({ type: 'prepared', prepared: { config, registration } });
  await send({ type: 'facts', facts: await facts });
  // The chain client's keep-alive sockets would hold the process open for seconds.
  process.exit(0);
}

function send(message: PrepareMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, undefined, {}, (err: Error | null) => (err ? reject(err) : resolve())));
}
