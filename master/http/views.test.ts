import { describe, expect, it } from 'vitest';
import { OWNER, sealKey } from '../pool/testing.ts';
import type { Worker } from '../pool/tables.ts';
import { mistToSui, workerDetail, workerSummary } from './views.ts';
import { toJson } from './respond.ts';

const worker = (over: Partial<Worker> = {}): Worker => ({
  nodeId: 'w1',
  owner: OWNER,
  stakeMist: 1_000_000_000n,
  sealPubkey: sealKey(1),
  status: 'pending',
  statusChangedAt: 1_000,
  registeredAt: 1_000,
  registrationDigest: 'tx1',
  lastHeartbeatAt: null,
  latestMetrics: null,
  k3s: null,
  updatedAt: 1_000,
  ...over,
});

describe('mistToSui', () => {
  it.each([
    [0n, '0'],
    [1n, '0.000000001'],
    [1_000_000_000n, '1'],
    [1_004_607_436n, '1.004607436'],
    [1_500_000_000n, '1.5'],
    [18_446_744_073_709_551_615n, '18446744073.709551615'],
    [-2_500_000_000n, '-2.5'],
  ])('%s MIST is %s SUI', (mist, sui) => {
    expect(mistToSui(mist)).toBe(sui);
  });
});

describe('workerSummary', () => {
  it('keeps a u64 stake exact as a string', () => {
    const s = workerSummary(worker({ stakeMist: 18_446_744_073_709_551_615n }), 2_000, false);
    expect(s.stakeMist).toBe('18446744073709551615');
    expect(s.stakeSui).toBe('18446744073.709551615');
  });

  it('tolerates metrics with missing parts and never reports a negative heartbeat age', () => {
    const s = workerSummary(
      worker({ lastHeartbeatAt: 5_000, latestMetrics: { cpu: null, memory: { totalBytes: 1024 } } }),
      4_000,
      true,
    );
    expect(s.heartbeatAgeMs).toBe(0);
    expect(s.cpu).toEqual({ loadPercent: null });
    expect(s.memory).toEqual({ usedBytes: null, totalBytes: 1024 });
  });

  it('fills a k3s lastError the agent left out with null', () => {
    const k3s = { state: 'crashed', pid: null, restarts: 3 } as unknown as Worker['k3s'];
    expect(workerSummary(worker({ k3s }), 0, false).k3s).toEqual({ state: 'crashed', restarts: 3, lastError: null });
  });
});

describe('workerDetail', () => {
  it('renders history times as ISO strings', () => {
    const d = workerDetail(worker(), 0, false, [
      { nodeId: 'w1', from: null, to: 'pending', reason: 'registered', source: 'chain', txDigest: 'tx1', at: 0 },
    ]);
    expect(d.transitions).toEqual([
      {
        from: null,
        to: 'pending',
        reason: 'registered',
        source: 'chain',
        txDigest: 'tx1',
        at: '1970-01-01T00:00:00.000Z',
      },
    ]);
  });
});

describe('toJson', () => {
  it('writes bigints as decimal strings at any depth', () => {
    expect(toJson({ a: 1n, b: [2n, { c: 18_446_744_073_709_551_615n }] })).toBe(
      '{"a":"1","b":["2",{"c":"18446744073709551615"}]}',
    );
  });
});
