/**
 * Agent resources: the worker agent's own RSS and CPU while it heartbeats, beside a bare `node`
 * process doing nothing, at a 10 s and a 1 s heartbeat (issue 4, "Benchmark").
 *
 *   npx tsx bench/agent-resources/run.ts [--minutes 5 | --quick] [--intervals 10,1]
 *                                        [--bundle PATH | --no-bundle] [--json FILE]
 *                                        [--node-args "--flag …"  (node flags for the agents, to try)]
 *                                        [--log-level info  (the agents' LOG_LEVEL, as in the tests)]
 *
 * Per interval: a master (in this process, on the local chain also in this process) with that
 * heartbeatIntervalMs; the agent started as operators start it (`node bin/k8s-daas-agent.mjs`,
 * tsx-compiled) and the bundled agent (`node lib/agent.mjs` of the k8s-daas-agent.tgz that
 * `npm run build:agent` makes, built now into a temporary directory, or --bundle PATH), each with
 * the environment of test/agent.test.ts and the fake k3s; and `node -e "setInterval(()=>{}, 1<<30)"` started at the same moment. Every
 * second, /proc/<pid>/status (VmRSS) and /proc/<pid>/stat (utime+stime) of each agent process and
 * of the bare node are read — the agent's fake k3s child, the master and the chain are not counted.
 * The measurement window opens once every agent has registered, started k3s and had a heartbeat
 * with k3s running reach the master, and lasts --minutes. Targets: RSS ≤ bare + 30 MiB (agent's
 * median over the window against the bare node's), CPU ≤ 0.5 % of one core at 10 s.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, writeFileSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { newSealToken } from '../../shared/chain/seal-key.ts';
import { FAKE_K3S, FAST_FAKE_ENV } from '../../test/fixtures/fake-k3s-harness.ts';
import { startChainFixture, type ChainFixture } from '../../test/helpers/chain.ts';
import { NODE_TOKEN, startTestMaster } from '../../test/helpers/master.ts';
import type { HeartbeatRecord } from '../../master/pool/tables.ts';
import { buildBundle, bundleFromPath, type Bundle } from './bundle.ts';
import { machineBusyMs } from '../master-load/proc-stats.ts';
import { cpuPercent, median, sampleProcess, clockTicks, type ProcSample } from './proc.ts';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const MiB = 1024 * 1024;
const RSS_BUDGET_MIB = 30;
const CPU_TARGET_PERCENT = 0.5;
const CPU_TARGET_INTERVAL_S = 10;
const STARTUP_TIMEOUT_MS = 180_000;

const { values: opts } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    quick: { type: 'boolean', default: false },
    intervals: { type: 'string', default: '10,1' },
    bundle: { type: 'string' },
    'no-bundle': { type: 'boolean', default: false },
    json: { type: 'string' },
    'node-args': { type: 'string', default: '' },
    'log-level': { type: 'string', default: 'info' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0].replace(/^\/\*\*\n/, '').replace(/^ \* ?/gm, '') + '\n');
  process.exit(0);
}
const windowMs = opts.quick ? 30_000 : Number(opts.minutes) * 60_000;
const intervalsS = opts.intervals.split(',').map(Number);
const nodeArgs = opts['node-args'].split(/\s+/).filter(Boolean);
if (!(windowMs > 0) || intervalsS.some((s) => !(s > 0))) {
  process.stderr.write('agent-resources: --minutes and --intervals must be positive numbers\n');
  process.exit(2);
}

type Variant = 'tsx' | 'bundle';

interface Tracked {
  label: string;
  kind: 'agent' | 'bare';
  variant: Variant | 'bare';
  nodeId?: string;
  child: ChildProcess;
  pid: number;
  log: string;
  samples: ProcSample[];
  /** Index in `samples` of the window's first sample. */
  windowFrom: number;
  readyAt?: number;
  exited?: string;
  beatsInWindow: number;
  /** Arrival times (performance.now()) at the master of the beats in the window. */
  beatTimes: number[];
  lastBeat?: HeartbeatRecord;
}

interface Row {
  label: string;
  intervalS: number;
  variant: Tracked['variant'];
  rssStartMiB: number;
  rssMedianMiB: number;
  rssMaxMiB: number;
  rssEndMiB: number;
  anonMedianMiB: number;
  cpuPercent: number;
  cpuPeak1sPercent: number;
  /** CPU with that of the children the process reaped in the window (short-lived commands it ran). */
  cpuWithChildrenPercent: number;
  /** When another benchmark ran during the window: CPU over the part before it was first seen, and that part's length. */
  cpuCleanPercent?: number;
  cleanS?: number;
  samples: number;
  windowS: number;
  startupS?: number;
  /** CPU until the window opened, the reaped children's included (the startup step, the commands it ran). */
  startupCpuS?: number;
  startupRssMaxMiB?: number;
  beats?: number;
  /** Median and max time between two beats arriving at the master, s. */
  beatGapMedianS?: number;
  beatGapMaxS?: number;
  exited?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const mib = (b: number) => b / MiB;

/**
 * Command lines of a running master load benchmark, '' when none. With `loading`, only its servers
 * and load generators (they saturate the cores); its driver alone may just be waiting for a quiet machine.
 */
function otherBenchmark(loading = false): string {
  const pattern = loading ? 'bench/master-load/[^ ]*(load-gen|sim-agent|master-server|bare-server|server-child)' : 'bench/master-load';
  try {
    return execFileSync('pgrep', ['-af', pattern], { encoding: 'utf8' }).trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
}


/** Per interval: CPU used by everything else on the machine during the window, % of one core. */
const othersPercent = new Map<number, number>();

/** Per interval, when (performance.now()) another benchmark was first seen running in the window (checked every 10 s). */
const disturbed = new Map<number, number>();

function machine() {
  const otherBench = otherBenchmark();
  return {
    date: new Date().toISOString(),
    node: process.version,
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    clkTck: clockTicks(),
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
    otherBench,
  };
}

function spawnLogged(label: string, dir: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): { child: ChildProcess; log: string } {
  const log = join(dir, `${label.replace(/[^a-z0-9@.-]+/gi, '_')}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${label}`);
  return { child, log };
}

async function agentEnv(fx: ChainFixture, masterUrl: string, nodeId: string, dir: string): Promise<NodeJS.ProcessEnv> {
  const key = await fx.fundedKey();
  const i = fx.local.info;
  // As test/agent.test.ts builds it, plus PATH and HOME (a real service has them).
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SUI_RPC_URL: i.rpcUrl,
    K8S_DAAS_PACKAGE_ID: i.packageId,
    K8S_DAAS_REGISTRY_ID: i.registryId,
    K8S_DAAS_SCHEDULER_ID: i.schedulerId,
    K8S_DAAS_MASTER_URL: masterUrl.replace('http://', 'ws://'),
    K8S_DAAS_NODE_ID: nodeId,
    K8S_DAAS_SEAL_TOKEN: newSealToken(),
    K8S_DAAS_STATE_DIR: join(dir, `${nodeId}-state`),
    K3S_BIN: FAKE_K3S,
    K3S_EXTRA_ARGS: '--node-ip 127.0.0.1 --kubelet-arg "max-pods=50"',
    FAKE_K3S_RECORD: join(dir, `${nodeId}-k3s-starts.jsonl`),
    FAKE_K3S_EXPECT_TOKEN: NODE_TOKEN,
    LOG_LEVEL: opts['log-level'],
    ...FAST_FAKE_ENV,
    SUI_PRIVATE_KEY: key.getSecretKey(),
  };
}

function sampleAll(procs: Tracked[]): void {
  for (const p of procs) {
    if (p.exited) continue;
    try {
      p.samples.push(sampleProcess(p.pid));
    } catch {
      /* gone between the exit event and this read; the exit handler records it */
    }
  }
}

async function stop(p: Tracked): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const done = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(timer);
}

function summarise(p: Tracked, intervalS: number): Row {
  const w = p.samples.slice(p.windowFrom);
  const rss = w.map((s) => mib(s.rssBytes));
  let peak = 0;
  for (let i = 1; i < w.length; i++) peak = Math.max(peak, cpuPercent(w[i - 1], w[i]));
  const first = w[0];
  const last = w[w.length - 1];
  const startup = p.samples.slice(0, p.windowFrom + 1);
  const row: Row = {
    label: p.label,
    intervalS,
    variant: p.variant,
    rssStartMiB: rss[0],
    rssMedianMiB: median(rss),
    rssMaxMiB: Math.max(...rss),
    rssEndMiB: rss[rss.length - 1],
    anonMedianMiB: median(w.filter((s) => s.anonBytes !== undefined).map((s) => mib(s.anonBytes!))),
    cpuPercent: cpuPercent(first, last),
    cpuWithChildrenPercent: cpuPercent(first, last, true),
    cpuPeak1sPercent: peak,
    samples: w.length,
    windowS: (last.at - first.at) / 1000,
    ...(p.exited && { exited: p.exited }),
  };
  const seen = disturbed.get(intervalS);
  if (seen !== undefined) {
    // The last sample taken at least 10 s before it was seen (the check runs every 10 s).
    const clean = w.filter((s) => s.at <= seen - 10_000);
    if (clean.length >= 2) {
      row.cpuCleanPercent = cpuPercent(clean[0], clean[clean.length - 1]);
      row.cleanS = (clean[clean.length - 1].at - clean[0].at) / 1000;
    }
  }
  if (p.kind === 'agent') {
    row.beats = p.beatsInWindow;
    const gaps = p.beatTimes.slice(1).map((t, i) => (t - p.beatTimes[i]) / 1000);
    if (gaps.length) {
      row.beatGapMedianS = median(gaps);
      row.beatGapMaxS = Math.max(...gaps);
    }
    row.startupS = p.readyAt !== undefined && startup.length ? (p.readyAt - startup[0].at) / 1000 : undefined;
    // With the reaped children: the agent's startup step (registration) runs in a child process it waits for.
    row.startupCpuS = startup.length ? (startup[startup.length - 1].cpuMs + startup[startup.length - 1].childCpuMs) / 1000 : undefined;
    row.startupRssMaxMiB = startup.length ? Math.max(...startup.map((s) => mib(s.rssBytes))) : undefined;
  }
  return row;
}

async function runInterval(fx: ChainFixture, intervalS: number, bundle: Bundle | null, dir: string): Promise<Row[]> {
  const m = await startTestMaster(fx, { heartbeatIntervalMs: intervalS * 1000, offlineAfterMs: Math.max(60_000, intervalS * 6_000) });
  const procs: Tracked[] = [];
  let sampler: NodeJS.Timeout | undefined;
  try {
    const variants: Array<{ variant: Variant; args: string[]; cwd: string }> = [{ variant: 'tsx', args: [...nodeArgs, join(REPO, 'bin/k8s-daas-agent.mjs')], cwd: REPO }];
    if (bundle) variants.push({ variant: 'bundle', args: [...nodeArgs, bundle.entry], cwd: bundle.cwd });
    const envs = await Promise.all(variants.map((v) => agentEnv(fx, m.master.url, `bench-${v.variant}-i${intervalS}-${process.pid}`, dir)));

    const track = (t: Omit<Tracked, 'pid' | 'samples' | 'windowFrom' | 'beatsInWindow' | 'beatTimes'>): Tracked => {
      const p: Tracked = { ...t, pid: t.child.pid!, samples: [], windowFrom: 0, beatsInWindow: 0, beatTimes: [] };
      t.child.once('exit', (code, signal) => {
        p.exited = `exit ${code ?? signal}`;
      });
      procs.push(p);
      return p;
    };
    // Started together so both see the same machine.
    const bare = spawnLogged(`bare@${intervalS}s`, dir, process.execPath, ['-e', 'setInterval(()=>{}, 1<<30)'], { PATH: process.env.PATH }, REPO);
    track({ label: `bare node (${intervalS}s run)`, kind: 'bare', variant: 'bare', ...bare });
    variants.forEach((v, i) => {
      const nodeId = envs[i].K8S_DAAS_NODE_ID!;
      const s = spawnLogged(`agent-${v.variant}@${intervalS}s`, dir, process.execPath, v.args, envs[i], v.cwd);
      track({ label: `agent ${v.variant} @${intervalS}s`, kind: 'agent', variant: v.variant, nodeId, ...s });
    });
    const agents = procs.filter((p) => p.kind === 'agent');

    let windowOpen = false;
    m.master.feed.on('heartbeat', (hb) => {
      const p = agents.find((a) => a.nodeId === hb.nodeId);
      if (!p) return;
      p.lastBeat = hb;
      if (p.readyAt === undefined && hb.k3s.state === 'running') p.readyAt = performance.now();
      if (windowOpen) {
        p.beatsInWindow++;
        p.beatTimes.push(performance.now());
      }
    });

    sampleAll(procs);
    sampler = setInterval(() => sampleAll(procs), 1000);

    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    while (agents.some((a) => a.readyAt === undefined)) {
      const dead = agents.find((a) => a.exited);
      if (dead) throw new Error(`${dead.label} ${dead.exited} before its first heartbeat; log: ${dead.log}\n${tail(dead.log)}`);
      if (Date.now() > deadline) {
        const slow = agents.filter((a) => a.readyAt === undefined);
        throw new Error(`no heartbeat with k3s running from ${slow.map((a) => a.label).join(', ')} within ${STARTUP_TIMEOUT_MS / 1000} s\n${slow.map((a) => `${a.log}:\n${tail(a.log)}`).join('\n')}`);
      }
      await sleep(100);
    }

    // Open the window: one boundary sample now, the 1 s sampler meanwhile, one boundary sample at the end.
    for (const p of procs) p.windowFrom = p.samples.length;
    sampleAll(procs);
    windowOpen = true;
    process.stdout.write(`  ${intervalS} s heartbeat: all agents up (${agents.map((a) => `${a.variant} ${((a.readyAt! - a.samples[0].at) / 1000).toFixed(1)} s`).join(', ')}); measuring ${windowMs / 1000} s…\n`);
    const progressEvery = Math.max(30_000, Math.round(windowMs / 10));
    const end = performance.now() + windowMs;
    let nextCheck = performance.now();
    const loadAtStart = loadavg()[0];
    // Everything else the machine does in the window: all busy time minus this process (master and
    // chain), the measured processes and the commands they ran. The fake k3s children are idle.
    const ownCpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const measuredCpu = () => procs.reduce((sum, p) => sum + (p.samples.at(-1)?.cpuMs ?? 0) + (p.samples.at(-1)?.childCpuMs ?? 0), 0);
    const busyAtStart = machineBusyMs() - ownCpu() - measuredCpu();
    const startedAt = performance.now();
    for (let next = performance.now() + progressEvery; performance.now() < end; ) {
      await sleep(Math.min(1000, end - performance.now()));
      const dead = procs.find((p) => p.exited);
      if (dead) throw new Error(`${dead.label} ${dead.exited} during the window; log: ${dead.log}\n${tail(dead.log)}`);
      if (performance.now() >= nextCheck) {
        nextCheck += 10_000;
        if (!disturbed.has(intervalS) && otherBenchmark(true)) {
          disturbed.set(intervalS, performance.now());
          process.stdout.write(`    WARNING: bench/master-load is running during the ${intervalS} s window; its CPU figures are distorted\n`);
        }
      }
      if (performance.now() >= next && performance.now() < end) {
        next += progressEvery;
        const left = Math.round((end - performance.now()) / 1000);
        process.stdout.write(`    ${left} s left; ${agents.map((a) => `${a.variant}: ${a.beatsInWindow} beats, RSS ${mib(a.samples.at(-1)!.rssBytes).toFixed(1)} MiB`).join('; ')}\n`);
      }
    }
    windowOpen = false;
    clearInterval(sampler);
    sampler = undefined;
    sampleAll(procs);
    othersPercent.set(intervalS, (100 * (machineBusyMs() - ownCpu() - measuredCpu() - busyAtStart)) / (performance.now() - startedAt));
    process.stdout.write(`    other programs used ${othersPercent.get(intervalS)!.toFixed(1)} % of a core on average; 1-min load average ${loadAtStart.toFixed(2)} at the start of the window, ${loadavg()[0].toFixed(2)} at its end\n`);
    return procs.map((p) => summarise(p, intervalS));
  } finally {
    if (sampler) clearInterval(sampler);
    await Promise.all(procs.map(stop));
    await m.master.close();
  }
}

function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const f1 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(1));
const f2 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(2));

function table(rows: Row[]): string {
  const head = rows.map((r) => (r.variant === 'bare' ? `bare node (${r.intervalS}s run)` : `agent ${r.variant}@${r.intervalS}s`));
  const lines: Array<[string, (r: Row) => string]> = [
    ['RSS start (MiB)', (r) => f1(r.rssStartMiB)],
    ['RSS median (MiB)', (r) => f1(r.rssMedianMiB)],
    ['RSS max (MiB)', (r) => f1(r.rssMaxMiB)],
    ['RSS end (MiB)', (r) => f1(r.rssEndMiB)],
    ['RSS anon median (MiB)', (r) => f1(r.anonMedianMiB)],
    ['CPU, % of one core', (r) => f2(r.cpuPercent)],
    ...(rows.some((r) => r.cleanS !== undefined)
      ? ([['CPU, clean part (%) / its s', (r: Row) => (r.cleanS === undefined ? '—' : `${f2(r.cpuCleanPercent)} / ${r.cleanS.toFixed(0)}`)]] as Array<[string, (r: Row) => string]>)
      : []),
    ['CPU + reaped children (%)', (r) => f2(r.cpuWithChildrenPercent)],
    ['CPU, busiest 1 s (%)', (r) => f1(r.cpuPeak1sPercent)],
    ['heartbeats in window', (r) => (r.beats === undefined ? '—' : String(r.beats))],
    ['heartbeat gap median / max (s)', (r) => (r.beatGapMedianS === undefined ? '—' : `${f2(r.beatGapMedianS)} / ${f2(r.beatGapMaxS)}`)],
    ['other programs\' CPU (% of a core)', (r) => f1(othersPercent.get(r.intervalS))],
    ['window (s) / samples', (r) => `${r.windowS.toFixed(0)} / ${r.samples}`],
    ['startup: time to 1st beat (s)', (r) => f1(r.startupS)],
    ['startup: CPU used, with children (s)', (r) => f2(r.startupCpuS)],
    ['startup: RSS max (MiB)', (r) => f1(r.startupRssMaxMiB)],
  ];
  const w0 = Math.max(...lines.map(([l]) => l.length));
  const ws = head.map((h) => Math.max(h.length, 8));
  const fmt = (first: string, cells: string[]) => `| ${first.padEnd(w0)} | ${cells.map((c, i) => c.padStart(ws[i])).join(' | ')} |`;
  return [fmt('', head), `|${'-'.repeat(w0 + 2)}|${ws.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`, ...lines.map(([l, f]) => fmt(l, rows.map(f)))].join('\n');
}

interface Verdict {
  what: string;
  pass: boolean;
  detail: string;
}

function verdicts(rows: Row[]): Verdict[] {
  const out: Verdict[] = [];
  for (const r of rows.filter((x) => x.variant !== 'bare')) {
    const bare = rows.find((x) => x.variant === 'bare' && x.intervalS === r.intervalS)!;
    const limit = bare.rssMedianMiB + RSS_BUDGET_MIB;
    // Judged on the median (steady state): the first minutes after start still hold startup garbage
    // and compiled startup code that V8 gives back later. The max is shown beside it.
    out.push({
      what: `agent ${r.variant}@${r.intervalS}s RSS`,
      pass: r.rssMedianMiB <= limit,
      detail: `median ${f1(r.rssMedianMiB)} MiB vs bare ${f1(bare.rssMedianMiB)} + ${RSS_BUDGET_MIB} = ${f1(limit)} MiB: agent − bare = +${f1(r.rssMedianMiB - bare.rssMedianMiB)} MiB (max +${f1(r.rssMaxMiB - bare.rssMedianMiB)}${r.rssMaxMiB > limit ? ', over' : ''})`,
    });
    if (r.intervalS === CPU_TARGET_INTERVAL_S) {
      out.push({ what: `agent ${r.variant}@${r.intervalS}s CPU`, pass: r.cpuPercent <= CPU_TARGET_PERCENT, detail: `${f2(r.cpuPercent)} % of one core vs ≤ ${CPU_TARGET_PERCENT} % (bare ${f2(bare.cpuPercent)} %)${disturbed.has(r.intervalS) ? `; DISTORTED: bench/master-load ran in this window${r.cleanS !== undefined ? `, clean part ${f2(r.cpuCleanPercent)} % over ${r.cleanS.toFixed(0)} s` : ''}` : ''}` });
    }
  }
  return out;
}

async function main(): Promise<void> {
  const facts = machine();
  const bundle = opts['no-bundle'] ? null : opts.bundle ? bundleFromPath(REPO, opts.bundle) : buildBundle(REPO);
  process.stdout.write(
    `agent resources: ${opts.quick ? 'quick, ' : ''}${windowMs / 1000} s window per interval, heartbeat ${intervalsS.join(' s and ')} s\n` +
      `machine: ${facts.nproc} cores (${facts.cpu}), ${facts.memGiB} GiB, Linux ${facts.kernel}, node ${facts.node}, CLK_TCK ${facts.clkTck}, load ${facts.loadavg.join(' ')}, ${facts.date}\n` +
      `agents${nodeArgs.length ? ` (node ${nodeArgs.join(' ')})` : ''}: tsx (node bin/k8s-daas-agent.mjs)${bundle ? `, bundle ${bundle.version ?? ''} (${bundle.source}; node ${bundle.entry})` : `, no bundled build (${opts['no-bundle'] ? '--no-bundle' : 'no scripts/build-agent-bundle.ts; --bundle PATH to point at one'})`}\n`,
  );
  if (facts.otherBench) process.stdout.write(`WARNING: another benchmark is running; CPU figures will be distorted:\n${facts.otherBench}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'k8s-daas-agent-resources-'));
  process.stdout.write(`logs: ${dir}\n`);

  const fx = await startChainFixture();
  const rows: Row[] = [];
  try {
    for (const s of intervalsS) rows.push(...(await runInterval(fx, s, bundle, dir)));
  } finally {
    await fx.close();
  }
  const after = machine();
  const v = verdicts(rows);
  process.stdout.write(`\n${table(rows)}\n\n`);
  for (const x of v) process.stdout.write(`${x.pass ? 'PASS' : 'FAIL'}  ${x.what}: ${x.detail}\n`);
  process.stdout.write(`\nload average at the end: ${after.loadavg.join(' ')}\n`);
  if (disturbed.size) process.stdout.write(`WARNING: bench/master-load ran during the ${[...disturbed.keys()].join(' s and ')} s window(s): rerun for clean CPU figures (the "clean part" row is the CPU before it was seen)\n`);
  if (opts.json) writeFileSync(opts.json, `${JSON.stringify({ machine: facts, end: after, disturbedIntervalsS: [...disturbed.keys()], othersPercent: Object.fromEntries(othersPercent), windowS: windowMs / 1000, nodeArgs, bundle, rows, verdicts: v }, null, 2)}\n`);
  process.exitCode = v.every((x) => x.pass) ? 0 : 1;
}

main().then(
  // The chain fixture and pino may leave handles open; the report is out.
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`agent-resources: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
