import { describe, expect, it } from 'vitest';
import { Histogram } from './histogram.ts';

describe('Histogram', () => {
  it('reports percentiles within the bucket width', () => {
    const h = new Histogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10); // 0.1 … 100 ms
    expect(h.quantile(0.5)).toBeGreaterThan(50 * 0.96);
    expect(h.quantile(0.5)).toBeLessThan(50 * 1.05);
    expect(h.quantile(0.99)).toBeGreaterThan(99 * 0.96);
    expect(h.quantile(0.99)).toBeLessThanOrEqual(100);
    expect(h.quantile(1)).toBe(100);
  });

  it('merges what crossed a process boundary as JSON', () => {
    const a = new Histogram();
    const b = new Histogram();
    for (let i = 0; i < 99; i++) a.record(1);
    b.record(500);
    const merged = Histogram.from(JSON.parse(JSON.stringify(a))).merge(JSON.parse(JSON.stringify(b)));
    expect(merged.count).toBe(100);
    expect(merged.quantile(0.5)).toBeCloseTo(1, 1);
    expect(merged.maxMs).toBe(500);
    expect(new Histogram().quantile(0.5)).toBeNaN();
  });
});
