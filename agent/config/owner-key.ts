/**
 * The worker owner's Sui key (SUI_PRIVATE_KEY or SUI_KEYSTORE), the one that stakes and registers.
 * The secret stays inside a closure: the config object may be logged or inspected whole without
 * showing it.
 */
import { encodeSuiPrivateKey, type Keypair } from '@mysten/sui/cryptography';
import { signerFromPrivateKey } from '../../shared/chain/signer.ts';
import type { SigningKey } from '../../shared/config/signing-key.ts';

export interface OwnerKey {
  /** Which variable the key came from, for the startup log line. */
  source: SigningKey['source'];
  /** The owner's Sui address (0x + 64 hex digits). */
  address: string;
  /** The transaction signer. */
  signer(): Keypair;
}

/** Wraps a decoded signing key. Throws DaasError `BAD_PRIVATE_KEY` only for a scheme the SDK lacks. */
export function ownerKeyOf(key: SigningKey): OwnerKey {
  const keypair = signerFromPrivateKey(encodeSuiPrivateKey(key.secretKey, key.scheme));
  const address = keypair.toSuiAddress();
  return {
    source: key.source,
    address,
    signer: () => keypair,
    // util.inspect and JSON see only the public parts.
    toJSON: () => ({ source: key.source, address }),
    [Symbol.for('nodejs.util.inspect.custom')]: () => `OwnerKey(${key.source}, ${address})`,
  } as OwnerKey;
}
