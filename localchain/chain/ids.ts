/**
 * Addresses, digests and object ids the way Sui computes them, so values a client derives on its
 * own (a transaction digest, an address) agree with what the node reports.
 */
import { randomBytes } from 'node:crypto';
import { blake2b } from '@noble/hashes/blake2.js';
import { fromBase58, toBase58, toHex } from '@mysten/bcs';
import { normalizeSuiAddress, normalizeStructTag } from '@mysten/sui/utils';

export const SUI_FRAMEWORK = normalizeSuiAddress('0x2');
export const CLOCK_ID = normalizeSuiAddress('0x6');
export const SUI_TYPE = `${SUI_FRAMEWORK}::sui::SUI`;
/** Long form, as a real node renders type names over gRPC. */
export const SUI_COIN_TYPE = `${SUI_FRAMEWORK}::coin::Coin<${SUI_TYPE}>`;
export const CLOCK_TYPE = `${SUI_FRAMEWORK}::clock::Clock`;

/** blake2b-256 of `<Tag>::` ‖ bytes: Sui's hash for signed/hashed structures (TransactionData, Object, …). */
export function hashTagged(tag: string, bytes: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`${tag}::`);
  const data = new Uint8Array(prefix.length + bytes.length);
  data.set(prefix);
  data.set(bytes, prefix.length);
  return blake2b(data, { dkLen: 32 });
}

/** A base58 digest of a tagged hash. */
export function taggedDigest(tag: string, bytes: Uint8Array): string {
  return toBase58(hashTagged(tag, bytes));
}

/** base58 of 32 random bytes: chain ids and the genesis digest. */
export function randomDigest(): string {
  return toBase58(new Uint8Array(randomBytes(32)));
}

/** True for a base58 string of exactly 32 bytes, the only digest shape Sui has. */
export function isDigest(value: string): boolean {
  try {
    return fromBase58(value).length === 32;
  } catch {
    return false;
  }
}

/** `0x` + 64 lowercase hex, or null when `value` is not a hex address of at most 32 bytes. */
export function parseAddress(value: string | undefined): string | null {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(value)) return null;
  return normalizeSuiAddress(value.toLowerCase());
}

/** A fresh random address-shaped id (package ids at genesis). */
export function randomAddress(): string {
  return `0x${toHex(new Uint8Array(randomBytes(32)))}`;
}

/**
 * Sui's `ObjectID::derive_id`: blake2b-256(0xf1 ‖ tx digest ‖ creation counter u64 LE). Ids of
 * objects a transaction creates are therefore fixed by the transaction, in simulation too.
 */
export function deriveObjectId(txDigest: string, counter: number): string {
  const digest = fromBase58(txDigest);
  const data = new Uint8Array(1 + 32 + 8);
  data[0] = 0xf1;
  data.set(digest, 1);
  new DataView(data.buffer).setBigUint64(33, BigInt(counter), true);
  return `0x${toHex(blake2b(data, { dkLen: 32 }))}`;
}

/** A struct tag with every address in long form, or null when it does not parse. */
export function normalizeType(type: string): string | null {
  try {
    return normalizeStructTag(type);
  } catch {
    return null;
  }
}
