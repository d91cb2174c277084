/**
 * Transaction signers from the two places an operator keeps a Sui key: a `suiprivkey1…` string,
 * or the Sui CLI keystore (a JSON array of base64 `flag || secret` entries).
 */
import { readFileSync } from 'node:fs';
import { decodeSuiPrivateKey, type Keypair } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { Secp256k1Keypair } from '@mysten/sui/keypairs/secp256k1';
import { Secp256r1Keypair } from '@mysten/sui/keypairs/secp256r1';
import { fromBase64 } from '@mysten/sui/utils';
import { DaasError } from '../errors.ts';

const SCHEMES = { 0: 'ED25519', 1: 'Secp256k1', 2: 'Secp256r1' } as const;

/** The keypair of a `suiprivkey1…` string. Throws DaasError `BAD_PRIVATE_KEY` without echoing the key. */
export function signerFromPrivateKey(privateKey: string): Keypair {
  let decoded;
  try {
    decoded = decodeSuiPrivateKey(privateKey.trim());
  } catch {
    throw new DaasError('BAD_PRIVATE_KEY', 'not a Sui private key: expected a bech32 `suiprivkey1…` string (as `sui keytool export` prints)');
  }
  return keypairOf(decoded.scheme, decoded.secretKey);
}

/**
 * The keypair in a Sui CLI keystore file: the one for `address` when given, else the first.
 * Throws DaasError `BAD_KEYSTORE` naming the file.
 */
export function signerFromKeystore(path: string, address?: string): Keypair {
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new DaasError('BAD_KEYSTORE', `cannot read the Sui keystore ${path}: ${(err as Error).message}`);
  }
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new DaasError('BAD_KEYSTORE', `${path} is not a Sui keystore (expected a JSON array of base64 keys)`);
  }
  const keys = entries.map((entry) => {
    const bytes = fromBase64(String(entry));
    const scheme = SCHEMES[bytes[0] as keyof typeof SCHEMES];
    if (!scheme || bytes.length !== 33) {
      throw new DaasError('BAD_KEYSTORE', `${path} holds a key of an unknown scheme (flag ${bytes[0]})`);
    }
    return keypairOf(scheme, bytes.slice(1));
  });
  if (!address) return keys[0];
  const found = keys.find((k) => k.toSuiAddress() === address);
  if (!found) throw new DaasError('BAD_KEYSTORE', `${path} holds no key for ${address}`);
  return found;
}

function keypairOf(scheme: string, secretKey: Uint8Array): Keypair {
  switch (scheme) {
    case 'ED25519':
      return Ed25519Keypair.fromSecretKey(secretKey);
    case 'Secp256k1':
      return Secp256k1Keypair.fromSecretKey(secretKey);
    case 'Secp256r1':
      return Secp256r1Keypair.fromSecretKey(secretKey);
    default:
      throw new DaasError('BAD_PRIVATE_KEY', `unsupported key scheme ${scheme}`);
  }
}
