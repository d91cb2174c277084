/**
 * The owner CLI's configuration: the chain endpoint and package, the owner's key, and optionally
 * the master's URL. Resolved like the other programs: environment > env file > defaults.
 */
import { z } from 'zod';
import type { ConfigError } from '../shared/errors.ts';
import { commonConfigShape } from '../shared/config/common.ts';
import { parsedField } from '../shared/config/fields.ts';
import { tryResolveConfig, type ConfigSources } from '../shared/config/resolve.ts';

/** `https://host:port` from `wss://`, `https://`, `ws://` or `http://`, without a trailing slash. */
const masterUrl = () =>
  parsedField('must be the master URL, wss://host:port or https://host:port', (s) => {
    if (!URL.canParse(s)) return undefined;
    const u = new URL(s);
    const protocol = { 'http:': 'http:', 'https:': 'https:', 'ws:': 'http:', 'wss:': 'https:' }[u.protocol];
    return protocol ? `${protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}` : undefined;
  });

export const cliConfigSchema = z.object({
  SUI_RPC_URL: commonConfigShape.SUI_RPC_URL,
  SUI_RPC_TRANSPORT: commonConfigShape.SUI_RPC_TRANSPORT,
  K8S_DAAS_PACKAGE_ID: commonConfigShape.K8S_DAAS_PACKAGE_ID,
  K8S_DAAS_REGISTRY_ID: commonConfigShape.K8S_DAAS_REGISTRY_ID,
  K8S_DAAS_SCHEDULER_ID: commonConfigShape.K8S_DAAS_SCHEDULER_ID,
  SUI_PRIVATE_KEY: commonConfigShape.SUI_PRIVATE_KEY,
  SUI_KEYSTORE: commonConfigShape.SUI_KEYSTORE,
  /** Optional: where to fetch full outputs of requests whose output the chain holds only in part. */
  K8S_DAAS_MASTER_URL: masterUrl().optional(),
});

export type CliConfig = z.output<typeof cliConfigSchema>;

/** The validated configuration, or every problem (each names its variable). */
export function loadCliConfig(sources: ConfigSources): { ok: true; config: CliConfig } | { ok: false; errors: ConfigError[] } {
  return tryResolveConfig(cliConfigSchema, sources);
}
