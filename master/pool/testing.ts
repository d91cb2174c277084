/**
 * Test fixtures for the pool: a hand-driven clock and builders for chain events shaped as the chain
 * adapter delivers them. Imported by tests only.
 */
import type { Clock } from '../../shared/clock.ts';
import type { K3sStatus, Metrics } from '../../shared/protocol/messages.ts';
import type { ChainEvent, StakeDeposited, WorkerRegistered } from './chain-events.ts';
import type { HeartbeatRecord } from './tables.ts';

export interface ManualClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

/** A clock that only moves when told to. */
export function manualClock(start = 1_700_000_000_000): ManualClock {
  let t = start;
  return {
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

export const OWNER = `0x${'ab'.repeat(32)}`;
export const sealKey = (fill: number) => new Uint8Array(32).fill(fill);

/** What `stake_and_register_worker` emits: WorkerRegistered then StakeDeposited, same tx. */
export function registration(
  nodeId: string,
  opts: { tx: string; stake?: bigint; at?: number; key?: number; firstIndex?: number },
): [WorkerRegistered, StakeDeposited] {
  const stake = opts.stake ?? 1_004_607_436n;
  const at = opts.at ?? 1_700_000_000_000;
  const i = opts.firstIndex ?? 0;
  return [
    {
      kind: 'WorkerRegistered',
      txDigest: opts.tx,
      eventIndex: i,
      nodeId,
      owner: OWNER,
      stakeMist: stake,
      sealPubkey: sealKey(opts.key ?? 1),
      timestamp: at,
    },
    {
      kind: 'StakeDeposited',
      txDigest: opts.tx,
      eventIndex: i + 1,
      nodeId,
      owner: OWNER,
      amountMist: stake,
      timestamp: at,
    },
  ];
}

/** Any worker-registry event with its origin filled in. */
export function event<E extends ChainEvent>(
  e: Omit<E, 'eventIndex' | 'timestamp'> & { eventIndex?: number; timestamp?: number },
): E {
  return { eventIndex: 0, timestamp: 1_700_000_000_000, ...e } as E;
}

export const METRICS: Metrics = { cpu: { cores: 4, model: 'test', loadPercent: 10 }, uptimeSec: 100 };
export const K3S_RUNNING: K3sStatus = { state: 'running', pid: 42, restarts: 0, lastError: null };

export function heartbeat(nodeId: string, at: number, metrics: Metrics = METRICS): HeartbeatRecord {
  return { nodeId, at, metrics, k3s: K3S_RUNNING };
}
