/**
 * Summarises a V8 `.cpuprofile` (from `run.ts --cpu-prof`) without a browser:
 *   npx tsx bench/master-load/profile-top.ts FILE.cpuprofile [--rows 30] [--callers FUNCTION] [--stalls MS]
 * - by default: the hottest functions and files by self time;
 * - --callers F: where the self time of F comes from (its callers, eight frames up);
 * - --stalls MS: the event loop's longest busy stretches (≥ MS without an idle sample), each with
 *   its wall-clock time and the project frames (master/, shared/) that ran most inside it.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CpuNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: CpuNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rows: { type: 'string', default: '30' }, callers: { type: 'string' }, stalls: { type: 'string' } } });
if (!positionals[0]) {
  process.stderr.write('usage: profile-top.ts FILE.cpuprofile [--rows N] [--callers FUNCTION] [--stalls MS]\n');
  process.exit(2);
}
const rows = Number(values.rows);
const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const where = (n: CpuNode) => n.callFrame.url.replace(/^.*node_modules\//, '~/').replace(/^file:\/\/.*?\/(master|shared|bench|localchain)\//, '$1/');
const label = (n: CpuNode) => `${n.callFrame.functionName || '(anonymous)'}  ${where(n)}:${n.callFrame.lineNumber + 1}`;
const isIdle = (id: number) => byId.get(id)!.callFrame.functionName === '(idle)';
const ours = (n: CpuNode) => /^(master|shared)\//.test(where(n));

function top(m: Map<string, number>, total: number, limit = rows): string {
  return [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([k, ms]) => `${ms.toFixed(0).padStart(8)} ms ${((ms / total) * 100).toFixed(1).padStart(5)} %  ${k}`)
    .join('\n');
}

const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

if (values.callers) {
  const stacks = new Map<string, number>();
  for (const n of profile.nodes) {
    if (n.callFrame.functionName !== values.callers) continue;
    const chain: string[] = [];
    for (let id = parent.get(n.id); id !== undefined && chain.length < 8; id = parent.get(id)) chain.push(label(byId.get(id)!).replace('  ', '@'));
    add(stacks, chain.join(' ← '), selfMs.get(n.id) ?? 0);
  }
  process.stdout.write(`callers of ${values.callers}\n${top(stacks, total)}\n`);
} else if (values.stalls) {
  const min = Number(values.stalls);
  const stalls: Array<{ at: number; ms: number; frames: Map<string, number> }> = [];
  let t = profile.startTime / 1000;
  let current: (typeof stalls)[number] | null = null;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    t += dt;
    if (isIdle(id)) {
      if (current && current.ms >= min) stalls.push(current);
      current = null;
      return;
    }
    current ??= { at: t, ms: 0, frames: new Map() };
    current.ms += dt;
    // Attribute the sample to the innermost project frame on its stack (else its own frame).
    let n: CpuNode | undefined = byId.get(id);
    let pick = label(n!);
    for (; n; n = parent.has(n.id) ? byId.get(parent.get(n.id)!) : undefined) {
      if (ours(n)) {
        pick = label(n);
        break;
      }
    }
    add(current.frames, pick, dt);
  });
  stalls.sort((a, b) => b.ms - a.ms);
  process.stdout.write(`${stalls.length} busy stretches ≥ ${min} ms\n`);
  for (const s of stalls.slice(0, rows)) {
    process.stdout.write(`\n${s.ms.toFixed(0)} ms busy from ${new Date(s.at).toISOString().slice(11, 23)}\n${top(s.frames, s.ms, 6)}\n`);
  }
} else {
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const n of profile.nodes) {
    const ms = selfMs.get(n.id) ?? 0;
    if (ms === 0) continue;
    add(byFunction, label(n), ms);
    add(byFile, where(n) || n.callFrame.functionName, ms);
  }
  process.stdout.write(`total ${total.toFixed(0)} ms sampled\n\nby function (self time)\n${top(byFunction, total)}\n\nby file\n${top(byFile, total)}\n`);
}
