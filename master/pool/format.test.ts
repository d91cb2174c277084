import { describe, expect, it } from 'vitest';
import { formatTransition } from './format.ts';
import type { Transition } from './states.ts';

const base = { nodeId: 'my-worker-001', at: 0, source: 'master' } as const;
const line = (t: Omit<Transition, 'nodeId' | 'at' | 'source'>) => formatTransition({ ...base, ...t });

describe('formatTransition', () => {
  it('prints the seed lines', () => {
    expect(line({ from: null, to: 'pending', reason: 'registered', stakeMist: 1004607436n })).toBe(
      '👥 Worker added to pool: my-worker-001 (stake: 1004607436)',
    );
    expect(line({ from: 'pending', to: 'active', reason: 'authenticated' })).toBe(
      '🔄 Worker my-worker-001 status: pending → active',
    );
    expect(line({ from: 'active', to: 'offline', reason: 'no heartbeat' })).toBe(
      '💀 Worker my-worker-001 marked offline (no heartbeat)',
    );
    expect(line({ from: 'active', to: 'slashed', reason: 'double signing' })).toBe(
      '⚔️ Worker my-worker-001 slashed (double signing)',
    );
    expect(line({ from: 'active', to: null, reason: 'deregistered' })).toBe(
      '👋 Worker my-worker-001 left the pool (deregistered)',
    );
  });
});
