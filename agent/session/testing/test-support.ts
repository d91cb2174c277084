/**
 * Test support shared by the session's test files (not used by the agent): a captured pino logger
 * and a session wired to a fake master with short timings.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { systemClock } from '../../../shared/clock.ts';
import type { DaasError } from '../../../shared/errors.ts';
import type { Welcome } from '../../../shared/protocol/messages.ts';
import { createReconnectBackoff } from '../backoff.ts';
import { sealSignerOf } from '../seal-signer.ts';
import type { RevocationReason } from '../errors.ts';
import { MasterSession, type MasterSessionOptions } from '../session.ts';

export const SEAL_TOKEN = 'seal_token_session_test_0123456789abcdefghij';
export const NODE_ID = 'my-worker-001';
export const DIGEST = 'HdRuxd3oPmqZnWsxD6L3TuZgG8xnF6dDAtB3urWwgYzf';
export const SEAL_KEY = sealSignerOf(SEAL_TOKEN);
export const SEAL_PUBKEY = SEAL_KEY.publicKey;

export interface CapturedLog {
  logger: pino.Logger;
  text(): string;
  records(): Array<Record<string, unknown> & { msg: string; level: number }>;
  /** The `to` of every state move, in order. */
  moves(): string[];
}

/** A debug-level pino logger writing into memory, WITHOUT redaction: what the code itself logs. */
export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown> & { msg: string; level: number });
  return {
    logger: pino({ level: 'debug' }, destination),
    text: () => lines.join(''),
    records,
    moves: () => records().filter((r) => r.msg === 'master session state').map((r) => String(r.to)),
  };
}

export interface TestSession {
  session: MasterSession;
  log: CapturedLog;
  welcomes: Welcome[];
  revokes: RevocationReason[];
  persistent: DaasError[];
}

/** A session against `url` with fast backoffs (10 ms, then 25 ms for rejections) and fixed jitter. */
export function testSession(url: string, extra: Partial<MasterSessionOptions> = {}): TestSession {
  const log = captureLog();
  const t: Omit<TestSession, 'session'> = { log, welcomes: [], revokes: [], persistent: [] };
  const session = new MasterSession({
    url,
    nodeId: NODE_ID,
    sealKey: SEAL_KEY,
    agentVersion: '0.1.0-test',
    registrationDigest: DIGEST,
    clock: systemClock,
    logger: log.logger,
    metrics: { sample: async () => ({ cpu: { cores: 4, model: 'test cpu', loadPercent: 12.5 }, uptimeSec: 100 }) },
    k3sStatus: () => ({ state: 'running', pid: 4242, restarts: 0, lastError: null }),
    onWelcome: (w) => void t.welcomes.push(w),
    onRevoke: (r) => void t.revokes.push(r),
    onPersistentError: (e) => void t.persistent.push(e),
    backoff: createReconnectBackoff({ name: 'test-reconnect', baseMs: 20, maxMs: 100, random: () => 0.5 }),
    rejectedBackoff: createReconnectBackoff({ name: 'test-rejected', baseMs: 50, maxMs: 100, random: () => 0.5 }),
    timeouts: { closeMs: 500 },
    ...extra,
  });
  return { session, ...t };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
