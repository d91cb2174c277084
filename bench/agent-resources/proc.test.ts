import { describe, expect, it } from 'vitest';
import { cpuPercent, median, parseStatTicks, parseVmRssBytes, sampleProcess } from './proc.ts';

describe('agent-resources /proc sampling', () => {
  it('reads utime+stime after a command name holding spaces and parentheses', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 2900 0 0 0 123 45 0 0 20 0 11 0 1000 1100000000 9000 18446744073709551615';
    expect(parseStatTicks(stat)).toEqual({ own: 168, children: 0 });
    expect(parseStatTicks('7 (a b) S 1 7 7 0 -1 0 0 0 0 0 10 5 30 7 20 0')).toEqual({ own: 15, children: 37 });
  });

  it('reads VmRSS in bytes, and refuses a status without one', () => {
    expect(parseVmRssBytes('Name:\tnode\nVmHWM:\t  50000 kB\nVmRSS:\t   40960 kB\nRssAnon:\t 1 kB\n')).toBe(40960 * 1024);
    expect(() => parseVmRssBytes('Name:\tnode\nState:\tZ (zombie)\n')).toThrow(/VmRSS/);
  });

  it('computes medians and CPU shares', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const a = { at: 0, cpuMs: 100, childCpuMs: 0, rssBytes: 0 };
    const b = { at: 10_000, cpuMs: 150, childCpuMs: 30, rssBytes: 0 };
    expect(cpuPercent(a, b)).toBe(0.5);
    expect(cpuPercent(a, b, true)).toBe(0.8);
  });

  it('samples a live process', () => {
    const s = sampleProcess(process.pid);
    expect(s.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(s.cpuMs).toBeGreaterThan(0);
  });
});
