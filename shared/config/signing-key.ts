/**
 * The transaction signer's secret: a `suiprivkey1…` string (SUI_PRIVATE_KEY) or a Sui CLI keystore
 * file (SUI_KEYSTORE). Returns raw key bytes and the scheme; building the SDK keypair is the chain
 * adapter's job, so SDK types do not leak out of it.
 */
import { readFileSync } from 'node:fs';
import { decodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { ConfigError } from '../errors.ts';

export type KeyScheme = 'ED25519' | 'Secp256k1' | 'Secp256r1';

export interface SigningKey {
  scheme: KeyScheme;
  /** 32 secret bytes. */
  secretKey: Uint8Array;
  /** Which variable it came from, for the startup log line. */
  source: 'SUI_PRIVATE_KEY' | 'SUI_KEYSTORE';
}

// The keystore prefixes each key with the signature scheme's flag byte.
const FLAG_TO_SCHEME: Record<number, KeyScheme> = { 0: 'ED25519', 1: 'Secp256k1', 2: 'Secp256r1' };

/** Decodes a `suiprivkey1…` key; undefined when it is not one (bad prefix, checksum, scheme or length). */
export function decodePrivateKey(value: string): Omit<SigningKey, 'source'> | undefined {
  if (!value.startsWith('suiprivkey1')) return undefined;
  try {
    const { scheme, secretKey } = decodeSuiPrivateKey(value);
    if (!Object.values(FLAG_TO_SCHEME).includes(scheme as KeyScheme) || secretKey.length !== 32) return undefined;
    return { scheme: scheme as KeyScheme, secretKey };
  } catch {
    return undefined;
  }
}

/**
 * Reads a Sui CLI keystore: a JSON array of base64 strings, each flag byte ‖ 32-byte secret.
 * @throws ConfigError naming SUI_KEYSTORE when the file is unreadable or malformed.
 */
export function readKeystore(path: string): Array<Omit<SigningKey, 'source'>> {
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const why =
      err instanceof SyntaxError ? 'is not JSON' : `cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`;
    throw new ConfigError('SUI_KEYSTORE', `${path} ${why}`);
  }
  if (!Array.isArray(entries)) throw new ConfigError('SUI_KEYSTORE', `${path} must hold a JSON array of base64 keys`);
  return entries.map((entry, i) => {
    const bytes = typeof entry === 'string' ? Buffer.from(entry, 'base64') : Buffer.alloc(0);
    const scheme = FLAG_TO_SCHEME[bytes[0] ?? -1];
    if (bytes.length !== 33 || !scheme) {
      throw new ConfigError('SUI_KEYSTORE', `${path}: entry ${i} is not a flag byte + 32-byte key in base64`);
    }
    return { scheme, secretKey: new Uint8Array(bytes.subarray(1)) };
  });
}

/**
 * The signer from exactly one of SUI_PRIVATE_KEY or SUI_KEYSTORE (a keystore with exactly one key).
 * @throws ConfigError naming the variable and the fix.
 */
export function loadSigningKey(config: { SUI_PRIVATE_KEY?: string; SUI_KEYSTORE?: string }): SigningKey {
  const { SUI_PRIVATE_KEY: privateKey, SUI_KEYSTORE: keystore } = config;
  if (privateKey && keystore)
    throw new ConfigError('SUI_PRIVATE_KEY', 'set either SUI_PRIVATE_KEY or SUI_KEYSTORE, not both');
  if (privateKey) {
    const key = decodePrivateKey(privateKey);
    if (!key)
      throw new ConfigError(
        'SUI_PRIVATE_KEY',
        'must be a suiprivkey1… key (sui keytool export --key-identity <address>)',
      );
    return { ...key, source: 'SUI_PRIVATE_KEY' };
  }
  if (keystore) {
    const keys = readKeystore(keystore);
    // Choosing among several keys would need the CLI's active address (client.yaml); refuse to guess.
    if (keys.length !== 1) {
      throw new ConfigError(
        'SUI_KEYSTORE',
        `${keystore} holds ${keys.length} keys, expected exactly one; export the one to use with ` +
          '`sui keytool export --key-identity <address>` and set SUI_PRIVATE_KEY instead',
      );
    }
    return { ...keys[0], source: 'SUI_KEYSTORE' };
  }
  throw new ConfigError(
    'SUI_PRIVATE_KEY',
    'is required; set SUI_PRIVATE_KEY (suiprivkey1…) or SUI_KEYSTORE (a Sui CLI keystore file)',
  );
}
