import { describe, expect, it } from 'vitest';
import { createBackoff } from './backoff.ts';

describe('createBackoff', () => {
  it('doubles from the base up to the cap, and reset starts over', () => {
    const b = createBackoff({ name: 't', baseMs: 1000, maxMs: 30_000, jitter: 0 });
    expect(Array.from({ length: 7 }, () => b.next())).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(b.attempts).toBe(7);
    b.reset();
    expect(b.next()).toBe(1000);
    expect(b.max()).toBe(30_000);
  });

  it('jitters downwards only, within the fraction', () => {
    const b = createBackoff({ name: 't', baseMs: 1000, maxMs: 1000, jitter: 0.5, random: () => 0.999 });
    const d = b.next();
    expect(d).toBeGreaterThanOrEqual(500);
    expect(d).toBeLessThanOrEqual(1000);
  });

  it('rejects nonsense', () => {
    expect(() => createBackoff({ name: 't', baseMs: 0 })).toThrow(RangeError);
    expect(() => createBackoff({ name: 't', baseMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});
