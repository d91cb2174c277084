/**
 * A seal key with node:crypto's Ed25519 underneath. It is the same key as `deriveSealKey` (same
 * seed, same public key, byte-identical signatures: Ed25519 is deterministic) and it signs through
 * the same `signAuth`, but it is built and signs in microseconds instead of milliseconds, so the
 * load generators spend the machine's two cores on sockets rather than on pure-JS curve arithmetic.
 * seal-signer.test.ts proves the equivalence.
 */
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { benchSealToken } from './workers.ts';

// DESIGN.md: seed = SHA-256("k8s-daas/seal/v1:" + sealToken).
const SEED_PREFIX = 'k8s-daas/seal/v1:';
// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

class NodeEd25519Keypair extends Ed25519Keypair {
  readonly #key: KeyObject;

  constructor(seed: Uint8Array) {
    const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    const jwk = createPublicKey(key).export({ format: 'jwk' });
    super({ publicKey: new Uint8Array(Buffer.from(jwk.x!, 'base64url')), secretKey: seed });
    this.#key = key;
  }

  override async sign(data: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(sign(null, data, this.#key));
  }
}

/** The seal key of a token, as `deriveSealKey` derives it (no length check: bench tokens are long). */
export function fastSealKey(sealToken: string): Ed25519Keypair {
  return new NodeEd25519Keypair(new Uint8Array(createHash('sha256').update(SEED_PREFIX + sealToken, 'utf8').digest()));
}

/** The seal key of bench worker `index`. */
export function fastBenchSealKey(index: number): Ed25519Keypair {
  return fastSealKey(benchSealToken(index));
}
