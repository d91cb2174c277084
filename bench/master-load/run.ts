/**
 * Master load benchmark (issue 3, "Benchmark"):
 *   npx tsx bench/master-load/run.ts [--agents 1000,10000] [--quick] [--processes 1]
 *        [--only master|bare] [--fresh-chain] [--cpu-prof] [--quiet-wait S] [--json FILE]
 *        [--server-node-flags=--trace-gc]   (extra node flags for the servers; output in their logs)
 *        [--tsx]   (children from the TypeScript sources under tsx instead of bundles, as before)
 * For each agent count: a local chain with that many registered workers, then the master and the
 * bare `ws` yardstick in turn, each in its own process, driven by the same load generators. Prints
 * the figures side by side and the issue's targets as PASS/FAIL. Everything stays on 127.0.0.0/8,
 * every phase is bounded in time, and the whole run gives up after a hard deadline.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openBenchChain } from './chain-setup.ts';
import { bundleChildren } from './children.ts';
import type { ServerKind } from './fleet.ts';
import { runServer, type Timing } from './phases.ts';
import type { ServerRun } from './results.ts';
import { figuresTable, ladderTable, verdicts, verdictTable } from './report.ts';
import { machineBusyMs } from './proc-stats.ts';
import { benchSealSigner } from './workers.ts';

const LADDER = [1000, 1500, 2250, 3400, 5000, 7500, 11_000, 16_000, 20_000, 24_000, 28_000, 32_000, 40_000, 50_000];
const FULL: Omit<Timing, 'ladder'> = { warmupMs: 1000, settleMs: 30_000, steadyMs: 60_000, stepMs: 4000, sustainedMaxMs: 60_000, drainMs: 2000, connectTimeoutMs: 120_000 };
const QUICK: Omit<Timing, 'ladder'> = { warmupMs: 500, settleMs: 1000, steadyMs: 3000, stepMs: 1500, sustainedMaxMs: 5000, drainMs: 1000, connectTimeoutMs: 60_000 };

const { values } = parseArgs({
  options: {
    agents: { type: 'string' },
    quick: { type: 'boolean', default: false },
    // One load generator, as the issue's yardstick was measured ("the load generator on the same 2
    // cores"): four of them contend with the server for the two cores and add their own wake-ups to
    // every latency (bench/README.md, "Third round").
    processes: { type: 'string', default: '1' },
    only: { type: 'string' },
    'fresh-chain': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    json: { type: 'string' },
    'quiet-wait': { type: 'string', default: '180' },
    'server-node-flags': { type: 'string' },
    tsx: { type: 'boolean', default: false },
  },
});

const quick = values.quick!;
const sizes = (values.agents ?? (quick ? '200' : '1000,10000')).split(',').map((s) => Number(s.trim()));
if (sizes.some((n) => !Number.isInteger(n) || n < 10 || n > 16_000)) fail('--agents: a comma-separated list of counts between 10 and 16000 (the open-file limit is 20,000)');
const processes = Number(values.processes);
if (!Number.isInteger(processes) || processes < 1 || processes > 8) fail('--processes: 1 … 8');
const kinds: ServerKind[] = values.only === 'master' ? ['master'] : values.only === 'bare' ? ['bare'] : ['master', 'bare'];
const timing = quick ? QUICK : FULL;
// Hard deadline of the whole run; children also stop on their own (lifetime, or when this process goes).
const deadlineMs = (quick ? 5 : 12 + 8 * sizes.length) * 60_000 + Number(values['quiet-wait']) * 1000 * sizes.length * kinds.length;
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const workDir = join(tmpdir(), 'k8s-daas-bench');
const logDir = join(workDir, `logs-${stamp}`);
mkdirSync(logDir, { recursive: true });

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function log(line: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/**
 * Waits (at most --quiet-wait seconds) until other programs use under a third of a core: the
 * figures are only comparable on an otherwise idle machine. Returns the busy cores last seen.
 */
async function waitQuiet(): Promise<number> {
  const limitMs = Number(values['quiet-wait']) * 1000;
  const until = Date.now() + limitMs;
  for (;;) {
    const b0 = machineBusyMs();
    await new Promise((r) => setTimeout(r, 2000));
    const busy = (machineBusyMs() - b0) / 2000;
    if (busy < 0.33 || Date.now() >= until) {
      if (busy >= 0.33) log(`machine still busy (${busy.toFixed(2)} cores used by other programs): measuring anyway, figures are disturbed`);
      return busy;
    }
    log(`machine busy (${busy.toFixed(2)} cores used by other programs); waiting up to ${Math.round((until - Date.now()) / 1000)} s more`);
  }
}

async function benchSize(agents: number): Promise<Partial<Record<ServerKind, ServerRun>>> {
  const bc = await openBenchChain({
    workers: agents,
    cacheDir: workDir,
    fresh: values['fresh-chain'],
    pubkeys: async () => Array.from({ length: agents }, (_, i) => benchSealSigner(i).publicKey),
    progress: (done) => done % 1000 === 0 && log(`chain: ${done}/${agents} workers registered`),
  });
  log(`chain: ${agents} workers ${bc.cached ? 'loaded from the cache' : `registered in ${Math.round(bc.registerMs / 1000)} s`}`);
  const out: Partial<Record<ServerKind, ServerRun>> = {};
  try {
    for (const kind of kinds) {
      await waitQuiet();
      out[kind] = await runServer({
        kind,
        agents,
        processes,
        timing: { ...timing, ladder: LADDER.filter((r) => r > agents / 10) },
        server: {
          logDir,
          maxLifetimeMs: deadlineMs,
          nodeFlags: values['server-node-flags']?.split(' ').filter(Boolean),
          chain: { rpcUrl: bc.local.info.rpcUrl, packageId: bc.local.info.packageId, registryId: bc.local.info.registryId, schedulerId: bc.local.info.schedulerId },
        },
        profileDir: values['cpu-prof'] ? logDir : undefined,
        log,
      });
    }
  } finally {
    await bc.close();
  }
  return out;
}

async function main(): Promise<void> {
  const children = values.tsx ? 'tsx' : 'bundled';
  const machine = { nproc: availableParallelism(), cpu: cpus()[0]?.model ?? '?', node: process.version, date: new Date().toISOString(), logLevel: process.env.LOG_LEVEL ?? 'warn', children };
  log(`machine: ${machine.nproc} cores (${machine.cpu}), node ${machine.node}; ${processes} load processes (${children}); logs in ${logDir}`);
  if (!values.tsx) await bundleChildren(['./master-server.ts', './bare-server.ts', './load-gen.ts']);
  const results: Array<Partial<Record<ServerKind, ServerRun>>> = [];
  for (const n of sizes) results.push(await benchSize(n));
  const out: string[] = [`\nK8s-DaaS master load benchmark — ${machine.date}, ${machine.nproc} cores, node ${machine.node}, master LOG_LEVEL=${machine.logLevel}, children ${children}${quick ? ', QUICK (indicative only)' : ''}\n`];
  for (const r of results) out.push(figuresTable(r.master, r.bare), '');
  for (const r of results) for (const run of [r.master, r.bare]) if (run) out.push(ladderTable(run), '');
  const last = [...results].reverse().find((r) => r.master && r.bare);
  if (last) out.push('Targets (issue 3), judged on the largest run:', verdictTable(verdicts(last.master!, last.bare!)), '');
  process.stdout.write(`${out.join('\n')}\n`);
  const jsonFile = values.json ?? join(workDir, `results-${stamp}.json`);
  writeFileSync(jsonFile, JSON.stringify({ machine, processes, quick, timing, results }, null, 2));
  log(`results: ${jsonFile}`);
}

const hardStop = setTimeout(() => {
  log(`hard deadline of ${deadlineMs / 60_000} min reached: giving up (children stop on their own)`);
  process.exit(2);
}, deadlineMs);
hardStop.unref();

main().then(
  () => process.exit(0),
  (err: Error) => {
    log(`failed: ${err.stack}`);
    process.exit(1);
  },
);
