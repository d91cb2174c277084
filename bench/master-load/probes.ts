/**
 * Measurement inside a server process, for the diagnosis of latency tails: the event loop's delay
 * (perf_hooks) and, in the master, the time spent in the pool's synchronous SQLite calls, by
 * wrapping the methods of the running PoolStore instance (the master's code is not changed).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface CallStats {
  calls: number;
  /** Rows handed in (heartbeat flush) or returned (sweep), where that means something. */
  rows: number;
  totalMs: number;
  maxMs: number;
}

export interface ServerProbes {
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Per wrapped method. */
  calls: Record<string, CallStats>;
}

const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const calls: Record<string, CallStats> = {};

/** Times every call of `obj[method]` (synchronous methods only). */
export function probeMethod<T extends object>(obj: T, method: keyof T & string, rowsOf?: (args: unknown[], result: unknown) => number): void {
  const original = obj[method] as unknown as (...a: unknown[]) => unknown;
  const stats: CallStats = (calls[method] ??= { calls: 0, rows: 0, totalMs: 0, maxMs: 0 });
  (obj as Record<string, unknown>)[method] = function (this: unknown, ...a: unknown[]) {
    const t0 = performance.now();
    const result = original.apply(this, a);
    const ms = performance.now() - t0;
    stats.calls++;
    stats.totalMs += ms;
    if (ms > stats.maxMs) stats.maxMs = ms;
    if (rowsOf) stats.rows += rowsOf(a, result);
    return result;
  };
}

/** The figures since the last call, then starts over. */
export function takeProbes(): ServerProbes {
  const out: ServerProbes = {
    loopDelayP50Ms: loop.percentile(50) / 1e6,
    loopDelayP99Ms: loop.percentile(99) / 1e6,
    loopDelayMaxMs: loop.max / 1e6,
    calls: structuredClone(calls),
  };
  loop.reset();
  for (const s of Object.values(calls)) Object.assign(s, { calls: 0, rows: 0, totalMs: 0, maxMs: 0 });
  return out;
}
