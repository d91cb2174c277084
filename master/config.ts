/**
 * The master's configuration (DESIGN.md "Configuration"): one schema, resolved from flags >
 * environment > env file > defaults. Every problem is a ConfigError naming its variable.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { ConfigError } from '../shared/errors.ts';
import { commonConfigShape } from '../shared/config/common.ts';
import { oneOf, parsedField, positiveInt, text } from '../shared/config/fields.ts';
import { tryResolveConfig, type ConfigSources } from '../shared/config/resolve.ts';

/** `host:port` (IPv6 in brackets); port 0 picks a free port. */
const listen = () =>
  parsedField('must be host:port, e.g. 0.0.0.0:8443 or 127.0.0.1:0', (s) => {
    const m = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(s);
    if (!m || Number(m[2]) > 65535) return undefined;
    return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  });

const httpsUrl = () =>
  parsedField('must be the K3s server URL, https://host:6443', (s) => (URL.canParse(s) && new URL(s).protocol === 'https:' ? s.replace(/\/$/, '') : undefined));

export const masterConfigSchema = z.object({
  ...commonConfigShape,
  K8S_DAAS_LISTEN: listen().default({ host: '127.0.0.1', port: 8080 }),
  K8S_DAAS_TLS_CERT: text().optional(),
  K8S_DAAS_TLS_KEY: text().optional(),
  K3S_SERVER_URL: httpsUrl(),
  K3S_TOKEN_FILE: text().default('/var/lib/rancher/k3s/server/node-token'),
  K3S_TOKEN_MODE: oneOf(['node-token', 'bootstrap']).default('node-token'),
  /** Lifetime of per-worker bootstrap tokens (`k3s token create --ttl`). */
  K3S_TOKEN_TTL: parsedField('must be a duration like 24h or 30m', (s) => (/^\d+[smh]$/.test(s) ? s : undefined)).default('24h'),
  K3S_KUBECONFIG: text().default('/etc/rancher/k3s/k3s.yaml'),
  K8S_DAAS_DB: text().default('/var/lib/k8s-daas-master/pool.db'),
  K8S_DAAS_POLL_INTERVAL_MS: positiveInt().default(1000),
  K8S_DAAS_HEARTBEAT_INTERVAL_MS: positiveInt().default(10_000),
  K8S_DAAS_OFFLINE_AFTER_MS: positiveInt().default(40_000),
  /** How long an agent may take to answer the challenge. */
  K8S_DAAS_AUTH_TIMEOUT_MS: positiveInt().default(10_000),
  /** How long an authenticated agent may wait for its registration to appear on chain. */
  K8S_DAAS_PENDING_TIMEOUT_MS: positiveInt().default(120_000),
  /** Offline sweep schedule (node-cron, with seconds). */
  K8S_DAAS_SWEEP_SCHEDULE: text().default('*/5 * * * * *'),
  /** Names this master in challenges; agents sign it. */
  K8S_DAAS_MASTER_ID: text().default(hostname()),
});

export type MasterConfig = z.output<typeof masterConfigSchema>;

/** The validated configuration, or every problem found (each names its variable). */
export function loadMasterConfig(sources: ConfigSources): { ok: true; config: MasterConfig } | { ok: false; errors: ConfigError[] } {
  const result = tryResolveConfig(masterConfigSchema, sources);
  if (!result.ok) return result;
  const c = result.config;
  const errors: ConfigError[] = [];
  if (Boolean(c.K8S_DAAS_TLS_CERT) !== Boolean(c.K8S_DAAS_TLS_KEY)) {
    errors.push(new ConfigError(c.K8S_DAAS_TLS_CERT ? 'K8S_DAAS_TLS_KEY' : 'K8S_DAAS_TLS_CERT', 'set both K8S_DAAS_TLS_CERT and K8S_DAAS_TLS_KEY, or neither'));
  }
  if (c.K8S_DAAS_OFFLINE_AFTER_MS <= c.K8S_DAAS_HEARTBEAT_INTERVAL_MS) {
    errors.push(new ConfigError('K8S_DAAS_OFFLINE_AFTER_MS', `must be longer than K8S_DAAS_HEARTBEAT_INTERVAL_MS (${c.K8S_DAAS_HEARTBEAT_INTERVAL_MS}); 4× is usual`));
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: c };
}
