/**
 * Lets an agent that authenticated before its registration reached the pool wait for it, bounded:
 * the watcher calls `registered(nodeId)` after committing the event and every waiter for that node
 * resumes at once. A waiter gives up after `timeoutMs` or when its socket closes.
 */
import type { KnownWorker } from './session.ts';

export class RegistrationWaiter {
  #waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly lookup: (nodeId: string) => KnownWorker | null,
    private readonly timeoutMs: number,
  ) {}

  /** Resolves with the worker once it is in the pool; null on timeout or abort. */
  waitFor(nodeId: string, signal: AbortSignal): Promise<KnownWorker | null> {
    const now = this.lookup(nodeId);
    if (now || signal.aborted) return Promise.resolve(now);
    return new Promise((resolve) => {
      const set = this.#waiters.get(nodeId) ?? new Set();
      this.#waiters.set(nodeId, set);
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0) this.#waiters.delete(nodeId);
        resolve(this.lookup(nodeId));
      };
      const timer = setTimeout(done, this.timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }

  /** Wakes every waiter of `nodeId`. */
  registered(nodeId: string): void {
    for (const wake of [...(this.#waiters.get(nodeId) ?? [])]) wake();
  }

  /** Number of sockets waiting for a registration. */
  get waiting(): number {
    let n = 0;
    for (const set of this.#waiters.values()) n += set.size;
    return n;
  }
}
