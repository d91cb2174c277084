/**
 * The agent's configuration: one schema keyed by the variable names of DESIGN.md, and the compiled
 * `AgentConfig` the rest of the agent receives (camelCase, every default applied).
 */
import { z } from 'zod';
import { commonConfigShape, type LogLevel, type SuiTransport } from '../../shared/config/common.ts';
import { flag } from '../../shared/config/fields.ts';
import type { OwnerKey } from './owner-key.ts';
import { DEFAULT_STAKE_MIST, DEFAULT_STATE_DIR, certSha256, k3sExtraArgs, masterUrl, nodeId, sealToken, stakeMist, stateDir } from './fields.ts';

/**
 * Every variable the agent reads. K8S_DAAS_SEAL_TOKEN_FILE and SUI_PRIVATE_KEY_FILE come with the
 * secrets (shared SECRET_KEYS); SUI_KEYSTORE's file is checked in checks.ts.
 */
export const agentConfigSchema = z.object({
  ...commonConfigShape,
  K8S_DAAS_MASTER_URL: masterUrl(),
  K8S_DAAS_NODE_ID: nodeId(),
  K8S_DAAS_SEAL_TOKEN: sealToken(),
  K8S_DAAS_STAKE_MIST: stakeMist().default(DEFAULT_STAKE_MIST),
  K8S_DAAS_STATE_DIR: stateDir().default(DEFAULT_STATE_DIR),
  K3S_EXTRA_ARGS: k3sExtraArgs().default(''),
  K8S_DAAS_MASTER_CA_SHA256: certSha256().optional(),
  K8S_DAAS_ALLOW_PLAINTEXT: flag().default(false),
});

export type AgentConfigVariables = z.output<typeof agentConfigSchema>;
export type AgentConfigVariable = keyof AgentConfigVariables;

/** The validated configuration, as the agent's parts receive it. */
export interface AgentConfig {
  /** SUI_RPC_URL / SUI_RPC_TRANSPORT. */
  sui: { url: string; transport: SuiTransport };
  /** K8S_DAAS_PACKAGE_ID / _REGISTRY_ID / _SCHEDULER_ID, normalized to 0x + 64 hex digits. */
  ids: { packageId: string; registryId: string; schedulerId: string };
  /** K8S_DAAS_MASTER_URL without a trailing slash; the agent connects to `<masterUrl>/v1/agent`. */
  masterUrl: string;
  /** K8S_DAAS_NODE_ID. */
  nodeId: string;
  /** K8S_DAAS_SEAL_TOKEN (or the content of K8S_DAAS_SEAL_TOKEN_FILE). A secret: never log it. */
  sealToken: string;
  /**
   * The owner key from SUI_PRIVATE_KEY or SUI_KEYSTORE; undefined when neither is set (the operator
   * registered from a wallet, so the agent skips registration).
   */
  ownerKey: OwnerKey | undefined;
  /** K8S_DAAS_STAKE_MIST, default 1000000000 (1 SUI), never below MIN_STAKE_AMOUNT. */
  stakeMist: bigint;
  /** K8S_DAAS_STATE_DIR, default /var/lib/k8s-daas-agent. */
  stateDir: string;
  /** K3S_BIN, default `k3s`. */
  k3sBin: string;
  /** K3S_EXTRA_ARGS as written (already checked to split and to avoid the agent's own flags); default ''. */
  k3sExtraArgs: string;
  /** K8S_DAAS_MASTER_CA_SHA256 as 64 lowercase hex digits, or undefined (no pin). */
  masterCaSha256: string | undefined;
  /** K8S_DAAS_ALLOW_PLAINTEXT, default false. */
  allowPlaintext: boolean;
  /** LOG_LEVEL, default `info`. */
  logLevel: LogLevel;
}

/**
 * What the running agent needs: all but the owner key, which only the startup step uses (to
 * register). Plain data, so it crosses from that step's process to the agent's (startup/prepare.ts).
 */
export type RunConfig = Omit<AgentConfig, 'ownerKey'>;

/** The compiled configuration from validated variables and the already loaded owner key. */
export function compileAgentConfig(v: AgentConfigVariables, ownerKey: OwnerKey | undefined): AgentConfig {
  return {
    sui: { url: v.SUI_RPC_URL, transport: v.SUI_RPC_TRANSPORT },
    ids: { packageId: v.K8S_DAAS_PACKAGE_ID, registryId: v.K8S_DAAS_REGISTRY_ID, schedulerId: v.K8S_DAAS_SCHEDULER_ID },
    masterUrl: v.K8S_DAAS_MASTER_URL,
    nodeId: v.K8S_DAAS_NODE_ID,
    sealToken: v.K8S_DAAS_SEAL_TOKEN,
    ownerKey,
    stakeMist: v.K8S_DAAS_STAKE_MIST,
    stateDir: v.K8S_DAAS_STATE_DIR,
    k3sBin: v.K3S_BIN,
    k3sExtraArgs: v.K3S_EXTRA_ARGS,
    masterCaSha256: v.K8S_DAAS_MASTER_CA_SHA256,
    allowPlaintext: v.K8S_DAAS_ALLOW_PLAINTEXT,
    logLevel: v.LOG_LEVEL,
  };
}
