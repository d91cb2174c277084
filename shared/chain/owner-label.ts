/**
 * The `k8s-daas.io/owner` label value of an owner's address, the same on nodes (set by the agent)
 * and on namespaces (set by the master). A Kubernetes label value holds at most 63 characters and
 * a Sui address is 66 (`0x` + 64 hex), so DESIGN.md's `owner=<address>` cannot be written as is:
 * the 32 address bytes go in lowercase RFC 4648 base32 without padding (52 characters, lossless),
 * so `kubectl get nodes -l k8s-daas.io/owner=$(…)` selects exactly one owner's nodes.
 */
import { DaasError } from '../errors.ts';

export const OWNER_LABEL = 'k8s-daas.io/owner';
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** The label value of `address`. Throws DaasError `BAD_ADDRESS` for anything but a Sui address. */
export function ownerLabelValue(address: string): string {
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(address)) throw new DaasError('BAD_ADDRESS', `${JSON.stringify(address)} is not a Sui address`);
  return base32(Buffer.from(address.slice(2).toLowerCase().padStart(64, '0'), 'hex'));
}

/** The address of a label value made by `ownerLabelValue`. */
export function addressFromOwnerLabel(value: string): string {
  let bits = 0;
  let acc = 0;
  const bytes: number[] = [];
  for (const ch of value) {
    const v = BASE32.indexOf(ch);
    if (v < 0) throw new DaasError('BAD_ADDRESS', `${JSON.stringify(value)} is not an owner label value`);
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((acc >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return `0x${Buffer.from(bytes).toString('hex')}`;
}

/** RFC 4648 base32, lowercase, without padding. */
export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xfff; // at most 12 pending bits
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}
