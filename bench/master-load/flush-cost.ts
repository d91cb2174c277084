/**
 * Micro-benchmark of the master's heartbeat persistence, without sockets: a PoolStore on a real
 * WAL database file with N workers, flushed as the master flushes (one transaction per second
 * holding each worker's newest heartbeat). Prints the cost per stored heartbeat and the longest
 * flush, i.e. how long one flush blocks the master's event loop.
 *   npx tsx bench/master-load/flush-cost.ts [--workers 10000] [--rate 1000] [--seconds 10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openPoolDb } from '../../master/pool/db.ts';
import { HeartbeatBuffer } from '../../master/pool/heartbeat-buffer.ts';
import { PoolStore } from '../../master/pool/store.ts';
import { registration } from '../../master/pool/testing.ts';
import type { Metrics } from '../../shared/protocol/messages.ts';
import { systemClock } from '../../shared/clock.ts';
import { Histogram } from './histogram.ts';
import { benchNodeId } from './workers.ts';

const { values } = parseArgs({ options: { workers: { type: 'string', default: '10000' }, rate: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '10' } } });
const workers = Number(values.workers);
const rate = Number(values.rate);
const seconds = Math.min(120, Number(values.seconds));

const metrics = (i: number): Metrics => ({
  cpu: { cores: 8, model: 'AMD EPYC 7B13 64-Core Processor', loadPercent: 12.5 },
  memory: { totalBytes: 33_554_432_000, usedBytes: 8_123_456_789 },
  disk: { totalBytes: 512_000_000_000, usedBytes: 123_000_000_000 },
  network: { rxBytesPerSec: 12_345.6, txBytesPerSec: 6_543.2 },
  uptimeSec: 123_456,
  os: { platform: 'linux', distro: 'Ubuntu 24.04.1 LTS', release: '6.8.0-45-generic', arch: 'x64', hostname: benchNodeId(i) },
  gpus: [],
});

const dir = mkdtempSync(join(tmpdir(), 'k8s-daas-flush-'));
try {
  const store = new PoolStore({ db: openPoolDb(join(dir, 'pool.db')), clock: systemClock });
  for (let i = 0; i < workers; i += 500) {
    const events = [];
    for (let j = i; j < Math.min(workers, i + 500); j++) events.push(...registration(benchNodeId(j), { tx: `tx${j}` }));
    store.applyChainEvents('worker_registry', events, null);
  }
  const buffer = new HeartbeatBuffer(store);
  const flushes = new Histogram();
  let next = 0;
  let rows = 0;
  let total = 0;
  for (let s = 0; s < seconds; s++) {
    // One second of heartbeats, round-robin over the workers, then the master's 1 s flush.
    for (let k = 0; k < rate; k++, next = (next + 1) % workers) {
      buffer.add({ nodeId: benchNodeId(next), at: Date.now(), metrics: metrics(next), k3s: { state: 'running', pid: 4242, restarts: 0, lastError: null } });
    }
    const t0 = performance.now();
    rows += buffer.flush();
    const ms = performance.now() - t0;
    total += ms;
    flushes.record(ms);
  }
  store.close();
  process.stdout.write(
    `${workers} workers, ${rate} heartbeats/s, ${seconds} flushes: ${rows} rows stored, ` +
      `${((total * 1000) / rows).toFixed(1)} µs per heartbeat, flush p50 ${flushes.quantile(0.5).toFixed(1)} ms, max ${flushes.maxMs.toFixed(1)} ms ` +
      `(${((total / (seconds * 1000)) * 100).toFixed(1)} % of one core)\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
