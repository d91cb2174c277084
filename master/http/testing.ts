/**
 * A real master HTTP server for tests: a PoolStore on a temporary SQLite file, seeded with three
 * workers (one active with a heartbeat), served on 127.0.0.1:0. Imported by tests only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Metrics } from '../../shared/protocol/messages.ts';
import { openPoolDb } from '../pool/db.ts';
import { PoolStore } from '../pool/store.ts';
import { K3S_RUNNING, manualClock, registration, type ManualClock } from '../pool/testing.ts';
import { createHttpHandler, type HttpDeps } from './api.ts';
import { MasterMetrics } from './metrics.ts';
import { baseUrl, closeServer, createMasterServer, listen } from './server.ts';

export const T0 = 1_700_000_000_000;
export const GiB = 1024 ** 3;

export const ACTIVE_METRICS: Metrics = {
  cpu: { cores: 4, model: 'test-cpu', loadPercent: 12.4 },
  memory: { usedBytes: 1.2 * GiB, totalBytes: 7.8 * GiB },
  uptimeSec: 3600,
};

export interface TestMaster {
  url: string;
  store: PoolStore;
  metrics: MasterMetrics;
  clock: ManualClock;
  server: Server;
  /** What the readiness probe sees; tests move it. */
  chain: { lastSuccessAt: number | null };
  connected: Set<string>;
  close(): Promise<void>;
}

/**
 * Seeds `alpha` (active, heartbeat at T0 + 5 s), `bravo` and `charlie` (pending), the clock at T0 + 10 s.
 * @param overrides replaces any handler dependency (e.g. `extraRoutes`).
 */
export async function startTestMaster(overrides: Partial<HttpDeps> = {}): Promise<TestMaster> {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-daas-http-'));
  const clock = manualClock(T0);
  const store = new PoolStore({ db: openPoolDb(join(dir, 'pool.db')), clock });
  seed(store, clock);
  const chain = { lastSuccessAt: clock.now() as number | null };
  const connected = new Set(['alpha']);
  const metrics = new MasterMetrics({
    store,
    connections: () => connected.size,
    lastChainSuccessAt: () => chain.lastSuccessAt,
  });
  const handler = createHttpHandler({
    store,
    metrics,
    clock,
    isConnected: (id) => connected.has(id),
    lastChainSuccessAt: () => chain.lastSuccessAt,
    readyWithinMs: 8_000,
    logger: pino({ level: 'silent' }),
    ...overrides,
  });
  const server = createMasterServer({ handler });
  const url = baseUrl(await listen(server, '127.0.0.1', 0), false);
  return {
    url,
    store,
    metrics,
    clock,
    server,
    chain,
    connected,
    async close() {
      await closeServer(server);
      try {
        store.close();
      } catch {
        // a test closed it already
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function seed(store: PoolStore, clock: ManualClock): void {
  const events = [
    ...registration('alpha', { tx: 'tx-alpha', stake: 1_004_607_436n, at: T0 - 60_000 }),
    ...registration('bravo', { tx: 'tx-bravo', stake: 2_000_000_000n, at: T0 - 30_000, key: 2 }),
    ...registration('charlie', { tx: 'tx-charlie', stake: 1_500_000_000n, at: T0 - 10_000, key: 3 }),
  ];
  store.applyChainEvents('worker_registry', events, 'cursor-1');
  clock.set(T0);
  store.setStatus('alpha', 'active', 'authenticated');
  store.recordHeartbeats([{ nodeId: 'alpha', at: T0 + 5_000, metrics: ACTIVE_METRICS, k3s: K3S_RUNNING }]);
  clock.set(T0 + 10_000);
}
