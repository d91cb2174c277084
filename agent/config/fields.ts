/**
 * The agent's own configuration fields (DESIGN.md "Configuration"). Each one checks a single value
 * and says what to do about a bad one; rules that need two variables live in checks.ts.
 */
import { isAbsolute } from 'node:path';
import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { MIN_STAKE_AMOUNT, isValidNodeId } from '../../shared/chain/abi.ts';
import { MIN_SEAL_TOKEN_LENGTH } from '../../shared/chain/seal-seed.ts';
import { ConfigError } from '../../shared/errors.ts';
import { buildK3sAgentArgs } from '../k3s/args.ts';

type Problem = { ok: false; problem: string };
type Checked<T> = { ok: true; value: T } | Problem;
const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
const problem = (text: string): Problem => ({ ok: false, problem: text });

/** A string field whose check may phrase its problem from the value (parsedField has one fixed message). */
export function checkedField<T>(check: (raw: string) => Checked<T>) {
  return z.string().transform((raw, ctx): T => {
    const result = check(raw.trim());
    if (!result.ok) {
      ctx.addIssue({ code: 'custom', message: result.problem });
      return z.NEVER;
    }
    return result.value;
  });
}

export const DEFAULT_STAKE_MIST = MIN_STAKE_AMOUNT;
export const DEFAULT_STATE_DIR = '/var/lib/k8s-daas-agent';
const U64_MAX = 2n ** 64n - 1n;

/** K8S_DAAS_NODE_ID: a Kubernetes node name, as the contract checks it (EInvalidNodeId). */
export const nodeId = () =>
  checkedField((s) => {
    if (isValidNodeId(s)) return ok(s);
    const hint = suggestNodeId(s);
    return problem(
      "must be a Kubernetes node name: 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit" +
        (hint ? ` (e.g. ${hint})` : ''),
    );
  });

/** K8S_DAAS_SEAL_TOKEN: at least 32 characters; its length may be told, never its value. */
export const sealToken = () =>
  checkedField((s) =>
    s.length >= MIN_SEAL_TOKEN_LENGTH
      ? ok(s)
      : problem(
          `must be at least ${MIN_SEAL_TOKEN_LENGTH} characters (this one has ${s.length}); ` +
            'make one with `k8s-daas-agent new-seal-token`',
        ),
  );

/**
 * K8S_DAAS_MASTER_URL: a `wss://` (or `ws://`) base URL without credentials, query or fragment,
 * returned without a trailing slash. Whether `ws://` is allowed is decided in checks.ts.
 */
export const masterUrl = () =>
  checkedField((s) => {
    if (!URL.canParse(s)) return problem('must be a URL like wss://master.example.com:8443');
    const url = new URL(s);
    if (url.protocol === 'https:' || url.protocol === 'http:') {
      const ws = url.protocol === 'https:' ? 'wss' : 'ws';
      return problem(`must be a wss:// URL; write ${ws}://${url.host}${trimSlash(url.pathname)} (the agent speaks WebSocket)`);
    }
    if (url.protocol !== 'wss:' && url.protocol !== 'ws:') return problem('must be a wss:// URL like wss://master.example.com:8443');
    if (url.hostname === '') return problem('must name a host, like wss://master.example.com:8443');
    if (url.username || url.password) return problem('must not hold a user name or password');
    if (url.search || url.hash) return problem('must be a base URL without ?query or #fragment');
    return ok(`${url.protocol}//${url.host}${trimSlash(url.pathname)}`);
  });

/** K8S_DAAS_STAKE_MIST: whole MIST, at least the contract's minimum, at most u64. */
export const stakeMist = () =>
  checkedField((s) => {
    if (!/^\d+$/.test(s)) return problem('must be an amount in MIST, digits only (1 SUI = 1000000000 MIST)');
    const value = BigInt(s);
    if (value < MIN_STAKE_AMOUNT) {
      return problem(`must be at least ${MIN_STAKE_AMOUNT} MIST (1 SUI), the contract's minimum stake`);
    }
    return value > U64_MAX ? problem('must fit in a u64') : ok(value);
  });

/** K8S_DAAS_STATE_DIR: an absolute directory path. */
export const stateDir = () =>
  checkedField((s) => (isAbsolute(s) ? ok(s.replace(/(.)\/+$/, '$1')) : problem(`must be an absolute path, like ${DEFAULT_STATE_DIR}`)));

/** K8S_DAAS_MASTER_CA_SHA256: 64 hex digits, colons allowed (as openssl prints it); normalized to lowercase hex. */
export const certSha256 = () =>
  checkedField((s) => {
    const hex = s.replace(/:/g, '').toLowerCase();
    return /^[0-9a-f]{64}$/.test(hex)
      ? ok(hex)
      : problem(
          "must be the SHA-256 fingerprint of the master's certificate or CA: 64 hex digits, colons allowed " +
            '(openssl x509 -in cert.pem -noout -fingerprint -sha256)',
        );
  });

/**
 * K3S_EXTRA_ARGS: checked now by building a `k3s agent` argv with placeholder values, so unbalanced
 * quotes or a flag the agent owns (--token, --server, --node-name…) fail before anything starts.
 */
export const k3sExtraArgs = () =>
  checkedField((s) => {
    try {
      buildK3sAgentArgs({ serverUrl: 'https://k3s.invalid:6443', tokenFile: '/dev/null', nodeId: 'check', ownerAddress: '0x0', stakeMist: 0n, extraArgs: s });
      return ok(s);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return problem(err.message.replace(/^K3S_EXTRA_ARGS: /, ''));
    }
  });

/** True for a loopback host as URL.hostname renders it: 127.0.0.0/8, [::1], localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host === '[::1]') return true;
  // ::ffff:127.x.y.z, which the URL parser renders in hex (e.g. [::ffff:7f00:1]).
  if (/^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host)) return true;
  return isIPv4(host) && host.startsWith('127.');
}

function trimSlash(path: string): string {
  return path.replace(/\/+$/, '');
}

// A likely intended name for a near miss (My_Worker.01 → my-worker-01), or undefined.
function suggestNodeId(s: string): string | undefined {
  const guess = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return guess !== '' && guess !== s && isValidNodeId(guess) ? guess : undefined;
}
