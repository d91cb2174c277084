import { describe, expect, it } from 'vitest';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { DaasError } from '../errors.ts';
import { authMessage } from '../protocol/messages.ts';
import { deriveSealKey, newSealToken, sealPublicKey, signAuth, verifyAuth } from './seal-key.ts';

const TOKEN = 'seal_token_my_secure_worker_12345678901234567890';

describe('seal key', () => {
  it('derives the same 32-byte key from the same token, and a different one from another', () => {
    const a = sealPublicKey(TOKEN);
    expect(a).toHaveLength(32);
    expect(Buffer.from(sealPublicKey(TOKEN)).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(sealPublicKey(TOKEN + 'x')).equals(Buffer.from(a))).toBe(false);
  });

  it('is SHA-256("k8s-daas/seal/v1:" + token) used as the Ed25519 seed', async () => {
    const { createHash } = await import('node:crypto');
    const seed = createHash('sha256').update('k8s-daas/seal/v1:' + TOKEN).digest();
    const expected = Ed25519Keypair.fromSecretKey(new Uint8Array(seed)).getPublicKey().toRawBytes();
    expect(Buffer.from(sealPublicKey(TOKEN)).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
  });

  it('refuses a token under 32 characters with a clear error', () => {
    let caught: unknown;
    try {
      deriveSealKey('x'.repeat(31));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DaasError);
    expect((caught as DaasError).code).toBe('SEAL_TOKEN_TOO_SHORT');
    expect((caught as Error).message).toMatch(/31 characters; it needs at least 32/);
    expect(() => deriveSealKey('x'.repeat(32))).not.toThrow();
  });

  it('makes fresh tokens of 43 characters', () => {
    const t = newSealToken();
    expect(t).toHaveLength(43);
    expect(t).not.toBe(newSealToken());
  });

  it('signs the auth message so that only the right key, master, node and nonce verify', async () => {
    const key = deriveSealKey(TOKEN);
    const pub = key.getPublicKey().toRawBytes();
    const sig = await signAuth(key, 'master-1', 'my-worker-001', 'bm9uY2U=');
    expect(authMessage('m', 'n', 'x')).toBe('k8s-daas/auth/v1\nm\nn\nx');
    expect(await verifyAuth(pub, sig, 'master-1', 'my-worker-001', 'bm9uY2U=')).toBe(true);
    expect(await verifyAuth(pub, sig, 'master-2', 'my-worker-001', 'bm9uY2U=')).toBe(false);
    expect(await verifyAuth(pub, sig, 'master-1', 'my-worker-002', 'bm9uY2U=')).toBe(false);
    expect(await verifyAuth(pub, sig, 'master-1', 'my-worker-001', 'b3RoZXI=')).toBe(false);
    expect(await verifyAuth(sealPublicKey(TOKEN + 'y'), sig, 'master-1', 'my-worker-001', 'bm9uY2U=')).toBe(false);
    expect(await verifyAuth(pub, 'not-a-signature', 'master-1', 'my-worker-001', 'bm9uY2U=')).toBe(false);
    expect(await verifyAuth(pub.slice(0, 31), sig, 'master-1', 'my-worker-001', 'bm9uY2U=')).toBe(false);
  });
});
