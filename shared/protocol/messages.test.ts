import { describe, expect, it } from 'vitest';
import {
  CLOSE_CODES,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  authMessage,
  parseAgentFrame,
  parseMasterFrame,
} from './messages.ts';
import { SAMPLE_HEARTBEAT as heartbeat } from './testing.ts';

const nonce = Buffer.alloc(32, 7).toString('base64');
const signature = Buffer.alloc(97, 1).toString('base64');
const digest = '4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi';

function agent(msg: unknown) {
  return parseAgentFrame(JSON.stringify(msg));
}

describe('constants', () => {
  it('match DESIGN.md', () => {
    expect(PROTOCOL_VERSION).toBe(1);
    expect(MAX_FRAME_BYTES).toBe(65536);
    expect(CLOSE_CODES).toEqual({
      malformed: 4400,
      authFailed: 4401,
      revoked: 4403,
      authTimeout: 4408,
      replaced: 4409,
    });
  });

  it('authMessage is the exact signed text', () => {
    expect(authMessage('m1', 'my-worker-001', nonce)).toBe(`k8s-daas/auth/v1\nm1\nmy-worker-001\n${nonce}`);
  });
});

describe('parseAgentFrame', () => {
  it('accepts auth with and without a registration digest', () => {
    const auth = { type: 'auth', nodeId: 'my-worker-001', signature, agentVersion: '0.1.0' };
    expect(agent(auth)).toEqual({ ok: true, msg: auth });
    expect(agent({ ...auth, registrationDigest: digest }).ok).toBe(true);
    expect(agent({ ...auth, registrationDigest: 'not-base58!' }).ok).toBe(false);
  });

  it('rejects a node id that is not a Kubernetes node name', () => {
    const r = agent({ type: 'auth', nodeId: 'Bad_Node', signature, agentVersion: '1' });
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('nodeId') });
  });

  it('accepts a full heartbeat', () => {
    const r = agent(heartbeat);
    expect(r.ok && r.msg.type === 'heartbeat' && r.msg.metrics.gpus?.[0]?.vramMb).toBe(40960);
  });

  it('tolerates an odd host: empty, null and missing metrics', () => {
    expect(agent({ ...heartbeat, metrics: {} }).ok).toBe(true);
    const sparse = { cpu: { cores: null }, memory: null, os: { platform: 'linux' }, gpus: null, uptimeSec: null };
    expect(agent({ ...heartbeat, metrics: sparse }).ok).toBe(true);
  });

  it('defaults k3s pid and lastError to null', () => {
    const r = agent({ ...heartbeat, k3s: { state: 'starting', restarts: 2 } });
    expect(r.ok && r.msg.type === 'heartbeat' && r.msg.k3s).toEqual({
      state: 'starting',
      pid: null,
      restarts: 2,
      lastError: null,
    });
  });

  it('rejects wrongly typed metrics and unknown k3s states', () => {
    expect(agent({ ...heartbeat, metrics: { cpu: { cores: 'eight' } } })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('metrics.cpu.cores'),
    });
    expect(agent({ ...heartbeat, k3s: { ...heartbeat.k3s, state: 'exploded' } }).ok).toBe(false);
  });

  it('rejects unknown types and master-only types', () => {
    expect(agent({ type: 'hello' })).toEqual({ ok: false, reason: 'unknown message type "hello"' });
    expect(agent({ type: 'ack', seq: 1 })).toEqual({ ok: false, reason: 'unknown message type "ack"' });
  });

  it('never throws on garbage', () => {
    for (const text of [
      '',
      'nope',
      '[]',
      'null',
      '42',
      '{"type":7}',
      '{"type":"auth"}',
      '{"__proto__":{"type":"auth"}}',
    ]) {
      const r = parseAgentFrame(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/\S/);
    }
    expect(parseAgentFrame(new Uint8Array([0xff, 0xfe]))).toMatchObject({ ok: false });
  });

  it('enforces the frame size in bytes, not characters', () => {
    const big = JSON.stringify({ ...heartbeat, metrics: { os: { hostname: 'é'.repeat(MAX_FRAME_BYTES / 2) } } });
    expect(big.length).toBeLessThan(MAX_FRAME_BYTES + 200);
    expect(parseAgentFrame(big)).toMatchObject({ ok: false, reason: expect.stringContaining('too large') });
  });

  it('accepts a Buffer frame', () => {
    expect(parseAgentFrame(Buffer.from(JSON.stringify(heartbeat))).ok).toBe(true);
  });
});

describe('parseMasterFrame', () => {
  const welcome = {
    type: 'welcome',
    nodeId: 'my-worker-001',
    joinToken: 'K10abc::server:secret',
    serverUrl: 'https://10.0.0.1:6443',
    heartbeatIntervalMs: 10000,
    offlineAfterMs: 40000,
    labels: { 'k8s-daas.io/owner': '0xabc' },
  };

  it('accepts every master message', () => {
    const frames = [
      { type: 'challenge', v: 1, nonce, masterId: 'master-1' },
      { type: 'pending', reason: 'awaiting-registration' },
      welcome,
      { type: 'ack', seq: 9 },
      { type: 'revoke', reason: 'slashed' },
    ];
    for (const f of frames) expect(parseMasterFrame(JSON.stringify(f))).toEqual({ ok: true, msg: f });
  });

  it('rejects a challenge of another version or a short nonce', () => {
    expect(parseMasterFrame(JSON.stringify({ type: 'challenge', v: 2, nonce, masterId: 'm' })).ok).toBe(false);
    const short = Buffer.alloc(16).toString('base64');
    expect(parseMasterFrame(JSON.stringify({ type: 'challenge', v: 1, nonce: short, masterId: 'm' })).ok).toBe(false);
  });

  it('requires an https server URL in welcome', () => {
    const r = parseMasterFrame(JSON.stringify({ ...welcome, serverUrl: 'http://10.0.0.1:6443' }));
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining('serverUrl') });
  });

  it('rejects agent-only types', () => {
    expect(parseMasterFrame(JSON.stringify(heartbeat))).toEqual({
      ok: false,
      reason: 'unknown message type "heartbeat"',
    });
  });
});
