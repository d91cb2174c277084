/**
 * The figures as a table, master beside the bare `ws` yardstick, and the targets of issue 3, each
 * marked PASS or FAIL.
 */
import { perAgent, type ServerRun, type StepResult } from './results.ts';

export interface Verdict {
  target: string;
  measured: string;
  pass: boolean;
}

const HELD_TARGET = 10_000;

/** The side-by-side table of one agent count. */
export function figuresTable(master: ServerRun | undefined, bare: ServerRun | undefined): string {
  const runs = [master, bare];
  const n = (master ?? bare)!.agents;
  const col = (f: (r: ServerRun) => string) => runs.map((r) => (r ? f(r) : '—'));
  const at = (r: ServerRun, f: (s: StepResult) => string) => {
    const s = rateStep(r, 1000);
    return s ? f(s) : '—';
  };
  const memSteady = (r: ServerRun) => perAgent(r.memoryIdle, r.memorySteady, r.agents);
  const memFull = (r: ServerRun) => perAgent(r.memoryIdle, r.memorySustained, r.agents);
  const rows: Array<[string, string[]]> = [
    ['server start (ms; master: incl. reading the chain)', col((r) => int(r.startMs))],
    ['connect+auth of all agents, 256 at a time (s)', col((r) => sec(r.connect.elapsedMs))],
    ['  welcomed / failed', col((r) => `${r.connect.welcomed} / ${r.connect.failed}`)],
    ['  per agent connect→welcome p50 / p99 (ms)', col((r) => `${int(r.connect.p50Ms)} / ${int(r.connect.p99Ms)}`)],
    ['  server CPU meanwhile (% of one core)', col((r) => pct(r.connect.serverCores))],
    [`steady ${int(n / 10)} hb/s (10 s interval): acked/s`, col((r) => int(r.steady.ackedPerSec))],
    ['  ack latency p50 / p99 (ms)', col((r) => `${ms(r.steady.p50Ms)} / ${ms(r.steady.p99Ms)}`)],
    ['  server CPU per heartbeat (µs)', col((r) => int(r.steady.cpuMsPerHeartbeat * 1000))],
    ['  server CPU (% of one core)', col((r) => pct(r.steady.serverCores))],
    ['ack p50 / p99 at 1,000 hb/s (ms)', col((r) => at(r, (s) => `${ms(s.p50Ms)} / ${ms(s.p99Ms)}`))],
    ['throughput at saturation (acked hb/s)', col((r) => int(r.saturationPerSec))],
    ['  highest rate with p99 ≤ 5 ms / ≤ 100 ms (hb/s)', col((r) => `${int(r.maxRateP99Under5ms)} / ${int(r.maxRateP99Under100ms)}`)],
    ['sustained at 80 % of saturation (acked hb/s)', col((r) => `${int(r.sustained.ackedPerSec)} for ${sec((r.sustained.sent / Math.max(1, r.sustained.sentPerSec)) * 1000)} s`)],
    ['  ack p50 / p99 (ms)', col((r) => `${ms(r.sustained.p50Ms)} / ${ms(r.sustained.p99Ms)}`)],
    ['  server CPU per heartbeat (µs)', col((r) => int(r.sustained.cpuMsPerHeartbeat * 1000))],
    ['RSS idle → steady → sustained (MB)', col((r) => `${mb(r.memoryIdle.rssBytes)} → ${mb(r.memorySteady.rssBytes)} → ${mb(r.memorySustained.rssBytes)}`)],
    ['RSS per agent after steady (KB)', col((r) => kb(memSteady(r).rssBytes))],
    ['RSS per agent after sustained (KB)', col((r) => `${kb(memFull(r).rssBytes)} (${r.beatsPerAgent.toFixed(0)} beats/agent)`)],
    ['  JS heap+external per agent, steady / sustained (KB)', col((r) => `${kb(memSteady(r).heapBytes)} / ${kb(memFull(r).heapBytes)}`)],
    ['reconnect storm, all at once (s)', col((r) => sec(r.storm.elapsedMs))],
    ['  welcomed / failed / retries', col((r) => `${r.storm.welcomed} / ${r.storm.failed} / ${r.storm.retries}`)],
    ['  per agent drop→welcome p50 / p99 (ms)', col((r) => `${int(r.storm.p50Ms)} / ${int(r.storm.p99Ms)}`)],
    ['  server CPU meanwhile (% of one core)', col((r) => pct(r.storm.serverCores))],
    ['  pool: active+connected / total', col((r) => (r.storm.poolTotal === null ? 'n/a' : `${r.storm.poolActiveConnected} / ${r.storm.poolTotal}`))],
    ['  one beat per agent after it: acked / sent', col((r) => `${r.storm.afterStorm.ackedOfSent} / ${r.storm.afterStorm.sent}`)],
    ['sockets closed unexpectedly', col((r) => String(r.unexpectedCloses))],
  ];
  return table([[`── ${int(n)} agents ──`, ['master', 'bare ws']], ...rows]);
}

/** The windows of one run, one line each. */
export function ladderTable(run: ServerRun): string {
  const head = ['acked/s', 'p50 ms', 'p99 ms', 'max ms', 'srv core', 'µs/hb', 'loop p99', 'load cores', 'other cores', ''];
  const rows: Array<[string, string[]]> = [[`${run.kind} @ ${int(run.agents)} agents: offered hb/s`, head]];
  const line = (name: string, s: StepResult): [string, string[]] => [
    `  ${name}${int(s.offeredPerSec)}`,
    [int(s.ackedPerSec), ms(s.p50Ms), ms(s.p99Ms), ms(s.maxMs), pct(s.serverCores), int(s.cpuMsPerHeartbeat * 1000), ms(s.probes.loopDelayP99Ms), s.loadCores.toFixed(2), s.otherCores.toFixed(2), [s.saturated ? 'saturated' : '', s.disturbed ? 'disturbed' : ''].filter(Boolean).join(', ')],
  ];
  rows.push(line('steady ', run.steady), ...run.steps.map((s) => line('', s)), line('sustained ', run.sustained));
  return table(rows);
}

/** The targets, judged on the largest run that has both servers. */
export function verdicts(master: ServerRun, bare: ServerRun): Verdict[] {
  const n = master.agents;
  const small = n < HELD_TARGET ? ` (measured at ${int(n)}, target is ${int(HELD_TARGET)})` : '';
  const at1000 = rateStep(master, 1000);
  const throughputRatio = master.saturationPerSec / bare.saturationPerSec;
  const mMem = perAgent(master.memoryIdle, master.memorySustained, n).rssBytes;
  const bMem = perAgent(bare.memoryIdle, bare.memorySustained, bare.agents).rssBytes;
  const memoryRatio = mMem / Math.max(1, bMem);
  const s = master.storm;
  const stormOk = s.welcomed === n && s.failed === 0 && s.poolTotal === n && s.poolActiveConnected === n && s.afterStorm.lost === 0;
  return [
    {
      target: `${int(HELD_TARGET)} agents held${small}`,
      measured: `${master.connect.welcomed}/${n} welcomed, ${master.unexpectedCloses} dropped by the master`,
      pass: n >= HELD_TARGET && master.connect.welcomed === n && master.unexpectedCloses === 0,
    },
    {
      target: 'ack p99 ≤ 5 ms at 1,000 heartbeats/s',
      measured: at1000 ? `p99 ${ms(at1000.p99Ms)} ms (p50 ${ms(at1000.p50Ms)} ms) over ${int(n)} sockets` : 'no 1,000/s window',
      pass: Boolean(at1000 && at1000.p99Ms <= 5),
    },
    {
      target: 'throughput at saturation ≥ ½ the bare server’s',
      measured: `${int(master.saturationPerSec)} vs ${int(bare.saturationPerSec)} hb/s (${pct(throughputRatio)})`,
      pass: throughputRatio >= 0.5,
    },
    {
      target: 'memory per agent ≤ 4× the bare server’s',
      measured: `${kb(mMem)} vs ${kb(bMem)} KB RSS per agent after the sustained window (${memoryRatio.toFixed(1)}×)`,
      pass: memoryRatio <= 4,
    },
    {
      target: `reconnect of all ${int(HELD_TARGET)} at once, no lost worker${small}`,
      measured: `${s.welcomed}/${n} welcomed in ${sec(s.elapsedMs)} s (${s.retries} retries), pool ${s.poolActiveConnected}/${s.poolTotal} active+connected`,
      pass: n >= HELD_TARGET && stormOk,
    },
  ];
}

export function verdictTable(list: readonly Verdict[]): string {
  return table([['target', ['measured', 'verdict']], ...list.map((v): [string, string[]] => [v.target, [v.measured, v.pass ? 'PASS' : 'FAIL']])]);
}

/** The window at `rate` hb/s: the steady one or a ladder step. */
function rateStep(r: ServerRun, rate: number): StepResult | undefined {
  return [r.steady, ...r.steps].find((s) => Math.abs(s.offeredPerSec - rate) < 1);
}

function table(rows: ReadonlyArray<[string, readonly string[]]>): string {
  const cols = Math.max(...rows.map((r) => r[1].length));
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const widths = Array.from({ length: cols }, (_, i) => Math.max(...rows.map((r) => (r[1][i] ?? '').length)));
  return rows.map(([label, cells]) => [label.padEnd(w0), ...cells.map((c, i) => c.padStart(widths[i]))].join('  ').trimEnd()).join('\n');
}

const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');
const ms = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(0)) : '—');
const sec = (x: number) => (x / 1000).toFixed(1);
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
const mb = (x: number) => (x / 1024 / 1024).toFixed(0);
const kb = (x: number) => (x / 1024).toFixed(1);
