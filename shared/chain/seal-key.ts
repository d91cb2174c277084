/**
 * The seal-key scheme of DESIGN.md: the seal token never leaves the worker host; it is the seed of
 * an Ed25519 key whose 32-byte public key is registered on chain. The worker proves possession by
 * signing the master's challenge as a Sui personal message.
 */
import { Ed25519Keypair, Ed25519PublicKey } from '@mysten/sui/keypairs/ed25519';
import { verifyPersonalMessageSignature } from '@mysten/sui/verify';
import { toBase64 } from '@mysten/sui/utils';
import { randomBytes } from 'node:crypto';
import { authMessage } from '../protocol/messages.ts';
import { SEAL_PUBKEY_LENGTH } from './abi.ts';
import { sealSeed } from './seal-seed.ts';

export { MIN_SEAL_TOKEN_LENGTH } from './seal-seed.ts';

/** The seal key of a token. Throws DaasError `SEAL_TOKEN_TOO_SHORT` for a token under 32 characters. */
export function deriveSealKey(sealToken: string): Ed25519Keypair {
  return Ed25519Keypair.fromSecretKey(new Uint8Array(sealSeed(sealToken)));
}

/** The raw 32-byte public key registered on chain as `seal_pubkey`. */
export function sealPublicKey(sealToken: string): Uint8Array {
  return deriveSealKey(sealToken).getPublicKey().toRawBytes();
}

/** A fresh random seal token: 32 random bytes as base64url, 43 characters. */
export function newSealToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Signs the auth message with the seal key; returns the serialized Sui signature (base64). */
export async function signAuth(
  key: Ed25519Keypair,
  masterId: string,
  nodeId: string,
  nonce: string,
): Promise<string> {
  const { signature } = await key.signPersonalMessage(new TextEncoder().encode(authMessage(masterId, nodeId, nonce)));
  return signature;
}

/**
 * True when `signature` is a valid personal-message signature of the auth message by the key
 * whose raw public key is `sealPubkey`. Never throws for bad input: a malformed signature is false.
 */
export async function verifyAuth(
  sealPubkey: Uint8Array,
  signature: string,
  masterId: string,
  nodeId: string,
  nonce: string,
): Promise<boolean> {
  if (sealPubkey.length !== SEAL_PUBKEY_LENGTH) return false;
  try {
    const message = new TextEncoder().encode(authMessage(masterId, nodeId, nonce));
    const signer = await verifyPersonalMessageSignature(message, signature);
    return signer.toSuiAddress() === new Ed25519PublicKey(sealPubkey).toSuiAddress();
  } catch {
    return false;
  }
}

/** Base64 of a seal public key, for logs and APIs (public data). */
export function sealPubkeyBase64(pubkey: Uint8Array): string {
  return toBase64(pubkey);
}
