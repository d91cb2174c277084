import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, tokenPreview } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const SECRET = 'K10secretvalue-that-must-not-appear::server:abcdef';

describe('createLogger', () => {
  it('redacts secret keys at the top level and nested, in children too', () => {
    const out = capture();
    const log = createLogger({ level: 'info', name: 'test', destination: out.destination });
    log.info(
      {
        sealToken: SECRET,
        privateKey: SECRET,
        joinToken: SECRET,
        token: SECRET,
        signature: SECRET,
        SUI_PRIVATE_KEY: SECRET,
        config: { K8S_DAAS_SEAL_TOKEN: SECRET, K3S_TOKEN: SECRET, nested: { joinToken: SECRET } },
        frames: [{ signature: SECRET }],
        nodeId: 'my-worker-001',
      },
      'welcome sent',
    );
    log.child({ component: 'agent-server' }).warn({ frame: { joinToken: SECRET } }, 'frame');
    const text = out.lines.join('');
    expect(text).not.toContain('secretvalue');
    const [first, second] = out.records();
    expect(first).toMatchObject({
      name: 'test',
      nodeId: 'my-worker-001',
      sealToken: '[redacted]',
      msg: 'welcome sent',
    });
    expect(first.config).toEqual({
      K8S_DAAS_SEAL_TOKEN: '[redacted]',
      K3S_TOKEN: '[redacted]',
      nested: { joinToken: '[redacted]' },
    });
    expect(second).toMatchObject({ component: 'agent-server', frame: { joinToken: '[redacted]' } });
  });

  it('honours the level', () => {
    const out = capture();
    const log = createLogger({ level: 'warn', name: 'test', destination: out.destination });
    log.info('hidden');
    log.warn('shown');
    expect(out.records().map((r) => r.msg)).toEqual(['shown']);
  });
});

describe('tokenPreview', () => {
  it('keeps at most 20 characters and never a short token whole', () => {
    expect(tokenPreview(SECRET)).toBe(`${SECRET.slice(0, 20)}…`);
    expect(tokenPreview('abcdefgh')).toBe('abcd…');
    expect(tokenPreview('')).toBe('(none)');
    expect(tokenPreview(undefined)).toBe('(none)');
  });
});
