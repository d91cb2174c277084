/**
 * An exponential backoff with a name and a cap, owned by one retry loop (Tailscale's
 * `backoff.Backoff`): base, base·factor, base·factor², … up to maxMs, with optional jitter so a
 * fleet of workers restarted together does not hammer the server in lockstep.
 */
export interface BackoffOptions {
  /** Shown in logs, e.g. "k3s-restart". */
  name: string;
  /** First delay; default 1000 ms. */
  baseMs?: number;
  /** Cap; default 30000 ms. */
  maxMs?: number;
  /** Growth per attempt; default 2. */
  factor?: number;
  /** Fraction of the delay randomised (0…1), default 0.1: the delay lies in [d·(1-jitter), d]. */
  jitter?: number;
  /** Source of randomness in [0, 1); default Math.random. */
  random?: () => number;
}

export interface Backoff {
  readonly name: string;
  /** The delay before the next attempt; each call grows the following one. */
  next(): number;
  /** The capped delay, without advancing (used when retrying cannot help soon). */
  max(): number;
  /** Back to the base delay, after a stable run. */
  reset(): void;
  /** Attempts since the last reset. */
  readonly attempts: number;
}

/** Creates a backoff; throws RangeError for a non-positive base or a cap below the base. */
export function createBackoff(options: BackoffOptions): Backoff {
  const baseMs = options.baseMs ?? 1000;
  const maxMs = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  const jitter = Math.min(Math.max(options.jitter ?? 0.1, 0), 1);
  const random = options.random ?? Math.random;
  if (!(baseMs > 0) || !(maxMs >= baseMs) || !(factor >= 1)) {
    throw new RangeError(`backoff ${options.name}: need 0 < baseMs <= maxMs and factor >= 1`);
  }
  let attempts = 0;
  const shake = (ms: number) => Math.round(ms * (1 - jitter * random()));
  return {
    name: options.name,
    next() {
      const raw = Math.min(maxMs, baseMs * factor ** attempts);
      attempts++;
      return shake(raw);
    },
    max: () => shake(maxMs),
    reset() {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
  };
}
