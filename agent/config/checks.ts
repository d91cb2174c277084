/**
 * Rules that need more than one variable, or a file on disk. The loader runs each on just the
 * variables it reads, so its problem is reported beside problems elsewhere.
 */
import { ConfigError } from '../../shared/errors.ts';
import { readSecretFile } from '../../shared/config/resolve.ts';
import { loadSigningKey } from '../../shared/config/signing-key.ts';
import { isLoopbackHost } from './fields.ts';
import { ownerKeyOf, type OwnerKey } from './owner-key.ts';
import type { AgentConfigVariables } from './schema.ts';

/** `ws://` only to a loopback master or with K8S_DAAS_ALLOW_PLAINTEXT=1. Returns the problems, if any. */
export function checkPlaintext(v: Pick<AgentConfigVariables, 'K8S_DAAS_MASTER_URL' | 'K8S_DAAS_ALLOW_PLAINTEXT'>): ConfigError[] {
  const url = new URL(v.K8S_DAAS_MASTER_URL);
  if (url.protocol !== 'ws:' || v.K8S_DAAS_ALLOW_PLAINTEXT || isLoopbackHost(url.hostname)) return [];
  return [
    new ConfigError(
      'K8S_DAAS_MASTER_URL',
      `ws:// to ${url.hostname} would send the join token unencrypted; use wss://${url.host}${url.pathname.replace(/\/$/, '')}, ` +
        'or set K8S_DAAS_ALLOW_PLAINTEXT=1 on a network you trust (ws:// is allowed by default only for 127.0.0.0/8, ::1 and localhost)',
    ),
  ];
}

/**
 * The owner key, or undefined when neither SUI_PRIVATE_KEY nor SUI_KEYSTORE is set. A keystore must
 * be readable by its owner only (0600 or narrower) and hold exactly one key.
 * @throws ConfigError naming the variable and the fix.
 */
export function checkOwnerKey(v: Pick<AgentConfigVariables, 'SUI_PRIVATE_KEY' | 'SUI_KEYSTORE'>): OwnerKey | undefined {
  if (!v.SUI_PRIVATE_KEY && !v.SUI_KEYSTORE) return undefined;
  // With both set, loadSigningKey reports "not both" first; the file matters only when it is used.
  if (v.SUI_KEYSTORE && !v.SUI_PRIVATE_KEY) readSecretFile('SUI_KEYSTORE', v.SUI_KEYSTORE);
  return ownerKeyOf(loadSigningKey(v));
}
