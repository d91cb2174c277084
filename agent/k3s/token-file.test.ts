import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaasError } from '../../shared/errors.ts';
import { fileMode, removeTokenFile, writeTokenFile } from './token-file.ts';

const TOKEN = `K10${'c'.repeat(64)}::abcdef.0123456789abcdef`;
let root: string;
let savedUmask: number;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'token-file-'));
  savedUmask = process.umask(0); // the most permissive umask: the mode must still be 0600
});
afterEach(() => {
  process.umask(savedUmask);
});

describe('writeTokenFile', () => {
  it('writes the token with mode 0600 into a 0700 directory it creates', async () => {
    const dir = join(root, 'state');
    const path = await writeTokenFile({ dir, token: `  ${TOKEN}\n` });
    expect(path).toBe(join(dir, 'k3s-join-token'));
    expect(readFileSync(path, 'utf8')).toBe(`${TOKEN}\n`);
    expect(await fileMode(path)).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('replaces an existing file atomically and leaves no temp files', async () => {
    const dir = join(root, 'state');
    const first = await writeTokenFile({ dir, token: 'K10::first:secret' });
    chmodSync(first, 0o644); // someone loosened it; the rewrite must tighten it again
    const inodeBefore = statSync(first).ino;
    await writeTokenFile({ dir, token: TOKEN });
    expect(readFileSync(first, 'utf8')).toBe(`${TOKEN}\n`);
    expect(statSync(first).ino).not.toBe(inodeBefore); // a new file renamed over, not rewritten in place
    expect(await fileMode(first)).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['k3s-join-token']);
  });

  it('refuses a group- or world-writable directory', async () => {
    const dir = join(root, 'open');
    mkdirSync(dir, { mode: 0o777 });
    await expect(writeTokenFile({ dir, token: TOKEN })).rejects.toMatchObject({ code: 'TOKEN_FILE_INSECURE_DIR' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a symlinked directory', async () => {
    const real = join(root, 'real');
    mkdirSync(real, { mode: 0o700 });
    const link = join(root, 'link');
    symlinkSync(real, link);
    await expect(writeTokenFile({ dir: link, token: TOKEN })).rejects.toMatchObject({ code: 'TOKEN_FILE_INSECURE_DIR' });
  });

  it.each(['', '   ', 'a\nb'])('rejects the token %j', async (token) => {
    const err = await writeTokenFile({ dir: join(root, 's'), token }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaasError);
    expect((err as DaasError).code).toBe('TOKEN_FILE_BAD_TOKEN');
  });

  it('removeTokenFile deletes the file and tolerates its absence', async () => {
    const path = await writeTokenFile({ dir: join(root, 's'), token: TOKEN });
    await removeTokenFile(path);
    await removeTokenFile(path);
    expect(readdirSync(join(root, 's'))).toEqual([]);
  });
});
