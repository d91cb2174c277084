/**
 * The master's V8 heap growth. Its old generation is mostly a large live set that hardly changes
 * (every agent's socket, session and heartbeat slot), and a slow trickle of promoted garbage. V8
 * sizes the next collection's limit from how fast it marks: marking this heap is fast, so it picks a
 * factor near its minimum (~1.1) and, at 10,000 agents, re-marks ~60 MB every ~12 s to reclaim ~5 MB.
 * Each of those collections costs the main thread tens of milliseconds in marking steps and a final
 * pause, and every agent's ack waits behind them (bench/README.md, "Sixth round"). A fixed factor
 * of 2 lets the old generation grow to twice its live size before the next one: about ten times
 * fewer full collections, for at most the live size again in memory.
 */
import { setFlagsFromString } from 'node:v8';

const FLAG = '--heap-growing-percent';
/** Growth factor 1 + 100/100 = 2. */
const HEAP_GROWING_PERCENT = 100;

/**
 * Sets the heap growing factor, unless the operator gave node a `--heap-growing-percent` of their
 * own (which then stands). V8 reads the flag whenever it sets a new limit, so setting it at
 * start-up is enough. Returns the flag set, or null.
 */
export function tuneHeapGrowth(execArgv: readonly string[] = process.execArgv): string | null {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg))) return null;
  const flag = `${FLAG}=${HEAP_GROWING_PERCENT}`;
  setFlagsFromString(flag);
  return flag;
}
