/**
 * `--state FILE`: the whole ledger as JSON, written atomically (temporary file in the same
 * directory, fsync, rename) with mode 0600 because it holds the master's and the faucet's
 * private keys. bigint and Uint8Array values are tagged so they survive the round trip.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LedgerData, StoredObject } from './types.ts';

const FORMAT = 'k8s-daas-localchain/1';

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return { $n: value.toString() };
  if (value instanceof Uint8Array) return { $b: Buffer.from(value).toString('base64') };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const v = value as { $n?: unknown; $b?: unknown };
    if (keys.length === 1 && typeof v.$n === 'string') return BigInt(v.$n);
    if (keys.length === 1 && typeof v.$b === 'string') return new Uint8Array(Buffer.from(v.$b, 'base64'));
  }
  return value;
}

/**
 * The package state holds user-chosen keys (request ids, node ids); it is plain JSON already, so
 * it is embedded as its own JSON text, out of reach of the bigint/bytes tags.
 */
export function serializeLedger(data: LedgerData): string {
  const { objects, packageState, ...rest } = data;
  return JSON.stringify({ format: FORMAT, data: { ...rest, packageState: JSON.stringify(packageState), objects: [...objects.values()] } }, replacer);
}

export function deserializeLedger(text: string): LedgerData {
  const parsed = JSON.parse(text, reviver) as { format?: string; data?: Omit<LedgerData, 'objects' | 'packageState'> & { objects: StoredObject[]; packageState: string } };
  if (parsed.format !== FORMAT || !parsed.data) throw new Error(`not a ${FORMAT} state file`);
  const { objects, packageState, ...rest } = parsed.data;
  if (!Array.isArray(objects) || !Array.isArray(rest.transactions) || !Array.isArray(rest.checkpoints) || rest.checkpoints.length === 0 || typeof packageState !== 'string') {
    throw new Error('state file is incomplete');
  }
  return { ...rest, packageState: JSON.parse(packageState) as LedgerData['packageState'], objects: new Map(objects.map((o) => [o.id, o])) };
}

/** The saved ledger, or null when the file does not exist or is empty (a new chain). Throws on a corrupt file. */
export function loadLedger(file: string): LedgerData | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  if (text.trim() === '') return null;
  try {
    return deserializeLedger(text);
  } catch (err) {
    throw new Error(`cannot read state file ${file}: ${(err as Error).message}`);
  }
}

/** Replaces `file` with the ledger, atomically, mode 0600. */
export function saveLedger(file: string, data: LedgerData): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeFileSync(fd, serializeLedger(data));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}
