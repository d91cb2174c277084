import { describe, expect, it } from 'vitest';
import { DaasError } from '../../shared/errors.ts';
import { deriveSealKey, newSealToken, signAuth, verifyAuth } from '../../shared/chain/seal-key.ts';
import { personalMessageDigest } from '../../shared/chain/personal-message.ts';
import { sealSignerOf } from './seal-signer.ts';

// The SDK path (seal-key.ts) is the reference: same key, and the same signature bytes (Ed25519 is deterministic).
const TOKENS = ['seal_token_my_secure_worker_12345678901234567890', 'x'.repeat(32), newSealToken(), `ünïcödé-token-${'é'.repeat(30)}`];
const CHALLENGES: Array<[string, string, string]> = [
  ['master-1', 'my-worker-001', 'bm9uY2Vub25jZW5vbmNlbm9uY2Vub25jZW5vbmNlbm8='],
  ['test-master', 'a', Buffer.alloc(32, 7).toString('base64')],
  ['m'.repeat(128), 'n'.repeat(63), Buffer.alloc(32, 255).toString('base64')],
];

describe('sealSignerOf (node:crypto) against the SDK keypair', () => {
  it('derives the same public key as deriveSealKey', () => {
    for (const token of TOKENS) {
      const sdk = deriveSealKey(token).getPublicKey().toRawBytes();
      expect(Buffer.from(sealSignerOf(token).publicKey).toString('hex')).toBe(Buffer.from(sdk).toString('hex'));
    }
  });

  it('signs the auth message byte-identically to signAuth, and verifyAuth accepts it', async () => {
    for (const token of TOKENS) {
      const fast = sealSignerOf(token);
      const sdk = deriveSealKey(token);
      for (const [masterId, nodeId, nonce] of CHALLENGES) {
        const expected = await signAuth(sdk, masterId, nodeId, nonce);
        const got = await fast.signAuth(masterId, nodeId, nonce);
        expect(got).toBe(expected);
        expect(await verifyAuth(fast.publicKey, got, masterId, nodeId, nonce)).toBe(true);
      }
    }
  });

  it('encodes the BCS length prefix of long messages as ULEB128 (over 127 and over 16383 bytes)', async () => {
    const { blake2b } = await import('@noble/hashes/blake2.js');
    const { bcs } = await import('@mysten/sui/bcs');
    const { messageWithIntent } = await import('@mysten/sui/cryptography');
    for (const size of [0, 1, 127, 128, 300, 16_383, 16_384, 70_000]) {
      const message = new Uint8Array(size).map((_, i) => i % 251);
      const reference = blake2b(messageWithIntent('PersonalMessage', bcs.byteVector().serialize(message).toBytes()), { dkLen: 32 });
      expect(Buffer.from(personalMessageDigest(message)).toString('hex')).toBe(Buffer.from(reference).toString('hex'));
    }
  });

  it('refuses a token under 32 characters with the error deriveSealKey throws', () => {
    const caught = [() => sealSignerOf('x'.repeat(31)), () => deriveSealKey('x'.repeat(31))].map((make) => {
      try {
        make();
      } catch (err) {
        return err;
      }
      return null;
    });
    expect(caught[0]).toBeInstanceOf(DaasError);
    expect({ code: (caught[0] as DaasError).code, message: (caught[0] as Error).message }).toEqual({ code: (caught[1] as DaasError).code, message: (caught[1] as Error).message });
  });
});
