import { describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES } from '../../shared/protocol/messages.ts';
import { agentEndpoint, socketOptions } from './connection.ts';
import { parsePin } from './pinning.ts';

const PIN = parsePin('ab'.repeat(32));

describe('agentEndpoint', () => {
  it('appends /v1/agent to the base URL, keeping a path prefix', () => {
    expect(agentEndpoint('wss://master.example:8443')).toBe('wss://master.example:8443/v1/agent');
    expect(agentEndpoint('wss://master.example:8443/')).toBe('wss://master.example:8443/v1/agent');
    expect(agentEndpoint('wss://proxy.example/daas/')).toBe('wss://proxy.example/daas/v1/agent');
    expect(agentEndpoint('wss://master.example/v1/agent')).toBe('wss://master.example/v1/agent');
    expect(agentEndpoint('ws://127.0.0.1:8080')).toBe('ws://127.0.0.1:8080/v1/agent');
  });

  it('refuses a URL that is not ws(s), and a pin on plain ws://', () => {
    expect(() => agentEndpoint('https://master.example')).toThrow(/must start with wss:\/\//);
    expect(() => agentEndpoint('not a url')).toThrow(/not a URL/);
    expect(() => agentEndpoint('ws://127.0.0.1:1', PIN)).toThrow(/a pin needs wss/);
    expect(agentEndpoint('wss://127.0.0.1:1', PIN)).toBe('wss://127.0.0.1:1/v1/agent');
  });
});

describe('socketOptions', () => {
  it('caps frames at 64 KiB, disables compression and redirects, pins only when asked', () => {
    const plain = socketOptions({ agentVersion: '1.2.3', handshakeTimeoutMs: 1000 });
    expect(plain).toMatchObject({ maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, followRedirects: false, handshakeTimeout: 1000 });
    expect(plain.headers).toEqual({ 'User-Agent': 'k8s-daas-agent/1.2.3' });
    expect(plain.createConnection).toBeUndefined();
    const pinned = socketOptions({ agentVersion: '1.2.3', handshakeTimeoutMs: 1000, pin: PIN });
    expect(typeof pinned.createConnection).toBe('function');
    expect(typeof pinned.checkServerIdentity).toBe('function');
    expect(pinned.rejectUnauthorized).toBeUndefined(); // fail closed if createConnection were ignored
  });
});
