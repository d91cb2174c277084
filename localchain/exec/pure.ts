/**
 * Pure values between BCS and the JS values the Move mirror takes (types.ts): string → string,
 * u64 → bigint, u8 → number, bool → boolean, address → `0x`+64 hex, vector<u8> → Uint8Array,
 * vector<string> → string[]. Decoding is strict like Move's: the bytes must be exactly one
 * canonical value (no trailing bytes) and strings valid UTF-8, else INVALID_BCS_BYTES.
 */
import { bcs, type BcsType } from '@mysten/bcs';
import { toHex } from '@mysten/bcs';
import type { PureType } from '../move/types.ts';

const LAYOUTS: Record<PureType, BcsType<unknown, never>> = {
  string: bcs.string() as never,
  u64: bcs.u64() as never,
  u8: bcs.u8() as never,
  bool: bcs.bool() as never,
  address: bcs.fixedArray(32, bcs.u8()) as never,
  'vector<u8>': bcs.byteVector() as never,
  'vector<string>': bcs.vector(bcs.string()) as never,
};

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The JS value of `bytes` as `type`; throws Error when the bytes are not exactly one such value. */
export function decodePure(type: PureType, bytes: Uint8Array): unknown {
  const layout = LAYOUTS[type];
  const parsed = layout.parse(bytes) as unknown;
  // Re-encoding catches trailing bytes, non-canonical lengths and invalid UTF-8 (decoded to
  // U+FFFD, which encodes differently).
  if (!sameBytes(layout.serialize(parsed as never).toBytes(), bytes)) throw new Error(`not a canonical ${type}`);
  switch (type) {
    case 'u64':
      return BigInt(parsed as string);
    case 'address':
      return `0x${toHex(new Uint8Array(parsed as number[]))}`;
    case 'vector<u8>':
      return new Uint8Array(parsed as Uint8Array);
    default:
      return parsed;
  }
}

/** BCS of a value the Move mirror returned, as `type`. */
export function encodePure(type: PureType, value: unknown): Uint8Array {
  if (type === 'address') return new Uint8Array(Buffer.from(String(value).replace(/^0x/, '').padStart(64, '0'), 'hex'));
  return LAYOUTS[type].serialize(value as never).toBytes();
}
