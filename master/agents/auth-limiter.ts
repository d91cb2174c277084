/**
 * Per-IP limit on failed authentications: a peer that fails `maxFailures` times within `windowMs`
 * is refused until the window has passed. Guessing seal keys is hopeless anyway; this keeps a
 * misbehaving or misconfigured agent from costing signature checks and log lines forever.
 */
import type { Clock } from '../../shared/clock.ts';

export interface AuthLimiterOptions {
  clock: Clock;
  maxFailures?: number;
  windowMs?: number;
  /** Bound on tracked addresses, so a flood of sources cannot grow memory without limit. */
  maxTracked?: number;
}

export class AuthFailureLimiter {
  #failures = new Map<string, number[]>();
  #clock: Clock;
  #max: number;
  #window: number;
  #maxTracked: number;

  constructor(options: AuthLimiterOptions) {
    this.#clock = options.clock;
    this.#max = options.maxFailures ?? 10;
    this.#window = options.windowMs ?? 60_000;
    this.#maxTracked = options.maxTracked ?? 100_000;
  }

  /** True when `ip` has used up its failures for the current window. */
  blocked(ip: string): boolean {
    return this.#recent(ip).length >= this.#max;
  }

  /** Counts one failed authentication from `ip`. */
  fail(ip: string): void {
    const recent = this.#recent(ip);
    recent.push(this.#clock.now());
    this.#failures.delete(ip);
    this.#failures.set(ip, recent);
    if (this.#failures.size > this.#maxTracked) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
  }

  #recent(ip: string): number[] {
    const cutoff = this.#clock.now() - this.#window;
    const list = (this.#failures.get(ip) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.#failures.delete(ip);
    return list;
  }
}
