/** Starts a master in-process on the local chain, with a node-token file or the fake k3s. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { systemClock } from '../../shared/clock.ts';
import { signerFromPrivateKey } from '../../shared/chain/signer.ts';
import { startMaster, type MasterOptions, type RunningMaster } from '../../master/app.ts';
import { bootstrapTokenProvider, execaK3sCli, nodeTokenProvider } from '../../master/tokens/join-tokens.ts';
import { FAKE_K3S } from '../fixtures/fake-k3s-harness.ts';
import type { ChainFixture } from './chain.ts';

export const NODE_TOKEN = `K10${'ab12'.repeat(16)}::server:0123456789abcdef0123456789abcdef`;

export interface MasterFixture {
  master: RunningMaster;
  dir: string;
  tokensDb: string;
}

export async function startTestMaster(fx: ChainFixture, overrides: Partial<MasterOptions> & { tokenMode?: 'node-token' | 'bootstrap' } = {}): Promise<MasterFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-daas-master-'));
  const tokenFile = join(dir, 'node-token');
  writeFileSync(tokenFile, `${NODE_TOKEN}\n`, { mode: 0o600 });
  const tokensDb = join(dir, 'k3s-tokens.json');
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const tokens =
    overrides.tokenMode === 'bootstrap'
      ? bootstrapTokenProvider({ cli: execaK3sCli(FAKE_K3S, { FAKE_K3S_TOKENS_DB: tokensDb }), ttl: '1h', logger })
      : nodeTokenProvider({ file: tokenFile, logger });
  const master = await startMaster({
    masterId: 'test-master',
    chain: fx.chain,
    tokens,
    clock: systemClock,
    logger,
    dbPath: join(dir, 'pool.db'),
    listen: { host: '127.0.0.1', port: 0 },
    serverUrl: 'https://127.0.0.1:6443',
    pollIntervalMs: 200,
    heartbeatIntervalMs: 500,
    offlineAfterMs: 60_000,
    authTimeoutMs: 5_000,
    pendingTimeoutMs: 30_000,
    sweepSchedule: '* * * * * *',
    signer: signerFromPrivateKey(fx.local.info.masterPrivateKey),
    ...overrides,
  });
  return { master, dir, tokensDb };
}
