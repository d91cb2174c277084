/**
 * The reconnect backoff of the master session: exponential with full jitter (AWS "full jitter":
 * sleep = random in [floor, min(cap, base·factor^n)]), so a fleet of agents dropped together by a
 * master restart comes back spread over the window instead of in lockstep. Owned by one retry loop
 * and named, as Tailscale's control client does with its `backoff.Backoff`.
 */

export interface ReconnectBackoffOptions {
  /** Shown in logs, e.g. "master-reconnect". */
  name: string;
  /** Ceiling of the first delay; default 500 ms. */
  baseMs?: number;
  /** Cap of every delay; default 30 000 ms. */
  maxMs?: number;
  /** Growth of the ceiling per attempt; default 2. */
  factor?: number;
  /** Lowest delay ever returned; default 0 (pure full jitter). Must not exceed baseMs. */
  minMs?: number;
  /** A session that stayed healthy this long resets the backoff (resetIfStable); default 60 000 ms. */
  stableAfterMs?: number;
  /** Randomness in [0, 1); default Math.random. Tests pass a fixed sequence. */
  random?: () => number;
}

export interface ReconnectBackoff {
  readonly name: string;
  /** Failed attempts since the last reset. */
  readonly attempts: number;
  /** The delay before the next attempt, in [minMs, ceiling]; each call raises the next ceiling. */
  next(): number;
  /** The ceiling the next call to next() draws under, without advancing. */
  ceiling(): number;
  /** Back to the base delay. */
  reset(): void;
  /** Resets when a session was up at least stableAfterMs; returns whether it did. */
  resetIfStable(upMs: number): boolean;
}

/** Creates a backoff; throws RangeError unless 0 ≤ minMs ≤ baseMs ≤ maxMs and factor ≥ 1. */
export function createReconnectBackoff(options: ReconnectBackoffOptions): ReconnectBackoff {
  const baseMs = options.baseMs ?? 500;
  const maxMs = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  const minMs = options.minMs ?? 0;
  const stableAfterMs = options.stableAfterMs ?? 60_000;
  const random = options.random ?? Math.random;
  if (!(minMs >= 0 && baseMs >= minMs && baseMs > 0 && maxMs >= baseMs && factor >= 1)) {
    throw new RangeError(`backoff ${options.name}: need 0 <= minMs <= baseMs <= maxMs, baseMs > 0 and factor >= 1`);
  }
  let attempts = 0;
  // factor ** attempts may reach Infinity after a very long outage; Math.min still yields the cap.
  const ceiling = () => Math.min(maxMs, baseMs * factor ** attempts);
  return {
    name: options.name,
    get attempts() {
      return attempts;
    },
    next() {
      const top = ceiling();
      attempts++;
      return Math.round(minMs + random() * (top - minMs));
    },
    ceiling,
    reset() {
      attempts = 0;
    },
    resetIfStable(upMs) {
      if (upMs < stableAfterMs) return false;
      attempts = 0;
      return true;
    },
  };
}

/** `ms` shifted by a uniform ±fraction (heartbeat spacing), never below 1 ms. */
export function jittered(ms: number, fraction: number, random: () => number = Math.random): number {
  return Math.max(1, Math.round(ms * (1 + fraction * (2 * random() - 1))));
}
