import { describe, expect, it } from 'vitest';
import { createReconnectBackoff, jittered } from './backoff.ts';

const fixed = (r: number) => () => r;

describe('createReconnectBackoff', () => {
  it('draws each delay under a ceiling that doubles from the base up to the cap (full jitter)', () => {
    const top = createReconnectBackoff({ name: 't', baseMs: 500, maxMs: 30_000, random: fixed(0.999999) });
    expect(Array.from({ length: 9 }, () => top.next())).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    const bottom = createReconnectBackoff({ name: 't', random: fixed(0) });
    expect(Array.from({ length: 5 }, () => bottom.next())).toEqual([0, 0, 0, 0, 0]);
    const mid = createReconnectBackoff({ name: 't', random: fixed(0.5) });
    expect([mid.next(), mid.next(), mid.next()]).toEqual([250, 500, 1000]);
    expect(mid.attempts).toBe(3);
    expect(mid.ceiling()).toBe(4000);
  });

  it('spreads delays over the whole window with a real random source', () => {
    const b = createReconnectBackoff({ name: 't', baseMs: 1000, maxMs: 1000 });
    const delays = Array.from({ length: 500 }, () => b.next());
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);
    expect(Math.min(...delays)).toBeLessThan(100);
    expect(Math.max(...delays)).toBeGreaterThan(900);
  });

  it('keeps a floor when asked (the long backoff for rejected auth)', () => {
    const b = createReconnectBackoff({ name: 'master-rejected', baseMs: 30_000, minMs: 15_000, maxMs: 300_000, random: fixed(0) });
    expect([b.next(), b.next()]).toEqual([15_000, 15_000]);
    const hi = createReconnectBackoff({ name: 'master-rejected', baseMs: 30_000, minMs: 15_000, maxMs: 300_000, random: fixed(1) });
    expect(Array.from({ length: 6 }, () => hi.next())).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000]);
  });

  it('resets after a session that stayed up long enough, not after a short one', () => {
    const b = createReconnectBackoff({ name: 't', stableAfterMs: 60_000, random: fixed(1) });
    b.next();
    b.next();
    b.next();
    expect(b.resetIfStable(59_999)).toBe(false);
    expect(b.next()).toBe(4000);
    expect(b.resetIfStable(60_000)).toBe(true);
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(500);
    b.reset();
    expect(b.ceiling()).toBe(500);
  });

  it('stays at the cap after a very long outage', () => {
    const b = createReconnectBackoff({ name: 't', factor: 10, random: fixed(1) });
    for (let i = 0; i < 2000; i++) b.next();
    expect(b.next()).toBe(30_000);
  });

  it('refuses a nonsensical configuration', () => {
    expect(() => createReconnectBackoff({ name: 'x', baseMs: 0 })).toThrow(RangeError);
    expect(() => createReconnectBackoff({ name: 'x', baseMs: 1000, maxMs: 500 })).toThrow(RangeError);
    expect(() => createReconnectBackoff({ name: 'x', minMs: 600, baseMs: 500 })).toThrow(RangeError);
    expect(() => createReconnectBackoff({ name: 'x', factor: 0.5 })).toThrow(/backoff x/);
  });
});

describe('jittered', () => {
  it('moves an interval by at most ±fraction', () => {
    expect(jittered(10_000, 0.1, fixed(0))).toBe(9000);
    expect(jittered(10_000, 0.1, fixed(0.5))).toBe(10_000);
    expect(jittered(10_000, 0.1, fixed(0.999999))).toBe(11_000);
    expect(jittered(1, 0.5, fixed(0))).toBe(1);
  });
});
