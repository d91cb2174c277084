import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { positiveInt, text } from './fields.ts';
import { readSecretFile, resolveConfig, tryResolveConfig } from './resolve.ts';

const schema = z.object({
  K8S_DAAS_POLL_INTERVAL_MS: positiveInt().default(1000),
  K8S_DAAS_NODE_ID: text(),
  K8S_DAAS_SEAL_TOKEN: text().optional(),
  // A schema variable that itself ends in _FILE keeps its meaning (a path, not a secret's twin).
  K3S_TOKEN: text().optional(),
  K3S_TOKEN_FILE: text().optional(),
});

const dir = mkdtempSync(join(tmpdir(), 'resolve-'));
function secretFile(name: string, content: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

describe('resolveConfig', () => {
  it('merges flags > environment > env file > defaults', () => {
    const base = { envFile: { K8S_DAAS_NODE_ID: 'from-file', K8S_DAAS_POLL_INTERVAL_MS: '3000' } };
    expect(resolveConfig(schema, base)).toMatchObject({
      K8S_DAAS_NODE_ID: 'from-file',
      K8S_DAAS_POLL_INTERVAL_MS: 3000,
    });
    const env = { ...base, env: { K8S_DAAS_NODE_ID: 'from-env' } };
    expect(resolveConfig(schema, env).K8S_DAAS_NODE_ID).toBe('from-env');
    const flags = { ...env, flags: { K8S_DAAS_NODE_ID: 'from-flag' } };
    expect(resolveConfig(schema, flags).K8S_DAAS_NODE_ID).toBe('from-flag');
    expect(resolveConfig(schema, { env: { K8S_DAAS_NODE_ID: 'x' } }).K8S_DAAS_POLL_INTERVAL_MS).toBe(1000);
  });

  it('treats an empty value as unset', () => {
    const cfg = resolveConfig(schema, { env: { K8S_DAAS_NODE_ID: '' }, envFile: { K8S_DAAS_NODE_ID: 'w1' } });
    expect(cfg.K8S_DAAS_NODE_ID).toBe('w1');
  });

  it('names the variable, the rule and the value in one line', () => {
    const sources = { env: { K8S_DAAS_NODE_ID: 'w1', K8S_DAAS_POLL_INTERVAL_MS: 'abc' } };
    const err = catchError(() => resolveConfig(schema, sources));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe('K8S_DAAS_POLL_INTERVAL_MS: must be a positive integer (got "abc")');
    expect((err as ConfigError).variable).toBe('K8S_DAAS_POLL_INTERVAL_MS');
  });

  it('says how to set a missing variable', () => {
    expect(() => resolveConfig(schema, {})).toThrow(
      'K8S_DAAS_NODE_ID: is required; set K8S_DAAS_NODE_ID in the environment or the env file',
    );
  });

  it('never echoes a secret value', () => {
    const strict = z.object({
      K8S_DAAS_SEAL_TOKEN: text().refine((s) => s.length >= 32, 'must be at least 32 characters'),
    });
    const err = catchError(() => resolveConfig(strict, { env: { K8S_DAAS_SEAL_TOKEN: 'short-secret' } }));
    expect(err.message).toBe('K8S_DAAS_SEAL_TOKEN: must be at least 32 characters');
  });

  it('reports every problem, in schema order', () => {
    const r = tryResolveConfig(schema, { env: { K8S_DAAS_POLL_INTERVAL_MS: '0' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.variable)).toEqual(['K8S_DAAS_POLL_INTERVAL_MS', 'K8S_DAAS_NODE_ID']);
  });
});

describe('*_FILE secrets', () => {
  it('reads a secret from its file, trimmed', () => {
    const path = secretFile('seal', '  s3cret-token-0123456789-0123456789\n');
    const cfg = resolveConfig(schema, { env: { K8S_DAAS_NODE_ID: 'w1', K8S_DAAS_SEAL_TOKEN_FILE: path } });
    expect(cfg.K8S_DAAS_SEAL_TOKEN).toBe('s3cret-token-0123456789-0123456789');
  });

  it('lets a higher layer win over a lower _FILE, and refuses both in one layer', () => {
    const path = secretFile('seal2', 'from-file');
    const sources = {
      flags: { K8S_DAAS_SEAL_TOKEN: 'from-flag' },
      env: { K8S_DAAS_NODE_ID: 'w1', K8S_DAAS_SEAL_TOKEN_FILE: path },
    };
    expect(resolveConfig(schema, sources).K8S_DAAS_SEAL_TOKEN).toBe('from-flag');
    const both = { env: { K8S_DAAS_NODE_ID: 'w1', K8S_DAAS_SEAL_TOKEN: 'x', K8S_DAAS_SEAL_TOKEN_FILE: path } };
    expect(() => resolveConfig(schema, both)).toThrow(
      'K8S_DAAS_SEAL_TOKEN: set either K8S_DAAS_SEAL_TOKEN or K8S_DAAS_SEAL_TOKEN_FILE, not both',
    );
  });

  it('refuses a file readable by group or others', () => {
    const path = secretFile('open', 'secret', 0o644);
    const sources = { env: { K8S_DAAS_NODE_ID: 'w1', K8S_DAAS_SEAL_TOKEN_FILE: path } };
    expect(() => resolveConfig(schema, sources)).toThrow(
      `K8S_DAAS_SEAL_TOKEN_FILE: ${path} has mode 0644, wider than 0600; run: chmod 600 ${path}`,
    );
    expect(() => readSecretFile('X_FILE', secretFile('group', 'secret', 0o640))).toThrow(/chmod 600/);
    expect(readSecretFile('X_FILE', secretFile('owner-ro', 'secret', 0o400))).toBe('secret');
  });

  it('names missing and empty files', () => {
    expect(() => readSecretFile('X_FILE', join(dir, 'nope'))).toThrow(/^X_FILE: cannot read .*nope \(ENOENT\)$/);
    expect(() => readSecretFile('X_FILE', secretFile('empty', '\n'))).toThrow(/X_FILE: .*empty is empty/);
  });

  it('does not treat a schema variable ending in _FILE as a secret twin', () => {
    const cfg = resolveConfig(schema, {
      env: { K8S_DAAS_NODE_ID: 'w1', K3S_TOKEN_FILE: '/var/lib/rancher/k3s/server/node-token' },
    });
    expect(cfg).toMatchObject({ K3S_TOKEN: undefined, K3S_TOKEN_FILE: '/var/lib/rancher/k3s/server/node-token' });
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}
