import { describe, expect, it } from 'vitest';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Secp256k1Keypair } from '@mysten/sui/keypairs/secp256k1';
import { messageWithIntent } from '@mysten/sui/cryptography';
import { bcs } from '@mysten/sui/bcs';
import { blake2b } from '@noble/hashes/blake2.js';
import { authMessage } from '../protocol/messages.ts';
import { verifyAuthSignature } from './auth-verify.ts';
import { personalMessageDigest } from './personal-message.ts';
import { deriveSealKey, signAuth, verifyAuth } from './seal-key.ts';

const NONCE = Buffer.alloc(32, 7).toString('base64');

describe('verifyAuthSignature (node:crypto)', () => {
  it('hashes the personal message as the SDK does, short and long (multi-byte length prefix)', () => {
    for (const text of ['', 'k8s-daas/auth/v1\nm\nn\nx', 'x'.repeat(200), 'y'.repeat(20_000)]) {
      const message = new TextEncoder().encode(text);
      const sdk = blake2b(messageWithIntent('PersonalMessage', bcs.vector(bcs.u8()).serialize(message).toBytes()), { dkLen: 32 });
      expect(Buffer.from(personalMessageDigest(message)).toString('hex')).toBe(Buffer.from(sdk).toString('hex'));
    }
  });

  it('agrees with the SDK-based verifyAuth on valid signatures and on every kind of mismatch', async () => {
    for (let i = 0; i < 5; i++) {
      const key = deriveSealKey(`seal-token-for-the-verify-test-${i}-${'z'.repeat(16)}`);
      const pub = key.getPublicKey().toRawBytes();
      const other = deriveSealKey(`another-seal-token-for-the-test-${i}-${'q'.repeat(16)}`).getPublicKey().toRawBytes();
      const sig = await signAuth(key, 'master-1', `worker-${i}`, NONCE);
      const cases: Array<[Uint8Array, string, string, string, string]> = [
        [pub, sig, 'master-1', `worker-${i}`, NONCE],
        [pub, sig, 'master-2', `worker-${i}`, NONCE],
        [pub, sig, 'master-1', `worker-${i + 1}`, NONCE],
        [pub, sig, 'master-1', `worker-${i}`, Buffer.alloc(32, 8).toString('base64')],
        [other, sig, 'master-1', `worker-${i}`, NONCE],
        [pub.slice(0, 31), sig, 'master-1', `worker-${i}`, NONCE],
        [pub, 'not-a-signature', 'master-1', `worker-${i}`, NONCE],
        [pub, sig.slice(0, -4), 'master-1', `worker-${i}`, NONCE],
        [pub, flipByte(sig, 10), 'master-1', `worker-${i}`, NONCE],
      ];
      const got = cases.map((c) => verifyAuthSignature(...c));
      const sdk = await Promise.all(cases.map((c) => verifyAuth(...c)));
      expect(got).toEqual(sdk);
      expect(got[0]).toBe(true);
      expect(got.slice(1).every((ok) => !ok)).toBe(true);
    }
  });

  it('refuses a valid signature of another scheme, or by another Ed25519 key that embeds its own public key', async () => {
    const message = new TextEncoder().encode(authMessage('master-1', 'worker-0', NONCE));
    const k1 = new Secp256k1Keypair();
    const { signature: secpSig } = await k1.signPersonalMessage(message);
    const seal = deriveSealKey('the-registered-seal-token-0123456789abcdef');
    expect(verifyAuthSignature(seal.getPublicKey().toRawBytes(), secpSig, 'master-1', 'worker-0', NONCE)).toBe(false);

    const intruder = new Ed25519Keypair();
    const { signature } = await intruder.signPersonalMessage(message);
    expect(verifyAuthSignature(intruder.getPublicKey().toRawBytes(), signature, 'master-1', 'worker-0', NONCE)).toBe(true);
    expect(verifyAuthSignature(seal.getPublicKey().toRawBytes(), signature, 'master-1', 'worker-0', NONCE)).toBe(false);
  });
});

function flipByte(b64: string, index: number): string {
  const bytes = Buffer.from(b64, 'base64');
  bytes[index] ^= 0x01;
  return bytes.toString('base64');
}
