import { describe, expect, it } from 'vitest';
import { DaasError } from '../../shared/errors.ts';
import {
  IllegalTransitionError,
  WORKER_STATUSES,
  canTransition,
  joined,
  left,
  transition,
  type WorkerStatus,
} from './states.ts';

const ALLOWED = new Set([
  'pending→active',
  'active→busy',
  'busy→active',
  'active→offline',
  'busy→offline',
  'offline→active',
  'pending→slashed',
  'active→slashed',
  'busy→slashed',
  'offline→slashed',
]);

describe('worker state machine', () => {
  it('allows exactly the documented moves', () => {
    for (const from of WORKER_STATUSES) {
      for (const to of WORKER_STATUSES) {
        if (from === to) continue;
        expect(canTransition(from, to), `${from}→${to}`).toBe(ALLOWED.has(`${from}→${to}`));
      }
    }
  });

  it('returns the move with its reason and time', () => {
    expect(transition({ nodeId: 'w1', status: 'pending' }, 'active', 'authenticated', 5)).toEqual({
      nodeId: 'w1',
      from: 'pending',
      to: 'active',
      reason: 'authenticated',
      at: 5,
      source: 'master',
      txDigest: undefined,
    });
  });

  it('returns null when the worker already has the status', () => {
    for (const s of WORKER_STATUSES) expect(transition({ nodeId: 'w1', status: s }, s, 'again', 1)).toBeNull();
  });

  it('throws IllegalTransitionError naming the current state', () => {
    const illegal: Array<[WorkerStatus, WorkerStatus]> = [
      ['pending', 'busy'],
      ['pending', 'offline'],
      ['offline', 'busy'],
      ['slashed', 'active'],
      ['slashed', 'pending'],
    ];
    for (const [from, to] of illegal) {
      let err: unknown;
      try {
        transition({ nodeId: 'w1', status: from }, to, 'x', 1);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(IllegalTransitionError);
      expect(err).toBeInstanceOf(DaasError);
      expect(err).toMatchObject({ code: 'ILLEGAL_TRANSITION', from, to, retryable: false });
      expect((err as Error).message).toContain(`is ${from}`);
    }
    expect(() => transition({ nodeId: 'w1', status: 'slashed' }, 'active', 'x', 1)).toThrow('slashed is final');
  });

  it('describes joining and leaving with null ends', () => {
    expect(joined('w1', 7n, 3, 'tx')).toMatchObject({
      from: null,
      to: 'pending',
      stakeMist: 7n,
      source: 'chain',
      txDigest: 'tx',
    });
    expect(left({ nodeId: 'w1', status: 'slashed' }, 'deregistered', 4)).toMatchObject({ from: 'slashed', to: null });
  });
});
