/**
 * The registration state file (`<K8S_DAAS_STATE_DIR>/registration.json`): what this host last did
 * on chain, written before the transaction is sent (its digest) and after it executed (the result),
 * so an agent killed in between finds its own transaction on restart instead of staking again.
 * Mode 0600, replaced atomically (0600 temp file, fsync, rename), so a crash leaves the old or the
 * new content, never a torn file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { DaasError } from '../../shared/errors.ts';

export const REGISTRATION_STATE_FILE = 'registration.json';

const stateSchema = z.object({
  version: z.literal(1),
  nodeId: z.string(),
  /** The owner address that signs the registration. */
  owner: z.string(),
  /** Base64 of the 32-byte seal public key the transaction registers. */
  sealPubkey: z.string(),
  /** Decimal MIST. */
  stakeMist: z.string().regex(/^\d+$/),
  /** The registration transaction: set before it is sent; null when none is known. */
  digest: z.string().nullable(),
  /** True once the chain showed the worker registered. `digest` set and false: sent, no result seen. */
  registered: z.boolean(),
  stakeProofId: z.string().nullable(),
  /** ISO time of the last write; `sentAt` of a pending transaction. */
  updatedAt: z.string(),
});

export type RegistrationState = z.infer<typeof stateSchema>;

/** The state file's path in a state directory. */
export function registrationStateFile(stateDir: string): string {
  return join(stateDir, REGISTRATION_STATE_FILE);
}

/**
 * The recorded state, or null when the file does not exist.
 * @throws DaasError `REGISTRATION_STATE_CORRUPT` for a file that is not a state file, `REGISTRATION_STATE_READ` for I/O errors.
 */
export async function readRegistrationState(path: string): Promise<RegistrationState | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DaasError('REGISTRATION_STATE_READ', `cannot read the registration state ${path}`, { cause: err });
  }
  let parsed;
  try {
    parsed = stateSchema.safeParse(JSON.parse(text));
  } catch (err) {
    parsed = { success: false as const, error: err };
  }
  if (!parsed.success) {
    // Guessing would risk a second stake: a person must look at the chain first.
    throw new DaasError(
      'REGISTRATION_STATE_CORRUPT',
      `${path} is not a registration state file the agent understands; check the owner's transactions on chain ` +
        `(a registration may have been sent), then move the file away and start again`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/**
 * Replaces the state file atomically with mode 0600, creating its directory (0700) when missing.
 * @throws DaasError `REGISTRATION_STATE_WRITE` (retryable) naming the file.
 */
export async function writeRegistrationState(path: string, state: RegistrationState): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // 'wx': a fresh file, never one planted by someone else; 0600 from its first byte.
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(stateSchema.parse(state), null, 2)}\n`);
      await handle.chmod(0o600); // the umask can only narrow the mode; this pins it exactly
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    await syncDir(dir);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new DaasError('REGISTRATION_STATE_WRITE', `cannot write the registration state ${path}`, { cause: err, retryable: true });
  }
}

// The rename is durable only once the directory entry is on disk.
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
