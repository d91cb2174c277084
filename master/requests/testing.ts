/**
 * Test fixtures for the request executor: a pool with an active worker, scheduled-request events as
 * the chain adapter delivers them, a fake chain port that records (or fails) result reports, and a
 * clock whose sleeps are real but short. Imported by tests only.
 */
import pino from 'pino';
import type { Signer } from '@mysten/sui/cryptography';
import type { ChainEvent } from '../../shared/chain/chain-events.ts';
import type { Clock } from '../../shared/clock.ts';
import { openPoolDb } from '../pool/db.ts';
import { PoolStore } from '../pool/store.ts';
import { OWNER, registration } from '../pool/testing.ts';
import type { ResultChain } from './reporter.ts';

export { OWNER };
export const T0 = 1_700_000_000_000;

type Scheduled = Extract<ChainEvent, { kind: 'K8sAPIRequestScheduled' }>;
type RecordInput = Parameters<ResultChain['recordApiResult']>[0];

/** A clock at `now` (movable) whose sleeps last at most 5 real ms, so backoff loops yield to I/O. */
export function quickClock(start = T0): Clock & { set(ms: number): void; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    sleep: (ms, signal) =>
      new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer = setTimeout(resolve, Math.min(ms, 5));
        signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
      }),
    set: (ms) => void (t = ms),
    advance: (ms) => void (t += ms),
  };
}

/** A pool (on `path`, default in memory) holding worker `w1` of OWNER, active. */
export function poolWithWorker(clock: Clock, path = ':memory:', status: 'active' | 'pending' = 'active'): PoolStore {
  const store = new PoolStore({ db: openPoolDb(path), clock });
  if (!store.getWorker('w1')) {
    store.applyChainEvents('worker_registry', registration('w1', { tx: 'reg-w1' }), 'cursor-1');
    if (status === 'active') store.setStatus('w1', 'active', 'authenticated');
  }
  return store;
}

let seq = 0;

/** A K8sAPIRequestScheduled event; defaults: GET pods in `production`, by OWNER, on w1, at T0. */
export function scheduled(fields: Partial<Omit<Scheduled, 'kind'>> & { requestId: string }): Scheduled {
  return {
    kind: 'K8sAPIRequestScheduled',
    txDigest: `tx-${fields.requestId}`,
    eventIndex: 0,
    checkpoint: String(++seq),
    sender: OWNER,
    method: 'GET',
    resource: 'pods',
    namespace: 'production',
    name: '',
    payload: '',
    requester: OWNER,
    priority: 5,
    assignedWorker: 'w1',
    timestamp: T0,
    ...fields,
  };
}

/** Stores the events as the watcher would (one page) and returns them for `onEvents`. */
export function applyScheduled(store: PoolStore, ...events: Scheduled[]): Scheduled[] {
  store.applyChainEvents('k8s_scheduler', events, `cursor-${++seq}`);
  return events;
}

/** A chain port that records every report; `failures` makes the next calls throw those errors. */
export function fakeResultChain() {
  const reports: RecordInput[] = [];
  const failures: Error[] = [];
  const chain: ResultChain = {
    async recordApiResult(input) {
      const err = failures.shift();
      if (err) throw err;
      reports.push(input);
      return { digest: `report-${input.requestId}`, events: [], created: [] };
    },
  };
  return { chain, reports, failures };
}

export const silentLogger = () => pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A stand-in signer: the fake chain never looks at it. */
export const NO_SIGNER = { toSuiAddress: () => OWNER } as unknown as Signer;

/** Waits until `check` holds (polling every 10 ms), or fails after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
