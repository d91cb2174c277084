/**
 * The bytes a Sui personal-message signature signs, without the SDK (its cryptography module costs
 * the long-running agent ~20 MiB and the master's hot path a detour): BLAKE2b-256 of
 * intent (PersonalMessage 3, V0, Sui) ‖ BCS vector<u8>(message). The agent's signer and the master's
 * verifier both use it; their tests compare it with the SDK byte for byte.
 */
import { blake2b } from '@noble/hashes/blake2.js';

const PERSONAL_MESSAGE_INTENT = [3, 0, 0];

/** The 32-byte digest of `message` as a personal message. */
export function personalMessageDigest(message: Uint8Array): Uint8Array {
  return blake2b(Buffer.concat([Buffer.from(PERSONAL_MESSAGE_INTENT), Buffer.from(uleb128(message.length)), message]), { dkLen: 32 });
}

/** ULEB128, the length prefix of a BCS vector. */
function uleb128(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}
