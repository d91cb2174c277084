/**
 * One benchmark of one server at N agents, phase by phase, each bounded in time: connect and
 * authenticate all N; a steady window at the production rate (one heartbeat per agent per 10 s);
 * a ladder of faster rates up to saturation; a long window at 80 % of saturation (the sustained
 * rate, which also fills the master's per-worker heartbeat history); a reconnect storm. Memory is
 * read after GC with 0 agents, after the steady window and after the sustained one.
 */
import { join } from 'node:path';
import { LoadFleet, startServer, type BeatTotals, type ServerHandle, type ServerKind, type ServerStartOptions } from './fleet.ts';
import type { ServerProbes } from './probes.ts';
import { coreShare, machineBusyMs, sampleProcess } from './proc-stats.ts';
import { fmtConnect, fmtStep, type ConnectResult, type MemoryFigures, type PoolCounts, type ServerRun, type StepResult, type StormResult } from './results.ts';

export interface Timing {
  /** Unmeasured lead-in of each window. */
  warmupMs: number;
  /** Between the connect and the steady window, at the production rate, unmeasured. */
  settleMs: number;
  /** The steady window at N/10 heartbeats/s. */
  steadyMs: number;
  /** Each saturation step. */
  stepMs: number;
  /** Upper bound of the sustained window (it ends earlier once every agent sent 30 beats). */
  sustainedMaxMs: number;
  drainMs: number;
  /** Bound on connecting all agents, and on the reconnect storm. */
  connectTimeoutMs: number;
  /** Offered rates of the ladder, heartbeats/s; the ladder stops at the first saturated step. */
  ladder: readonly number[];
}

export interface RunOptions {
  kind: ServerKind;
  agents: number;
  processes: number;
  timing: Timing;
  server: Omit<ServerStartOptions, 'kind'>;
  /** Write CPU profiles here: one of the ladder and the sustained window, one of the storm. */
  profileDir?: string;
  log: (line: string) => void;
}

/**
 * A step is saturated when acks fall behind sends (or go missing), or the tail explodes past a
 * second. A p99 of tens of milliseconds with every heartbeat acked is a latency knee, not
 * saturation: the report shows the knees separately (highest rate with p99 ≤ 5 ms and ≤ 100 ms).
 */
const SATURATED_P99_MS = 1000;
/** Agents connecting at once in the connect phase (the storm connects all of them at once). */
const CONNECTS_IN_FLIGHT = 256;
/** Other programs using more than this (in cores) during a window make it "disturbed". */
const DISTURBED_CORES = 0.25;
/** The master's status page keeps this many samples per worker (master/status-page). */
const HISTORY_SAMPLES = 30;

/** Runs every phase against a fresh server; always stops its children. */
export async function runServer(o: RunOptions): Promise<ServerRun> {
  const server = await startServer({ ...o.server, kind: o.kind });
  let fleet: LoadFleet | null = null;
  const t = o.timing;
  try {
    o.log(`${o.kind}: listening on ${server.url} after ${Math.round(server.startMs)} ms`);
    await sleep(2000);
    const memoryIdle = await memory(server);
    fleet = await LoadFleet.start({ url: server.url, agents: o.agents, processes: o.processes, logDir: o.server.logDir, maxLifetimeMs: o.server.maxLifetimeMs });
    // 256 handshakes in flight, however many load processes share them.
    const connect = await connectPhase(server, fleet, Math.ceil(CONNECTS_IN_FLIGHT / o.processes), t.connectTimeoutMs);
    o.log(`${o.kind}: connect ${fmtConnect(connect, o.agents)}`);
    const base = o.agents / 10;
    // Steady means long after the connect: its aftermath (the first heartbeat row of every worker,
    // the collection of the connect's garbage) is the connect's cost, and a production master
    // spends nearly all its life past it.
    await sleep(t.settleMs);
    const steady = await quietStep(server, fleet, base, t.steadyMs, o);
    o.log(`${o.kind}: steady ${fmtStep(steady)}`);
    const memorySteady = await memory(server);
    if (o.profileDir) await server.profileStart();
    const steps: StepResult[] = [];
    for (const rate of t.ladder) {
      const s = await quietStep(server, fleet, rate, t.stepMs, o);
      steps.push(s);
      o.log(`${o.kind}: step ${fmtStep(s)}`);
      if (s.saturated) break;
    }
    const saturationPerSec = Math.max(...[steady, ...steps].map((s) => s.ackedPerSec));
    const rate = Math.max(base, Math.round(0.8 * saturationPerSec));
    const sentSoFar = [steady, ...steps].reduce((n, s) => n + s.sent, 0);
    const sustainedMs = Math.min(t.sustainedMaxMs, Math.max(t.stepMs, ((HISTORY_SAMPLES * o.agents - sentSoFar) / rate) * 1000));
    const sustained = await step(server, fleet, rate, sustainedMs, t);
    o.log(`${o.kind}: sustained ${Math.round(sustainedMs / 1000)} s ${fmtStep(sustained)}`);
    if (o.profileDir) await server.profileStop(join(o.profileDir, `${o.kind}-${o.agents}-ladder.cpuprofile`));
    const memorySustained = await memory(server);
    if (o.profileDir) await server.profileStart();
    const storm = await reconnectStorm(server, fleet, o);
    if (o.profileDir) await server.profileStop(join(o.profileDir, `${o.kind}-${o.agents}-storm.cpuprofile`));
    o.log(`${o.kind}: storm ${fmtConnect(storm, o.agents)}; active+connected ${storm.poolActiveConnected ?? '-'}; after it ${fmtStep(storm.afterStorm)}`);
    const all = [steady, ...steps, sustained];
    return {
      kind: o.kind,
      agents: o.agents,
      startMs: server.startMs,
      connect,
      steady,
      steps,
      sustained,
      memoryIdle,
      memorySteady,
      memorySustained,
      beatsPerAgent: (sentSoFar + sustained.sent) / o.agents,
      saturationPerSec,
      maxRateP99Under5ms: kneeAt(all, 5),
      maxRateP99Under100ms: kneeAt(all, 100),
      storm,
      unexpectedCloses: storm.afterStorm.unexpectedCloses,
    };
  } finally {
    await fleet?.exit();
    await server.stop();
  }
}

/** The highest offered rate, below the first one whose p99 exceeded `ms`. */
function kneeAt(steps: readonly StepResult[], ms: number): number {
  let knee = 0;
  for (const s of steps.slice(0, -1)) {
    if (!(s.p99Ms <= ms) || s.saturated) break;
    knee = Math.max(knee, s.offeredPerSec);
  }
  return knee;
}

async function memory(server: ServerHandle): Promise<MemoryFigures> {
  const heap = await server.gc();
  return { rssBytes: server.sample().rssBytes, heapBytes: heap.heapUsedBytes + heap.externalBytes };
}

/**
 * A window measured again (twice at most, after a pause) while other programs used more than
 * DISTURBED_CORES of the machine: this machine is shared, and a figure taken while something else
 * ran says little about the server. The least disturbed measurement is kept and flagged.
 */
async function quietStep(server: ServerHandle, fleet: LoadFleet, rate: number, measureMs: number, o: RunOptions): Promise<StepResult> {
  let best = await step(server, fleet, rate, measureMs, o.timing);
  for (let i = 0; i < 2 && best.disturbed; i++) {
    o.log(`${o.kind}: window at ${Math.round(rate)}/s disturbed (other programs used ${best.otherCores.toFixed(2)} cores); measuring it again`);
    await sleep(5000);
    const again = await step(server, fleet, rate, measureMs, o.timing);
    if (again.otherCores < best.otherCores) best = again;
  }
  return best;
}

async function step(server: ServerHandle, fleet: LoadFleet, rate: number, measureMs: number, t: Timing): Promise<StepResult> {
  const totals = fleet.beat(rate, t.warmupMs, measureMs, t.drainMs);
  await sleep(t.warmupMs);
  await server.probes();
  const s0 = server.sample();
  const l0 = fleet.pids.map(sampleProcess);
  const m0 = machineBusyMs();
  await sleep(measureMs);
  const probes = await server.probes();
  const s1 = server.sample();
  const l1 = fleet.pids.map(sampleProcess);
  const m1 = machineBusyMs();
  const serverCores = coreShare(s0, s1);
  const loadCores = l0.reduce((n, a, i) => n + coreShare(a, l1[i]), 0);
  const otherCores = Math.max(0, (m1 - m0) / (s1.at - s0.at) - serverCores - loadCores);
  return toStep(rate, measureMs, await totals, { serverCores, serverCpuMs: s1.cpuMs - s0.cpuMs, loadCores, otherCores }, probes);
}

function toStep(rate: number, measureMs: number, b: BeatTotals, cpu: { serverCores: number; serverCpuMs: number; loadCores: number; otherCores: number }, probes: ServerProbes): StepResult {
  const perSec = (n: number) => (n * 1000) / measureMs;
  const ackedPerSec = perSec(b.ackedInWindow);
  const p99Ms = b.latency.quantile(0.99);
  return {
    offeredPerSec: rate,
    sent: b.sentInWindow,
    ackedOfSent: b.ackedOfWindow,
    sentPerSec: perSec(b.sentInWindow),
    ackedPerSec,
    p50Ms: b.latency.quantile(0.5),
    p99Ms,
    maxMs: b.latency.maxMs,
    lost: b.lostFromWindow,
    unexpectedCloses: b.unexpectedCloses,
    serverCores: cpu.serverCores,
    cpuMsPerHeartbeat: b.ackedInWindow > 0 ? cpu.serverCpuMs / b.ackedInWindow : NaN,
    loadCores: cpu.loadCores,
    otherCores: cpu.otherCores,
    disturbed: cpu.otherCores > DISTURBED_CORES,
    saturated: ackedPerSec < 0.9 * rate || !(p99Ms <= SATURATED_P99_MS) || b.lostFromWindow > 0.01 * b.sentInWindow,
    probes,
  };
}

async function reconnectStorm(server: ServerHandle, fleet: LoadFleet, o: RunOptions): Promise<StormResult> {
  const dropped = await fleet.drop();
  // Let the server see every close before the storm, so the storm is all new sockets.
  if (o.kind === 'master') await waitFor(async () => (await poolCounts(server))!.connectedAgents === 0, 15_000);
  else await sleep(1000);
  const result = await connectPhase(server, fleet, o.agents, o.timing.connectTimeoutMs);
  let poolTotal: number | null = null;
  let poolActiveConnected: number | null = null;
  if (o.kind === 'master') {
    const { workers } = (await (await fetch(`${server.url}/api/v1/workers`)).json()) as { workers: Array<{ status: string; connected: boolean }> };
    poolTotal = workers.length;
    poolActiveConnected = workers.filter((w) => w.status === 'active' && w.connected).length;
  }
  // One more beat from every agent (on top of the 10 s background beat): all must be acked.
  const afterStorm = await step(server, fleet, o.agents / 2, 2000, { ...o.timing, warmupMs: 0 });
  return { ...result, dropped, poolTotal, poolActiveConnected, afterStorm };
}

async function poolCounts(server: ServerHandle): Promise<PoolCounts | null> {
  if (server.kind !== 'master') return null;
  const s = (await (await fetch(`${server.url}/api/v1/stats`)).json()) as PoolCounts;
  return { totalWorkers: s.totalWorkers, activeWorkers: s.activeWorkers, offlineWorkers: s.offlineWorkers, pending: s.pending, connectedAgents: s.connectedAgents };
}

/** Connects every agent not yet welcomed, `concurrency` at a time per load process, measuring the server meanwhile. */
async function connectPhase(server: ServerHandle, fleet: LoadFleet, concurrency: number, timeoutMs: number): Promise<ConnectResult> {
  await server.probes();
  const s0 = server.sample();
  const m0 = machineBusyMs();
  const c = await fleet.connect(concurrency, timeoutMs);
  const s1 = server.sample();
  const otherCores = Math.max(0, (machineBusyMs() - m0) / (s1.at - s0.at) - coreShare(s0, s1));
  const probes = await server.probes();
  const base = { welcomed: c.welcomed, failed: c.failed, retries: c.retries, failures: c.failures, elapsedMs: c.elapsedMs };
  return { ...base, p50Ms: c.latency.quantile(0.5), p99Ms: c.latency.quantile(0.99), serverCores: coreShare(s0, s1), otherCores, probes, pool: await poolCounts(server) };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(100);
  }
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
