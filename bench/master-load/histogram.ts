/**
 * A latency histogram with log-spaced buckets (4 % wide, 10 µs … 2 min), so millions of samples
 * cost a fixed 400 counters and load processes can ship theirs to the runner to be merged.
 * Percentiles are accurate to the bucket width (±2 %).
 */
const MIN_MS = 0.01;
const GROWTH = 1.04;
const BUCKETS = Math.ceil(Math.log(120_000 / MIN_MS) / Math.log(GROWTH)) + 1;
const LOG_GROWTH = Math.log(GROWTH);

/** Plain data: what crosses the IPC channel. */
export interface HistogramData {
  counts: number[];
  count: number;
  sumMs: number;
  maxMs: number;
}

export class Histogram {
  readonly counts = new Array<number>(BUCKETS).fill(0);
  count = 0;
  sumMs = 0;
  maxMs = 0;

  /** Records one latency in milliseconds (negative values count as 0). */
  record(ms: number): void {
    const v = ms > 0 ? ms : 0;
    const i = v <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log(v / MIN_MS) / LOG_GROWTH) + 1);
    this.counts[i]++;
    this.count++;
    this.sumMs += v;
    if (v > this.maxMs) this.maxMs = v;
  }

  /** Adds another histogram's samples to this one. */
  merge(other: HistogramData): this {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] += other.counts[i] ?? 0;
    this.count += other.count;
    this.sumMs += other.sumMs;
    this.maxMs = Math.max(this.maxMs, other.maxMs);
    return this;
  }

  /** The latency below which a fraction `q` (0…1) of samples fall; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(this.maxMs, i === 0 ? MIN_MS : MIN_MS * Math.pow(GROWTH, i));
    }
    return this.maxMs;
  }

  toJSON(): HistogramData {
    return { counts: [...this.counts], count: this.count, sumMs: this.sumMs, maxMs: this.maxMs };
  }

  static from(data: HistogramData): Histogram {
    return new Histogram().merge(data);
  }
}
