/**
 * The runner's handles on its servers and load generators: start, command, merge the replies.
 */
import { join } from 'node:path';
import { forkChild, type Child } from './children.ts';
import { Histogram } from './histogram.ts';
import type { BeatReport, ConnectReport, LoadGenArgs, LoadReply, ServerReply } from './load-protocol.ts';
import type { MasterServerArgs } from './master-server.ts';
import type { ServerProbes } from './probes.ts';
import { sampleProcess, type ProcSample } from './proc-stats.ts';

export type ServerKind = 'master' | 'bare';

export interface ServerHandle {
  kind: ServerKind;
  child: Child;
  /** http://127.0.0.1:port */
  url: string;
  /** Spawn → listening (for the master: including reading the whole chain). */
  startMs: number;
  sample(): ProcSample;
  /** Runs a full GC in the server (it runs with --expose-gc); returns its JS heap in use. */
  gc(): Promise<{ heapUsedBytes: number; externalBytes: number }>;
  /** Starts a CPU profile in the server; `profileStop` writes it to `file`. */
  profileStart(): Promise<void>;
  profileStop(file: string): Promise<void>;
  /** Event-loop delay and pool-call timings since the previous call. */
  probes(): Promise<ServerProbes>;
  stop(): Promise<void>;
}

export interface ServerStartOptions {
  kind: ServerKind;
  logDir: string;
  maxLifetimeMs: number;
  /** For the master: the chain to follow. */
  chain?: Omit<MasterServerArgs, 'maxLifetimeMs' | 'masterId'>;
  /** Extra node flags. */
  nodeFlags?: string[];
}

/** Starts a server child and waits until it listens. */
export async function startServer(o: ServerStartOptions): Promise<ServerHandle> {
  const arg = o.kind === 'master' ? { ...o.chain, masterId: 'bench-master', maxLifetimeMs: o.maxLifetimeMs } : { maxLifetimeMs: o.maxLifetimeMs };
  const child = forkChild({
    name: `${o.kind}-server`,
    script: o.kind === 'master' ? './master-server.ts' : './bare-server.ts',
    arg,
    logFile: join(o.logDir, `${o.kind}-server.log`),
    nodeFlags: ['--expose-gc', ...(o.nodeFlags ?? [])],
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  const ready = await child.request<Extract<ServerReply, { type: 'ready' }>>(null, 'ready', 180_000);
  return {
    kind: o.kind,
    child,
    url: ready.url,
    startMs: ready.startMs,
    sample: () => sampleProcess(child.pid),
    gc: () => child.request<Extract<ServerReply, { type: 'gc-done' }>>({ cmd: 'gc' }, 'gc-done', 30_000),
    profileStart: async () => void (await child.request({ cmd: 'profile-start' }, 'profile-started', 30_000)),
    profileStop: async (file) => void (await child.request({ cmd: 'profile-stop', file }, 'profile-stopped', 60_000)),
    probes: async () => (await child.request<Extract<ServerReply, { type: 'probes' }>>({ cmd: 'probes' }, 'probes', 30_000)).probes,
    stop: async () => {
      child.proc.send({ cmd: 'stop' });
      await child.ended(15_000);
    },
  };
}

export interface FleetOptions {
  url: string;
  agents: number;
  processes: number;
  logDir: string;
  maxLifetimeMs: number;
}

/** Merged figures of one beat window over all load processes. */
export type BeatTotals = Omit<BeatReport, 'type' | 'latency'> & { latency: Histogram };

export interface ConnectTotals {
  welcomed: number;
  failed: number;
  retries: number;
  failures: Record<string, number>;
  latency: Histogram;
  elapsedMs: number;
}

export class LoadFleet {
  private constructor(readonly children: Child[]) {}

  /** Forks `processes` load generators splitting the agents evenly; each binds its own ten source addresses. */
  static async start(o: FleetOptions): Promise<LoadFleet> {
    const per = Math.ceil(o.agents / o.processes);
    const children: Child[] = [];
    for (let p = 0; p * per < o.agents; p++) {
      const args: LoadGenArgs = {
        url: `${o.url.replace(/^http/, 'ws')}/v1/agent`,
        from: p * per,
        to: Math.min(o.agents, (p + 1) * per),
        // 127.0.0.2 … 127.0.0.11 for the first process (…41 for four): ≤ 1,000 sockets per source address.
        sourceIps: Array.from({ length: 10 }, (_, j) => `127.0.0.${2 + p * 10 + j}`),
        maxLifetimeMs: o.maxLifetimeMs,
      };
      children.push(forkChild({ name: `load-gen-${p}`, script: './load-gen.ts', arg: args, logFile: join(o.logDir, `load-gen-${p}.log`) }));
    }
    await Promise.all(children.map((c) => c.request<LoadReply>(null, 'ready', 120_000)));
    return new LoadFleet(children);
  }

  get pids(): number[] {
    return this.children.map((c) => c.pid);
  }

  /** Connects every agent not welcomed yet, `concurrency` at a time per process. */
  async connect(concurrency: number, timeoutMs: number): Promise<ConnectTotals> {
    const replies = await Promise.all(this.children.map((c) => c.request<ConnectReport>({ cmd: 'connect', concurrency, timeoutMs }, 'connected', timeoutMs + 30_000)));
    const failures: Record<string, number> = {};
    for (const r of replies) for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
    return {
      welcomed: sum(replies, (r) => r.welcomed),
      failed: sum(replies, (r) => r.failed),
      retries: sum(replies, (r) => r.retries),
      failures,
      latency: replies.reduce((h, r) => h.merge(r.latency), new Histogram()),
      elapsedMs: Math.max(...replies.map((r) => r.elapsedMs)),
    };
  }

  /** One heartbeat window at `totalRate` heartbeats/s, split evenly over the processes. */
  async beat(totalRate: number, warmupMs: number, measureMs: number, drainMs: number): Promise<BeatTotals> {
    const ratePerSec = totalRate / this.children.length;
    const cmd = { cmd: 'beat', ratePerSec, warmupMs, measureMs, drainMs };
    const replies = await Promise.all(this.children.map((c) => c.request<BeatReport>(cmd, 'beaten', warmupMs + measureMs + drainMs + 30_000)));
    return {
      sentInWindow: sum(replies, (r) => r.sentInWindow),
      ackedInWindow: sum(replies, (r) => r.ackedInWindow),
      ackedOfWindow: sum(replies, (r) => r.ackedOfWindow),
      lostFromWindow: sum(replies, (r) => r.lostFromWindow),
      deferred: sum(replies, (r) => r.deferred),
      missed: sum(replies, (r) => r.missed),
      unexpectedCloses: sum(replies, (r) => r.unexpectedCloses),
      latency: replies.reduce((h, r) => h.merge(r.latency), new Histogram()),
    };
  }

  /** Destroys every socket at once; resolves when all are closed. */
  async drop(): Promise<number> {
    const replies = await Promise.all(this.children.map((c) => c.request<{ type: 'dropped'; closed: number }>({ cmd: 'drop' }, 'dropped', 60_000)));
    return sum(replies, (r) => r.closed);
  }

  async exit(): Promise<void> {
    for (const c of this.children) if (c.proc.connected) c.proc.send({ cmd: 'exit' });
    await Promise.all(this.children.map((c) => c.ended(10_000)));
  }
}

function sum<T>(list: readonly T[], f: (x: T) => number): number {
  return list.reduce((n, x) => n + f(x), 0);
}
