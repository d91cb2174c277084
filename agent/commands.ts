/**
 * The one-shot commands: `register`, `status`, `seal-pubkey`, `new-seal-token`. Each runs, prints and
 * ends, so unlike `run` they may load whatever they need (the Sui SDK, the configuration schemas).
 * Their failures are DaasErrors: main.ts prints the message and exits 2 for `CONFIG`, else 1.
 */
import { newSealToken, sealPublicKey } from '../shared/chain/seal-key.ts';
import { readSecretFile } from '../shared/config/resolve.ts';
import { DaasError } from '../shared/errors.ts';
import { createLogger } from '../shared/logging/logger.ts';
import { loadAgentConfig, type AgentConfigSources } from './config/load.ts';
import { registerConfigured } from './startup/prepare.ts';
import { readAgentStatus } from './status-file.ts';

export { newSealToken };

/** Only the seal token is needed here, not a whole configuration. */
export function sealPubkey(sources: AgentConfigSources): void {
  const env = sources.env ?? {};
  const token = env.K8S_DAAS_SEAL_TOKEN_FILE ? readSecretFile('K8S_DAAS_SEAL_TOKEN_FILE', env.K8S_DAAS_SEAL_TOKEN_FILE) : env.K8S_DAAS_SEAL_TOKEN;
  if (!token) throw new DaasError('CONFIG', 'set K8S_DAAS_SEAL_TOKEN or K8S_DAAS_SEAL_TOKEN_FILE to the seal token');
  const hex = `0x${Buffer.from(sealPublicKey(token)).toString('hex')}`;
  process.stdout.write(`${hex}\n`);
}

export async function register(sources: AgentConfigSources): Promise<void> {
  const c = loadAgentConfig(sources);
  const { ownerKey } = c;
  if (!ownerKey) throw new DaasError('CONFIG', 'registering needs the owner key: set SUI_PRIVATE_KEY or SUI_KEYSTORE');
  const logger = createLogger({ level: c.logLevel, name: 'k8s-daas-agent' });
  const reg = await registerConfigured({ ...c, ownerKey }, logger);
  process.stdout.write(`node id:     ${reg.nodeId}\nowner:       ${reg.owner}\nstake:       ${reg.stakeMist} MIST\ndigest:      ${reg.digest ?? '(registered elsewhere)'}\nStakeProof:  ${reg.stakeProofId ?? '(see the registration transaction)'}\noutcome:     ${reg.outcome}\n`);
}

export async function status(sources: AgentConfigSources): Promise<void> {
  const c = loadAgentConfig(sources);
  const s = await readAgentStatus(c.stateDir);
  if (!s) throw new DaasError('AGENT_STATUS_MISSING', `no agent status in ${c.stateDir}: the agent has not run on this host (or K8S_DAAS_STATE_DIR differs)`);
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
