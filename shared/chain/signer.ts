/**
 * SDK keypairs for the keys configuration loads (shared/config/signing-key.ts reads and checks
 * them; this file only turns raw key bytes into a signer, keeping SDK types in the chain layer).
 */
import type { Keypair } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Secp256k1Keypair } from '@mysten/sui/keypairs/secp256k1';
import { Secp256r1Keypair } from '@mysten/sui/keypairs/secp256r1';
import { DaasError } from '../errors.ts';
import { decodePrivateKey, type SigningKey } from '../config/signing-key.ts';

/** The signer of a loaded key. */
export function signerFromKey(key: Pick<SigningKey, 'scheme' | 'secretKey'>): Keypair {
  switch (key.scheme) {
    case 'ED25519':
      return Ed25519Keypair.fromSecretKey(key.secretKey);
    case 'Secp256k1':
      return Secp256k1Keypair.fromSecretKey(key.secretKey);
    case 'Secp256r1':
      return Secp256r1Keypair.fromSecretKey(key.secretKey);
  }
}

/** The signer of a `suiprivkey1…` string. Throws DaasError `BAD_PRIVATE_KEY` without echoing the key. */
export function signerFromPrivateKey(privateKey: string): Keypair {
  const key = decodePrivateKey(privateKey.trim());
  if (!key) {
    throw new DaasError('BAD_PRIVATE_KEY', 'not a Sui private key: expected a bech32 `suiprivkey1…` string (as `sui keytool export` prints)');
  }
  return signerFromKey(key);
}
