import { describe, expect, it } from 'vitest';
import { certSha256, isLoopbackHost, k3sExtraArgs, masterUrl, nodeId, sealToken, stakeMist, stateDir } from './fields.ts';

type Schema = { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: Array<{ message: string }> } } };
const ok = (schema: Schema, v: string) => {
  const r = schema.safeParse(v);
  expect(r.error?.issues[0]?.message).toBeUndefined();
  return r.data;
};
const bad = (schema: Schema, v: string) => schema.safeParse(v).error?.issues[0]?.message;

describe('agent config fields', () => {
  it('nodeId accepts Kubernetes node names and suggests one for a near miss', () => {
    for (const v of ['my-worker-001', 'a', '0', 'a'.repeat(63)]) expect(ok(nodeId(), v)).toBe(v);
    for (const v of ['-a', 'a-', 'a'.repeat(64), 'a.b', 'a_b', 'ä']) expect(bad(nodeId(), v)).toMatch(/^must be a Kubernetes node name: 1-63/);
    expect(bad(nodeId(), 'My_Worker.01')).toMatch(/\(e\.g\. my-worker-01\)$/);
  });

  it('sealToken needs 32 characters and says how long it was and how to make one', () => {
    expect(ok(sealToken(), 'x'.repeat(32))).toBe('x'.repeat(32));
    expect(bad(sealToken(), 'short')).toBe(
      'must be at least 32 characters (this one has 5); make one with `k8s-daas-agent new-seal-token`',
    );
  });

  it('masterUrl takes ws(s) base URLs and turns http(s) into a hint', () => {
    expect(ok(masterUrl(), 'wss://master.example.com:8443/')).toBe('wss://master.example.com:8443');
    expect(ok(masterUrl(), 'wss://example.com/daas/')).toBe('wss://example.com/daas');
    expect(ok(masterUrl(), 'ws://[::1]:8080')).toBe('ws://[::1]:8080');
    expect(bad(masterUrl(), 'https://m.example.com:8443')).toBe(
      'must be a wss:// URL; write wss://m.example.com:8443 (the agent speaks WebSocket)',
    );
    expect(bad(masterUrl(), 'http://127.0.0.1:8080')).toMatch(/write ws:\/\/127\.0\.0\.1:8080/);
    expect(bad(masterUrl(), 'master:8443')).toMatch(/wss:\/\//);
    expect(bad(masterUrl(), 'wss://user:pw@m.example.com')).toMatch(/user name or password/);
    expect(bad(masterUrl(), 'wss://m.example.com/?x=1')).toMatch(/without \?query/);
  });

  it('stakeMist is whole MIST, at least the minimum stake', () => {
    expect(ok(stakeMist(), '1000000000')).toBe(1_000_000_000n);
    expect(ok(stakeMist(), '18446744073709551615')).toBe(18446744073709551615n);
    expect(bad(stakeMist(), '999999999')).toBe("must be at least 1000000000 MIST (1 SUI), the contract's minimum stake");
    expect(bad(stakeMist(), '1.5')).toMatch(/digits only/);
    expect(bad(stakeMist(), '18446744073709551616')).toMatch(/u64/);
  });

  it('stateDir must be absolute', () => {
    expect(ok(stateDir(), '/srv/agent/')).toBe('/srv/agent');
    expect(ok(stateDir(), '/')).toBe('/');
    expect(bad(stateDir(), 'state')).toMatch(/absolute path/);
  });

  it('certSha256 takes 64 hex digits, colons allowed, and normalizes them', () => {
    const hex = 'AB'.repeat(32);
    expect(ok(certSha256(), hex)).toBe('ab'.repeat(32));
    expect(ok(certSha256(), Array(32).fill('AB').join(':'))).toBe('ab'.repeat(32));
    expect(bad(certSha256(), 'ab'.repeat(31))).toMatch(/64 hex digits, colons allowed/);
    expect(bad(certSha256(), 'zz'.repeat(32))).toMatch(/openssl x509/);
  });

  it('k3sExtraArgs refuses flags the agent owns and broken quoting', () => {
    expect(ok(k3sExtraArgs(), '--node-label "zone=eu west" --kubelet-arg=max-pods=50')).toBe(
      '--node-label "zone=eu west" --kubelet-arg=max-pods=50',
    );
    expect(bad(k3sExtraArgs(), '--token K10abc')).toMatch(/^--token is not allowed here/);
    expect(bad(k3sExtraArgs(), '--node-label "a=b')).toMatch(/unterminated double quote/);
  });

  it('isLoopbackHost knows 127.0.0.0/8, ::1 and localhost', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '[::1]', 'localhost', 'LOCALHOST', '[::ffff:7f00:1]']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['128.0.0.1', '10.0.0.1', '[::2]', 'localhost.example.com', 'master', '127.example.com']) expect(isLoopbackHost(h)).toBe(false);
  });
});
