import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { describe, expect, it } from 'vitest';
import { decodePrivateKey, loadSigningKey, readKeystore } from './signing-key.ts';

const secret = new Uint8Array(32).fill(9);
const dir = mkdtempSync(join(tmpdir(), 'keystore-'));
function keystore(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}
const entry = (flag: number, key = secret) => Buffer.concat([Buffer.from([flag]), key]).toString('base64');

describe('signing key', () => {
  it('decodes a suiprivkey and rejects a corrupted one', () => {
    const key = encodeSuiPrivateKey(secret, 'ED25519');
    expect(decodePrivateKey(key)).toEqual({ scheme: 'ED25519', secretKey: secret });
    expect(decodePrivateKey(`${key.slice(0, -1)}${key.endsWith('q') ? 'p' : 'q'}`)).toBeUndefined();
    expect(decodePrivateKey('0x1234')).toBeUndefined();
  });

  it('reads a Sui CLI keystore', () => {
    const path = keystore('one.keystore', [entry(0)]);
    expect(readKeystore(path)).toEqual([{ scheme: 'ED25519', secretKey: secret }]);
    expect(loadSigningKey({ SUI_KEYSTORE: path })).toEqual({
      scheme: 'ED25519',
      secretKey: secret,
      source: 'SUI_KEYSTORE',
    });
  });

  it('refuses malformed keystores, naming SUI_KEYSTORE', () => {
    expect(() => readKeystore(keystore('bad.json', '{'))).toThrow(/^SUI_KEYSTORE: .* is not JSON$/);
    expect(() => readKeystore(keystore('obj.json', { a: 1 }))).toThrow(/JSON array/);
    expect(() => readKeystore(keystore('flag.json', [entry(7)]))).toThrow(/entry 0/);
    expect(() => readKeystore(keystore('short.json', [entry(0, secret.subarray(0, 16))]))).toThrow(/entry 0/);
  });

  it('needs exactly one source and one key', () => {
    const key = encodeSuiPrivateKey(secret, 'Secp256k1');
    expect(loadSigningKey({ SUI_PRIVATE_KEY: key })).toMatchObject({ scheme: 'Secp256k1', source: 'SUI_PRIVATE_KEY' });
    expect(() => loadSigningKey({})).toThrow(/^SUI_PRIVATE_KEY: is required/);
    expect(() => loadSigningKey({ SUI_PRIVATE_KEY: key, SUI_KEYSTORE: '/x' })).toThrow(/not both/);
    const two = keystore('two.keystore', [entry(0), entry(1)]);
    expect(() => loadSigningKey({ SUI_KEYSTORE: two })).toThrow(/holds 2 keys/);
  });
});
