import { describe, expect, it } from 'vitest';
import { parseAgentFrame } from '../../shared/protocol/messages.ts';
import { SAMPLE_HEARTBEAT } from '../../shared/protocol/testing.ts';
import { heartbeatInPlace } from './heartbeat-check.ts';

const base = SAMPLE_HEARTBEAT;

// Values that sit on either side of the schema's limits. `INF` is spliced into the JSON text as
// 1e400, which JSON.parse reads as Infinity.
const INF = '__inf__';
const VALUES: unknown[] = [
  null, undefined, 0, -1, 1.5, 2 ** 53, -0.5, INF, true, 'running', 'crashed', 'x', '', {}, [],
  'a'.repeat(64), 'a'.repeat(65), 'a'.repeat(256), 'a'.repeat(257), 'a'.repeat(4097),
  '😀'.repeat(128), '😀'.repeat(129), { extra: 1 }, [{ model: 'x', extra: true }],
  Array.from({ length: 64 }, () => ({ vramMb: 1 })), Array.from({ length: 65 }, () => ({ vramMb: 1 })),
];

/** Every path of the base heartbeat, plus one unknown key per object. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => String(i)) : Object.keys(value);
  return [prefix, [...prefix, 'unknownField'], ...keys.flatMap((k) => paths((value as Record<string, unknown>)[k], [...prefix, k]))];
}

/** Deterministic PRNG (mulberry32), so a failure names a case that reproduces. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(rand: () => number, edits: number): string {
  const hb = structuredClone(base) as Record<string, unknown>;
  const all = paths(base).filter((p) => p.length > 0);
  for (let e = 0; e < edits; e++) {
    const path = all[Math.floor(rand() * all.length)];
    let parent = hb as Record<string, unknown>;
    for (const key of path.slice(0, -1)) {
      const next = parent[key];
      if (next === null || typeof next !== 'object') break;
      parent = next as Record<string, unknown>;
    }
    const value = VALUES[Math.floor(rand() * VALUES.length)];
    if (value === undefined) delete parent[path[path.length - 1]];
    else parent[path[path.length - 1]] = structuredClone(value);
  }
  return JSON.stringify(hb).replaceAll(`"${INF}"`, '1e400');
}

describe('heartbeat in-place check', () => {
  it('accepts a valid heartbeat where it lies, dropping unknown fields and filling defaults as the schema does', () => {
    const frame = JSON.stringify({ ...base, extra: 1, metrics: { ...base.metrics, cpu: { ...base.metrics.cpu, extra: 2 } }, k3s: { state: 'starting', restarts: 0 } });
    const data = JSON.parse(frame) as object;
    expect(heartbeatInPlace('heartbeat', data)).toBe(true);
    const bySchema = parseAgentFrame(frame);
    expect(bySchema.ok && bySchema.msg).toEqual(data);
    expect(data).toMatchObject({ k3s: { pid: null, lastError: null } });
    expect(data).not.toHaveProperty('extra');
  });

  it('leaves every other message type to the schema', () => {
    expect(heartbeatInPlace('auth', { type: 'auth' })).toBe(false);
  });

  it('agrees with the schema on 3,000 mutated heartbeats: same verdict, same message', () => {
    const rand = random(20261127);
    let accepted = 0;
    let acceptedInPlace = 0;
    for (let i = 0; i < 3000; i++) {
      const frame = mutate(rand, 1 + Math.floor(rand() * 3));
      const bySchema = parseAgentFrame(frame);
      const fast = parseAgentFrame(frame, heartbeatInPlace);
      expect({ frame, ok: fast.ok }).toEqual({ frame, ok: bySchema.ok });
      if (bySchema.ok && fast.ok) {
        expect(fast.msg).toEqual(bySchema.msg);
        accepted++;
        if (heartbeatInPlace('heartbeat', JSON.parse(frame) as object)) acceptedInPlace++;
      } else if (!bySchema.ok && !fast.ok) {
        expect(fast.reason).toBe(bySchema.reason);
      }
    }
    // Both sides are exercised, and no valid heartbeat falls back to the slow path.
    expect(accepted).toBeGreaterThan(500);
    expect(accepted).toBeLessThan(2500);
    expect(acceptedInPlace).toBe(accepted);
  });
});
