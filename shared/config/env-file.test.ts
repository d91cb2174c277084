import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { loadEnvFile, parseEnvFile } from './env-file.ts';

describe('parseEnvFile', () => {
  it('reads bare, quoted and exported values, skipping comments and blanks', () => {
    const text = [
      '# written by the installer',
      '',
      'SUI_RPC_URL=https://fullnode.testnet.sui.io',
      'export K8S_DAAS_NODE_ID=my-worker-001',
      "K3S_EXTRA_ARGS='--node-label a=b # not a comment'",
      'K8S_DAAS_SEAL_TOKEN="quote \\" and \\\\ and \\n newline"',
      'EMPTY=',
      'SPACED = value with spaces   # trailing comment',
      'HASH=a#b',
      '  INDENTED=1',
    ].join('\n');
    expect(parseEnvFile(text)).toEqual({
      SUI_RPC_URL: 'https://fullnode.testnet.sui.io',
      K8S_DAAS_NODE_ID: 'my-worker-001',
      K3S_EXTRA_ARGS: '--node-label a=b # not a comment',
      K8S_DAAS_SEAL_TOKEN: 'quote " and \\ and \n newline',
      EMPTY: '',
      SPACED: 'value with spaces',
      HASH: 'a#b',
      INDENTED: '1',
    });
  });

  it('lets a later line win and accepts CRLF and a BOM', () => {
    expect(parseEnvFile('\uFEFFA=1\r\nA=2\r\n')).toEqual({ A: '2' });
  });

  it('names the file and line, never the value', () => {
    const cases: Array<[string, RegExp]> = [
      ['A=1\nsecretwithoutkey', /^f\.env:2: expected KEY=VALUE$/],
      ['=x', /^f\.env:1: expected KEY=VALUE$/],
      ['1BAD=x', /^f\.env:1: "1BAD" is not a valid variable name$/],
      ['A="unterminated secret', /^f\.env:1: A: unterminated double quote$/],
      ["A='x' junk", /^f\.env:1: A: unexpected text after the closing quote$/],
    ];
    for (const [text, message] of cases) {
      const err = catchError(() => parseEnvFile(text, 'f.env'));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain('secret');
    }
  });
});

describe('loadEnvFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'envfile-'));

  it('reads a file', () => {
    const path = join(dir, 'agent.env');
    writeFileSync(path, 'K8S_DAAS_NODE_ID=w1\n');
    expect(loadEnvFile(path)).toEqual({ K8S_DAAS_NODE_ID: 'w1' });
  });

  it('fails on a missing file unless optional', () => {
    const path = join(dir, 'missing.env');
    expect(loadEnvFile(path, { optional: true })).toEqual({});
    expect(() => loadEnvFile(path)).toThrow(`${path}: cannot read the env file (ENOENT)`);
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
