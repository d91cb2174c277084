import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tuneHeapGrowth } from './heap-tuning.ts';

const execFileAsync = promisify(execFile);
const MODULE = new URL('./heap-tuning.ts', import.meta.url).href;

/**
 * In a node of its own: `before` runs, then tuneHeapGrowth(); then a live set of ~43 MB is built,
 * and ~30 MB of garbage is pushed into the old generation (batches kept alive long enough to be
 * promoted, then dropped). Prints what tuneHeapGrowth returned and how many full collections the
 * garbage caused (and the live set's length, so that the live set stays live until then).
 */
async function promoteGarbage(nodeFlags: string[], before = ''): Promise<{ flag: string | null; majors: number }> {
  const script = `
    import v8 from 'node:v8';
    import { PerformanceObserver, constants } from 'node:perf_hooks';
    import { tuneHeapGrowth } from ${JSON.stringify(MODULE)};
    ${before}
    const flag = tuneHeapGrowth();
    const live = Array.from({ length: 250_000 }, (_, i) => ({ i, name: 'worker-' + i, pair: [i, i + 1] }));
    globalThis.gc();
    let majors = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
    }).observe({ entryTypes: ['gc'] });
    const kept = [];
    for (let round = 0; round < 16; round++) {
      kept.push(Array.from({ length: 20_000 }, (_, i) => ({ round, i, v: [i] })));
      if (kept.length > 8) kept.shift();
      await new Promise((resolve) => setImmediate(resolve));
    }
    setTimeout(() => console.log(JSON.stringify({ flag, majors, live: live.length })), 50);
  `;
  const { stdout } = await execFileAsync(process.execPath, ['--expose-gc', ...nodeFlags, '--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { flag: string | null; majors: number };
}

describe('tuneHeapGrowth', () => {
  it('leaves a --heap-growing-percent given to node alone, in either spelling', () => {
    expect(tuneHeapGrowth(['--heap-growing-percent=30'])).toBeNull();
    expect(tuneHeapGrowth(['--max-old-space-size=512', '--heap_growing_percent=30'])).toBeNull();
    expect(tuneHeapGrowth(['--heap-growing-percent', '30'])).toBeNull();
  });

  // V8's own choice for the master's heap is a factor near 1.1; simulated here by setting 10 %
  // first, which tuneHeapGrowth must replace: with it, the old generation takes the garbage
  // without a full collection; without it, the same garbage costs at least one.
  it('lets the old generation grow to twice its live size before a full collection', async () => {
    const tuned = await promoteGarbage([], `v8.setFlagsFromString('--heap-growing-percent=10');`);
    expect(tuned.flag).toBe('--heap-growing-percent=100');
    expect(tuned.majors).toBe(0);
  }, 40_000);

  it("keeps the operator's own factor", async () => {
    const own = await promoteGarbage(['--heap-growing-percent=10']);
    expect(own.flag).toBeNull();
    expect(own.majors).toBeGreaterThan(0);
  }, 40_000);
});
