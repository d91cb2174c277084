import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DaasError } from '../../shared/errors.ts';
import { readRegistrationState, registrationStateFile, writeRegistrationState, type RegistrationState } from './state-file.ts';

const root = mkdtempSync(join(tmpdir(), 'reg-state-'));
const state: RegistrationState = {
  version: 1,
  nodeId: 'my-worker-001',
  owner: `0x${'a'.repeat(64)}`,
  sealPubkey: Buffer.alloc(32, 7).toString('base64'),
  stakeMist: '1000000000',
  digest: 'Fd1G3x5xk8YDqNQs1r9Gm8zP7w7TmV7y4pG5kDqJ1fWz',
  registered: false,
  stakeProofId: null,
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('registration state file', () => {
  it('is absent until written, then reads back what was written', async () => {
    const path = registrationStateFile(join(root, 'a'));
    expect(path).toBe(join(root, 'a', 'registration.json'));
    expect(await readRegistrationState(path)).toBeNull();
    await writeRegistrationState(path, state);
    expect(await readRegistrationState(path)).toEqual(state);
  });

  it('is mode 0600 in a 0700 directory, whatever the umask, and leaves no temp file', async () => {
    const dir = join(root, 'b', 'nested');
    const path = registrationStateFile(dir);
    const old = process.umask(0o000);
    try {
      await writeRegistrationState(path, state);
      await writeRegistrationState(path, { ...state, registered: true, stakeProofId: `0x${'c'.repeat(64)}` });
    } finally {
      process.umask(old);
    }
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual(['registration.json']);
    expect(await readRegistrationState(path)).toMatchObject({ registered: true });
  });

  it('refuses a file it does not understand rather than guessing', async () => {
    const dir = mkdtempSync(join(root, 'c-'));
    for (const [name, content] of [
      ['torn.json', '{"version":1,"nodeId":"w'],
      ['other.json', JSON.stringify({ ...state, version: 2 })],
    ]) {
      const path = join(dir, name);
      writeFileSync(path, content);
      const err = await readRegistrationState(path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DaasError);
      expect((err as DaasError).code).toBe('REGISTRATION_STATE_CORRUPT');
      expect((err as DaasError).message).toMatch(/check the owner's transactions on chain/);
    }
  });

  it('names the file when it cannot write', async () => {
    const blocker = join(root, 'file-not-dir');
    writeFileSync(blocker, '');
    const path = join(blocker, 'registration.json');
    await expect(writeRegistrationState(path, state)).rejects.toMatchObject({ code: 'REGISTRATION_STATE_WRITE', message: `cannot write the registration state ${path}` });
  });
});
