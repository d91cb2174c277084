/**
 * The shapes of the benchmark's figures (what run.ts prints and saves as JSON) and their one-line
 * renderings for the progress log.
 */
import type { ServerKind } from './fleet.ts';
import type { ServerProbes } from './probes.ts';

export interface StepResult {
  offeredPerSec: number;
  /** Heartbeats sent in the window, and how many of them were acked by the end of the drain. */
  sent: number;
  ackedOfSent: number;
  sentPerSec: number;
  /** Acks received during the window, per second: the throughput. */
  ackedPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Heartbeats of the window never acked. */
  lost: number;
  /** Welcomed sockets closed by anyone but the load generator, since the fleet started. */
  unexpectedCloses: number;
  /** Server CPU in the window, as a share of one core. */
  serverCores: number;
  /** Server CPU ms per acked heartbeat. */
  cpuMsPerHeartbeat: number;
  /** All load generators' CPU in the window, in cores. */
  loadCores: number;
  /** CPU used by anything else on the machine (other programs, this runner and its chain), in cores. */
  otherCores: number;
  /** Other programs used a noticeable share of the machine during the window (see quietStep). */
  disturbed: boolean;
  saturated: boolean;
  /** Inside the server during the window: event-loop delay, pool call timings. */
  probes: ServerProbes;
}

export interface PoolCounts {
  totalWorkers: number;
  activeWorkers: number;
  offlineWorkers: number;
  pending: number;
  connectedAgents: number;
}

export interface ConnectResult {
  welcomed: number;
  failed: number;
  retries: number;
  failures: Record<string, number>;
  elapsedMs: number;
  p50Ms: number;
  p99Ms: number;
  /** Server CPU during the phase, in cores. */
  serverCores: number;
  /** Everything but the server (load generators included), in cores. */
  otherCores: number;
  probes: ServerProbes;
  /** The pool right after (master only). */
  pool: PoolCounts | null;
}

export interface MemoryFigures {
  rssBytes: number;
  /** JS heap in use + external memory, after GC, from the server's own process.memoryUsage(). */
  heapBytes: number;
}

export interface StormResult extends ConnectResult {
  dropped: number;
  /** From /api/v1/workers after the storm (master only). */
  poolTotal: number | null;
  poolActiveConnected: number | null;
  /** One more beat per agent right after the storm. */
  afterStorm: StepResult;
}

export interface ServerRun {
  kind: ServerKind;
  agents: number;
  startMs: number;
  connect: ConnectResult;
  steady: StepResult;
  steps: StepResult[];
  /** The long window at 80 % of the saturation rate (fills the status page's per-worker history). */
  sustained: StepResult;
  memoryIdle: MemoryFigures;
  /** After the steady window, and after the sustained window. */
  memorySteady: MemoryFigures;
  memorySustained: MemoryFigures;
  /** Heartbeats per agent sent so far when memorySustained was taken. */
  beatsPerAgent: number;
  saturationPerSec: number;
  /** Highest offered rate whose p99 stayed ≤ 5 ms, and ≤ 100 ms. */
  maxRateP99Under5ms: number;
  maxRateP99Under100ms: number;
  storm: StormResult;
  unexpectedCloses: number;
}

/** Per agent, between two memory figures. */
export function perAgent(from: MemoryFigures, to: MemoryFigures, agents: number): MemoryFigures {
  return { rssBytes: (to.rssBytes - from.rssBytes) / agents, heapBytes: (to.heapBytes - from.heapBytes) / agents };
}

/** One line for the progress log. */
export function fmtStep(s: StepResult): string {
  const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
  return (
    `offered ${Math.round(s.offeredPerSec)}/s → acked ${Math.round(s.ackedPerSec)}/s, p50 ${s.p50Ms.toFixed(2)} ms, p99 ${s.p99Ms.toFixed(2)} ms, ` +
    `server ${pct(s.serverCores)} of a core, ${(s.cpuMsPerHeartbeat * 1000).toFixed(0)} µs CPU/hb, load ${pct(s.loadCores)}, other ${pct(s.otherCores)}, ` +
    `loop delay p99 ${s.probes.loopDelayP99Ms.toFixed(0)} / max ${s.probes.loopDelayMaxMs.toFixed(0)} ms${fmtCalls(s.probes)}` +
    `${s.lost ? `, lost ${s.lost}` : ''}${s.saturated ? ' [saturated]' : ''}${s.disturbed ? ' [disturbed]' : ''}`
  );
}

export function fmtConnect(c: ConnectResult, agents: number): string {
  const failures = Object.entries(c.failures).map(([k, v]) => `${k} ${v}`).join(', ');
  const pool = c.pool ? `; pool active ${c.pool.activeWorkers}, offline ${c.pool.offlineWorkers}, pending ${c.pool.pending}, connected ${c.pool.connectedAgents}` : '';
  return (
    `${c.welcomed}/${agents} welcomed in ${Math.round(c.elapsedMs)} ms (p50 ${Math.round(c.p50Ms)}, p99 ${Math.round(c.p99Ms)} ms), ${c.retries} retries, ` +
    `server ${(c.serverCores * 100).toFixed(0)} % of a core, rest of the machine ${(c.otherCores * 100).toFixed(0)} %` +
    `${failures ? ` [${failures}]` : ''}${pool}; loop delay p99 ${c.probes.loopDelayP99Ms.toFixed(0)} / max ${c.probes.loopDelayMaxMs.toFixed(0)} ms${fmtCalls(c.probes)}`
  );
}

export function fmtCalls(p: ServerProbes): string {
  const parts = Object.entries(p.calls)
    .filter(([, c]) => c.calls > 0 && c.totalMs >= 1)
    .map(([name, c]) => `${name} ${c.calls}×${c.rows ? ` ${c.rows} rows` : ''} ${c.totalMs.toFixed(0)} ms (max ${c.maxMs.toFixed(0)})`);
  return parts.length ? `; ${parts.join(', ')}` : '';
}
