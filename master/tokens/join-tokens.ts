/**
 * Where join tokens come from (DESIGN.md "Join tokens"): the K3s server's node-token file, or a
 * per-worker bootstrap token from `k3s token create` (revocable, so preferred). Tokens are never
 * logged beyond `tokenPreview`.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { execa } from 'execa';
import { DaasError } from '../../shared/errors.ts';
import { tokenPreview } from '../../shared/logging/logger.ts';

export interface JoinTokenProvider {
  /** A token that lets `nodeId` join. Throws DaasError `JOIN_TOKEN` when none can be made. */
  tokenFor(nodeId: string): Promise<string>;
  /** Withdraws what was issued to `nodeId` (slashed, deregistered); a no-op for the shared node token. */
  revoke(nodeId: string): Promise<void>;
}

// `K10<CA hash>::<user>:<password>` (node-token) or `K10<CA hash>::<id>.<secret>` (bootstrap).
const FULL_TOKEN = /^K10[0-9a-f]{64}::(?:[^\s:]+:\S+|[a-z0-9]{6}\.[a-z0-9]{16})$/;
const SHORT_TOKEN = /^[^\s:]+$|^[^\s:]+:[^\s]+$/;

/** Checks a token's shape: `full` carries the CA hash agents pin; `short` does not. */
export function classifyToken(token: string): 'full' | 'short' | 'invalid' {
  if (FULL_TOKEN.test(token)) return 'full';
  if (!token.startsWith('K10') && SHORT_TOKEN.test(token)) return 'short';
  return 'invalid';
}

/** `K3S_TOKEN_MODE=node-token`: the server's node-token file, re-read on every welcome so a rotated token is picked up. */
/**
 * Join tokens from the K3s server's node-token file (K3S_TOKEN_MODE=node-token). `recheckMs`
 * (default 1 s): how stale the token may be after the file changed.
 */
export function nodeTokenProvider(options: { file: string; logger: Logger; recheckMs?: number }): JoinTokenProvider {
  const recheckMs = options.recheckMs ?? 1_000;
  let warned = false;
  // Read once and again only when the file changes (`k3s token rotate` rewrites it), checked at most
  // once a second: a master taking back thousands of agents at once would otherwise stat or read
  // it for every welcome.
  let cached: { version: string; token: string; checkedAt: number } | null = null;
  const fail = (err: unknown) =>
    new DaasError('JOIN_TOKEN', `cannot read the K3s node token ${options.file} (K3S_TOKEN_FILE): ${(err as Error).message}`, { cause: err });
  return {
    async tokenFor() {
      if (cached && Date.now() - cached.checkedAt < recheckMs) return cached.token;
      let version: string;
      try {
        const st = await stat(options.file);
        version = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
      } catch (err) {
        throw fail(err);
      }
      if (cached?.version === version) {
        cached.checkedAt = Date.now();
        return cached.token;
      }
      let token: string;
      try {
        token = (await readFile(options.file, 'utf8')).trim();
      } catch (err) {
        throw fail(err);
      }
      const kind = classifyToken(token);
      if (kind === 'invalid') {
        throw new DaasError('JOIN_TOKEN', `${options.file} (K3S_TOKEN_FILE) does not hold a K3s token (expected K10<hash>::<user>:<password>), starts with ${tokenPreview(token)}`);
      }
      if (kind === 'short' && !warned) {
        warned = true;
        options.logger.warn({ file: options.file }, 'the K3s token is a short token: agents cannot pin the cluster CA with it; prefer the full K10… token from /var/lib/rancher/k3s/server/node-token');
      }
      cached = { version, token, checkedAt: Date.now() };
      return token;
    },
    async revoke() {},
  };
}

/** Runs the k3s CLI; behind an interface so tests can use the fake k3s executable. */
export interface K3sCli {
  run(args: string[]): Promise<string>;
}

export function execaK3sCli(bin: string, env?: Record<string, string>): K3sCli {
  return {
    async run(args) {
      const result = await execa(bin, args, { reject: false, timeout: 30_000, env });
      if (result.exitCode !== 0) {
        throw new DaasError('JOIN_TOKEN', `\`${bin} ${args.slice(0, 2).join(' ')}\` failed (exit ${result.exitCode}): ${String(result.stderr).split('\n').slice(-1)[0]}`);
      }
      return String(result.stdout);
    },
  };
}

/** `K3S_TOKEN_MODE=bootstrap`: one `k3s token create` per worker, reused until revoked. */
export function bootstrapTokenProvider(options: { cli: K3sCli; ttl: string; logger: Logger }): JoinTokenProvider {
  const issued = new Map<string, string>();
  return {
    async tokenFor(nodeId) {
      const cached = issued.get(nodeId);
      if (cached) return cached;
      const out = await options.cli.run(['token', 'create', '--ttl', options.ttl, '--description', `k8s-daas:${nodeId}`]);
      const token = out.trim().split('\n').pop()!.trim();
      if (classifyToken(token) === 'invalid') {
        throw new DaasError('JOIN_TOKEN', `\`k3s token create\` printed no token (got ${tokenPreview(token)})`);
      }
      issued.set(nodeId, token);
      options.logger.info({ nodeId, token: tokenPreview(token), ttl: options.ttl }, `🎫 Bootstrap token created for ${nodeId}`);
      return token;
    },
    async revoke(nodeId) {
      const token = issued.get(nodeId);
      issued.delete(nodeId);
      const id = token ? bootstrapTokenId(token) : null;
      const ids = id ? [id] : await listTokenIds(options.cli, nodeId);
      for (const tokenId of ids) {
        await options.cli.run(['token', 'delete', tokenId]);
        options.logger.info({ nodeId, tokenId }, `🗑️ Bootstrap token of ${nodeId} deleted`);
      }
    },
  };
}

/** The `<id>` of a bootstrap token `K10…::<id>.<secret>` (or `<id>.<secret>`). */
export function bootstrapTokenId(token: string): string | null {
  const m = /(?:^|::)([a-z0-9]{6})\.[a-z0-9]{16}$/.exec(token);
  return m ? m[1] : null;
}

/** Ids of tokens whose description names `nodeId` (after a master restart the map is empty). */
async function listTokenIds(cli: K3sCli, nodeId: string): Promise<string[]> {
  const out = await cli.run(['token', 'list']);
  return out
    .split('\n')
    .filter((line) => line.includes(`k8s-daas:${nodeId}`))
    .map((line) => line.trim().split(/\s+/)[0])
    .filter((id) => /^[a-z0-9]{6}$/.test(id));
}
