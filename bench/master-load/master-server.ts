/**
 * The master under test, in a process of its own so that its CPU and memory can be read from /proc:
 * `startMaster` wired as master/main.ts wires it (node-token file, default intervals), against the
 * runner's local chain, logging at LOG_LEVEL (the runner passes `warn`: the master logs one info
 * line per state transition and per welcome, which would otherwise dominate).
 * argv[2]: JSON of MasterServerArgs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../shared/clock.ts';
import { createSuiClient } from '../../shared/chain/sui-client.ts';
import { WorkerChain } from '../../shared/chain/worker-chain.ts';
import { EventsThread } from '../../shared/chain/events-thread.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import { startMaster } from '../../master/app.ts';
import { nodeTokenProvider } from '../../master/tokens/join-tokens.ts';
import { tuneHeapGrowth } from '../../master/heap-tuning.ts';
import { probeMethod } from './probes.ts';
import { announceReady, serveRunner } from './server-child.ts';

export interface MasterServerArgs {
  rpcUrl: string;
  packageId: string;
  registryId: string;
  schedulerId: string;
  masterId: string;
  maxLifetimeMs: number;
}

/** A token in the K3s node-token format, so welcomes carry what a real cluster would hand out. */
const NODE_TOKEN = `K10${'ab12'.repeat(16)}::server:0123456789abcdef0123456789abcdef`;

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2] ?? '{}') as MasterServerArgs;
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'k8s-daas-bench-master-'));
  const tokenFile = join(dir, 'node-token');
  writeFileSync(tokenFile, `${NODE_TOKEN}\n`, { mode: 0o600 });
  const logger = createLogger({ level: (process.env.LOG_LEVEL ?? 'warn') as 'warn', name: 'k8s-daas-master' });
  tuneHeapGrowth();
  // As master/main.ts: the watcher lists events from a thread of its own.
  const chainEvents = new EventsThread({ url: a.rpcUrl });
  const master = await startMaster({
    masterId: a.masterId,
    chain: new WorkerChain({ client: createSuiClient({ url: a.rpcUrl }), ids: a }),
    chainEvents,
    tokens: nodeTokenProvider({ file: tokenFile, logger }),
    clock: systemClock,
    logger,
    dbPath: join(dir, 'pool.db'),
    listen: { host: '127.0.0.1', port: 0 },
    serverUrl: 'https://127.0.0.1:6443',
    // The defaults of master/config.ts.
    pollIntervalMs: 1000,
    heartbeatIntervalMs: 10_000,
    offlineAfterMs: 40_000,
    authTimeoutMs: 10_000,
    pendingTimeoutMs: 120_000,
    sweepSchedule: '*/5 * * * * *',
  });
  // The pool's synchronous SQLite work: the heartbeat flush, the offline sweep, status changes,
  // chain pages, and the per-auth worker look-up.
  probeMethod(master.store, 'recordHeartbeatRows', (a) => (a[0] as unknown[]).length);
  probeMethod(master.store, 'findSilent', (_a, r) => (r as unknown[]).length);
  probeMethod(master.store, 'setStatus');
  probeMethod(master.store, 'applyChainEvents', (a) => (a[1] as unknown[]).length);
  probeMethod(master.store, 'getIdentity');
  serveRunner('master-server', a.maxLifetimeMs, async () => {
    await master.close();
    await chainEvents.close();
    rmSync(dir, { recursive: true, force: true });
  });
  announceReady(master.url, performance.now() - started);
}

main().catch((err: Error) => {
  process.stderr.write(`master-server: ${err.stack}\n`);
  process.exit(1);
});
