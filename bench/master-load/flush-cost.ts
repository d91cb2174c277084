/**
 * Micro-benchmark of the master's heartbeat persistence, without sockets: a PoolStore on a real
 * WAL database file with N workers, written as the master writes (`HeartbeatBuffer.writeDue`
 * once a second over simulated time: a worker's beat when due, in time-bounded slices). Prints
 * the rows written, the cost per received heartbeat, and the longest single write, i.e. the
 * longest the event loop is held.
 *   npx tsx bench/master-load/flush-cost.ts [--workers 10000] [--rate 1000] [--seconds 60]
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

const { values } = parseArgs({ options: { workers: { type: 'string', default: '10000' }, rate: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '60' } } });
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
  // Every write the buffer makes, timed: the longest is how long the event loop is held.
  const writes = new Histogram();
  let total = 0;
  const timed = {
    recordHeartbeatRows(batch: Parameters<PoolStore['recordHeartbeatRows']>[0]) {
      const t0 = performance.now();
      const n = store.recordHeartbeatRows(batch);
      const ms = performance.now() - t0;
      writes.record(ms);
      total += ms;
      return n;
    },
  };
  const buffer = new HeartbeatBuffer(timed);
  let next = 0;
  let rows = 0;
  const t0 = Date.now();
  for (let s = 0; s < seconds; s++) {
    // One simulated second of heartbeats, round-robin over the workers, then the master's 1 s write.
    for (let k = 0; k < rate; k++, next = (next + 1) % workers) {
      const at = t0 + s * 1000 + Math.floor((k * 1000) / rate);
      buffer.add({ nodeId: benchNodeId(next), at, metrics: metrics(next), k3s: { state: 'running', pid: 4242, restarts: 0, lastError: null } });
    }
    rows += await buffer.writeDue();
  }
  store.close();
  const beats = rate * seconds;
  process.stdout.write(
    `${workers} workers, ${rate} heartbeats/s for ${seconds} s: ${beats} heartbeats, ${rows} rows written in ${writes.count} slices; ` +
      `${((total * 1000) / beats).toFixed(1)} µs per heartbeat (${((total * 1000) / Math.max(1, rows)).toFixed(1)} per row), ` +
      `longest write ${writes.maxMs.toFixed(2)} ms, p99 ${writes.quantile(0.99).toFixed(2)} ms (${((total / (seconds * 1000)) * 100).toFixed(1)} % of one core)\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
