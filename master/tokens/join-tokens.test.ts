import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DaasError } from '../../shared/errors.ts';
import { FAKE_K3S } from '../../test/fixtures/fake-k3s-harness.ts';
import { bootstrapTokenId, bootstrapTokenProvider, classifyToken, execaK3sCli, nodeTokenProvider } from './join-tokens.ts';

const HASH = 'ab'.repeat(32);
const dir = mkdtempSync(join(tmpdir(), 'k8s-daas-tokens-'));

describe('join tokens', () => {
  it('classifies full, short and invalid K3s tokens', () => {
    expect(classifyToken(`K10${HASH}::server:secret123`)).toBe('full');
    expect(classifyToken(`K10${HASH}::abc123.0123456789abcdef`)).toBe('full');
    expect(classifyToken('just-a-password')).toBe('short');
    expect(classifyToken(`K10${HASH.slice(2)}::server:x`)).toBe('invalid');
    expect(classifyToken('two words')).toBe('invalid');
    expect(classifyToken('')).toBe('invalid');
    expect(bootstrapTokenId(`K10${HASH}::abc123.0123456789abcdef`)).toBe('abc123');
    expect(bootstrapTokenId(`K10${HASH}::server:x`)).toBeNull();
  });

  it('node-token mode: trims the file, warns once for a short token, and names the file when it is wrong', async () => {
    const records: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => records.push(l) });
    const file = join(dir, 'node-token');
    writeFileSync(file, `  K10${HASH}::server:secret123\n`);
    const p = nodeTokenProvider({ file, logger, recheckMs: 0 });
    expect(await p.tokenFor('w')).toBe(`K10${HASH}::server:secret123`);

    writeFileSync(file, 'shortpass\n');
    await p.tokenFor('w');
    await p.tokenFor('w');
    expect(records.filter((r) => r.includes('short token'))).toHaveLength(1);

    writeFileSync(file, 'not a token at all\n');
    const err = await p.tokenFor('w').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaasError);
    expect((err as Error).message).toContain('K3S_TOKEN_FILE');
    expect((err as Error).message).not.toContain('not a token at all');

    const missing = await nodeTokenProvider({ file: join(dir, 'absent'), logger }).tokenFor('w').catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/cannot read the K3s node token/);
  });

  it('node-token mode: reads the file once, and a rotated token within recheckMs', async () => {
    const file = join(dir, 'node-token-rotating');
    writeFileSync(file, `K10${HASH}::server:first\n`);
    const p = nodeTokenProvider({ file, logger: pino({ level: 'silent' }), recheckMs: 100 });
    expect(await p.tokenFor('w')).toBe(`K10${HASH}::server:first`);
    writeFileSync(file, `K10${HASH}::server:second\n`);
    expect(await p.tokenFor('w')).toBe(`K10${HASH}::server:first`); // still within recheckMs
    await new Promise((r) => setTimeout(r, 150));
    expect(await p.tokenFor('w')).toBe(`K10${HASH}::server:second`);
  });

  it('bootstrap mode: one `k3s token create` per worker, reused, and deleted on revoke (fake k3s)', async () => {
    const db = join(dir, 'tokens.json');
    const p = bootstrapTokenProvider({ cli: execaK3sCli(FAKE_K3S, { FAKE_K3S_TOKENS_DB: db }), ttl: '2h', logger: pino({ level: 'silent' }) });
    const a = await p.tokenFor('node-a');
    expect(a).toMatch(/^K10[0-9a-f]{64}::[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(await p.tokenFor('node-a')).toBe(a);
    const b = await p.tokenFor('node-b');
    expect(b).not.toBe(a);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(db, 'utf8')).toContain('k8s-daas:node-a');
    await p.revoke('node-a');
    expect(readFileSync(db, 'utf8')).not.toContain('k8s-daas:node-a');
    expect(readFileSync(db, 'utf8')).toContain('k8s-daas:node-b');
  });
});
