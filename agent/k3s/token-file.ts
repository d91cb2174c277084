/**
 * The join token on disk, for `k3s agent --token-file`: mode 0600, replaced atomically, in a
 * directory that other users cannot write to (else they could swap the file or read it mid-write).
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DaasError } from '../../shared/errors.ts';

export const TOKEN_FILE_NAME = 'k3s-join-token';

export interface WriteTokenFileOptions {
  /** Directory for the file (K8S_DAAS_STATE_DIR); created 0700 when missing. */
  dir: string;
  token: string;
  /** File name inside `dir`; default `k3s-join-token`. */
  fileName?: string;
}

/**
 * Writes `token` to `<dir>/<fileName>` with mode 0600 via a 0600 temp file and rename, and returns
 * the path. Throws DaasError `TOKEN_FILE_INSECURE_DIR` when `dir` is group/world-writable (without
 * the sticky bit) or not a directory, `TOKEN_FILE_BAD_TOKEN` for an empty or multi-line token, and
 * `TOKEN_FILE_WRITE` for I/O failures.
 */
export async function writeTokenFile(options: WriteTokenFileOptions): Promise<string> {
  const token = options.token.trim();
  if (token === '' || /[\r\n]/.test(token)) {
    throw new DaasError('TOKEN_FILE_BAD_TOKEN', 'the join token is empty or spans several lines');
  }
  await ensurePrivateDir(options.dir);
  const path = join(options.dir, options.fileName ?? TOKEN_FILE_NAME);
  const tmp = join(options.dir, `.${options.fileName ?? TOKEN_FILE_NAME}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // 'wx': never follow or reuse an existing file; 0600 from the first byte.
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(`${token}\n`);
      await handle.chmod(0o600); // the umask can only narrow the mode; this pins it exactly
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    return path;
  } catch (err) {
    await rm(tmp, { force: true });
    throw new DaasError('TOKEN_FILE_WRITE', `cannot write the join token file ${path}`, { cause: err, retryable: true });
  }
}

/** Removes the token file (on revoke); absent is fine. */
export async function removeTokenFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new DaasError('TOKEN_FILE_WRITE', `cannot create the state directory ${dir}`, { cause: err });
  }
  const info = await lstat(dir);
  if (!info.isDirectory()) {
    throw new DaasError('TOKEN_FILE_INSECURE_DIR', `${dir} is not a directory (a symlink?); point K8S_DAAS_STATE_DIR at a real directory`);
  }
  if (isOpenToOthers(info.mode)) {
    throw new DaasError(
      'TOKEN_FILE_INSECURE_DIR',
      `${dir} is writable by other users (mode ${(info.mode & 0o7777).toString(8)}); run chmod 700 ${dir} or choose another K8S_DAAS_STATE_DIR`,
    );
  }
  // A writable parent lets others rename the directory itself away: check one level up as well.
  const parent = dirname(dir);
  if (parent !== dir) {
    const up = await stat(parent);
    if (isOpenToOthers(up.mode)) {
      throw new DaasError('TOKEN_FILE_INSECURE_DIR', `${parent} (parent of ${dir}) is writable by other users without the sticky bit`);
    }
  }
}

/** Group/world-writable and not sticky (/tmp-style sticky dirs only let owners rename their entries). */
function isOpenToOthers(mode: number): boolean {
  return (mode & 0o022) !== 0 && (mode & 0o1000) === 0;
}

/** For tests and diagnostics: the permission bits of `path`, e.g. 0o600. */
export async function fileMode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}
