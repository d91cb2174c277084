/**
 * The seal key as the running agent holds it: node:crypto's Ed25519 (OpenSSL) and a BLAKE2b from
 * @noble/hashes, no Sui SDK. The SDK's keypair module drags in its whole cryptography layer (zkLogin,
 * passkeys, three curves) — about 20 MiB of resident memory in a process that, once registered, only
 * ever signs one challenge per connection.
 *
 * Same key and same bytes as shared/chain/seal-key.ts: the seed is SHA-256("k8s-daas/seal/v1:" +
 * token) (DESIGN.md), and a signature is the Sui personal-message signature `signAuth` makes there —
 * BLAKE2b-256 of intent (PersonalMessage, V0, Sui) ‖ BCS vector<u8>(auth message), signed with
 * Ed25519 (deterministic), serialized as base64(flag 0x00 ‖ signature ‖ public key).
 * seal-signer.test.ts proves both byte for byte against the SDK.
 */
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { personalMessageDigest } from '../../shared/chain/personal-message.ts';
import { sealSeed } from '../../shared/chain/seal-seed.ts';
import { authMessage } from '../../shared/protocol/messages.ts';

/** What the session needs of the seal key: answer a challenge. */
export interface SealSigner {
  /** The raw 32-byte Ed25519 public key (the `seal_pubkey` registered on chain). */
  readonly publicKey: Uint8Array;
  /** The serialized Sui signature (base64) of `authMessage(masterId, nodeId, nonce)`. */
  signAuth(masterId: string, nodeId: string, nonce: string): Promise<string>;
}

// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410), so OpenSSL takes the seed as the key.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_FLAG = 0x00;

/** The seal signer of a token. Throws DaasError `SEAL_TOKEN_TOO_SHORT` as deriveSealKey does. */
export function sealSignerOf(sealToken: string): SealSigner {
  const seed = sealSeed(sealToken);
  const key: KeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  seed.fill(0);
  const publicKey = new Uint8Array(Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x!, 'base64url'));
  return {
    publicKey,
    async signAuth(masterId, nodeId, nonce) {
      const digest = personalMessageDigest(Buffer.from(authMessage(masterId, nodeId, nonce), 'utf8'));
      const signature = sign(null, digest, key);
      return Buffer.concat([Buffer.of(ED25519_FLAG), signature, publicKey]).toString('base64');
    },
  };
}
