import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { decodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/errors.ts';
import { ConfigProblems, loadAgentConfig, tryLoadAgentConfig, type AgentConfigSources } from './load.ts';

const dir = mkdtempSync(join(tmpdir(), 'agent-config-'));
function file(name: string, content: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

const SEAL = 'seal-token-0123456789abcdefghijklmnop';
const base = {
  SUI_RPC_URL: 'http://127.0.0.1:9000',
  K8S_DAAS_PACKAGE_ID: '0xa1',
  K8S_DAAS_REGISTRY_ID: '0xb2',
  K8S_DAAS_SCHEDULER_ID: '0xc3',
  K8S_DAAS_MASTER_URL: 'wss://master.example.com:8443',
  K8S_DAAS_NODE_ID: 'my-worker-001',
  K8S_DAAS_SEAL_TOKEN: SEAL,
};
const id = (hex: string) => `0x${hex.padStart(64, '0')}`;

function problems(sources: AgentConfigSources): string[] {
  const result = tryLoadAgentConfig(sources);
  if (result.ok) throw new Error('expected configuration problems');
  for (const e of result.errors) expect(e).toBeInstanceOf(ConfigError);
  return result.errors.map((e) => e.message);
}

describe('loadAgentConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadAgentConfig({ env: base })).toEqual({
      sui: { url: 'http://127.0.0.1:9000', transport: 'grpc' },
      ids: { packageId: id('a1'), registryId: id('b2'), schedulerId: id('c3') },
      masterUrl: 'wss://master.example.com:8443',
      nodeId: 'my-worker-001',
      sealToken: SEAL,
      ownerKey: undefined,
      stakeMist: 1_000_000_000n,
      stateDir: '/var/lib/k8s-daas-agent',
      k3sBin: 'k3s',
      k3sExtraArgs: '',
      masterCaSha256: undefined,
      allowPlaintext: false,
      logLevel: 'info',
    });
  });

  it('takes flags over the environment over the env file', () => {
    const envFilePath = file('agent.env', 'K8S_DAAS_NODE_ID=from-file\nK8S_DAAS_STAKE_MIST=2000000000\nLOG_LEVEL=debug\n');
    const sources = { envFilePath, env: { ...base, K8S_DAAS_NODE_ID: 'from-env', LOG_LEVEL: undefined }, flags: { LOG_LEVEL: 'warn' } };
    expect(loadAgentConfig(sources)).toMatchObject({ nodeId: 'from-env', stakeMist: 2_000_000_000n, logLevel: 'warn' });
  });

  it('reads the seal token from a 0600 file', () => {
    const path = file('seal', `${SEAL}\n`);
    const env = { ...base, K8S_DAAS_SEAL_TOKEN: undefined, K8S_DAAS_SEAL_TOKEN_FILE: path };
    expect(loadAgentConfig({ env }).sealToken).toBe(SEAL);
  });

  it('refuses a seal token file that others can read, or that is missing', () => {
    const open = file('seal-open', SEAL, 0o644);
    expect(problems({ env: { ...base, K8S_DAAS_SEAL_TOKEN: undefined, K8S_DAAS_SEAL_TOKEN_FILE: open } })).toEqual([
      `K8S_DAAS_SEAL_TOKEN_FILE: ${open} has mode 0644, wider than 0600; run: chmod 600 ${open}`,
    ]);
    const missing = join(dir, 'no-such-seal');
    expect(problems({ env: { ...base, K8S_DAAS_SEAL_TOKEN: undefined, K8S_DAAS_SEAL_TOKEN_FILE: missing } })).toEqual([
      `K8S_DAAS_SEAL_TOKEN_FILE: cannot read ${missing} (ENOENT)`,
    ]);
  });

  it('refuses a short seal token without echoing it', () => {
    const [message] = problems({ env: { ...base, K8S_DAAS_SEAL_TOKEN: 'short-secret' } });
    expect(message).toBe('K8S_DAAS_SEAL_TOKEN: must be at least 32 characters (this one has 12); make one with `k8s-daas-agent new-seal-token`');
  });

  it('refuses a node id that is not a Kubernetes node name', () => {
    expect(problems({ env: { ...base, K8S_DAAS_NODE_ID: 'Worker_1' } })).toEqual([
      "K8S_DAAS_NODE_ID: must be a Kubernetes node name: 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit (e.g. worker-1) (got \"Worker_1\")",
    ]);
  });

  it('allows ws:// only to loopback or with K8S_DAAS_ALLOW_PLAINTEXT=1', () => {
    const [message] = problems({ env: { ...base, K8S_DAAS_MASTER_URL: 'ws://10.0.0.5:8080' } });
    expect(message).toMatch(/^K8S_DAAS_MASTER_URL: ws:\/\/ to 10\.0\.0\.5 would send the join token unencrypted; use wss:\/\/10\.0\.0\.5:8080, or set K8S_DAAS_ALLOW_PLAINTEXT=1/);
    const allowed = { ...base, K8S_DAAS_MASTER_URL: 'ws://10.0.0.5:8080', K8S_DAAS_ALLOW_PLAINTEXT: '1' };
    expect(loadAgentConfig({ env: allowed })).toMatchObject({ masterUrl: 'ws://10.0.0.5:8080', allowPlaintext: true });
    for (const url of ['ws://127.0.0.1:8080', 'ws://127.0.9.1', 'ws://[::1]:8080', 'ws://localhost:8080']) {
      expect(loadAgentConfig({ env: { ...base, K8S_DAAS_MASTER_URL: url } }).masterUrl).toBe(url);
    }
  });

  it('pins the master certificate by its normalized SHA-256', () => {
    const pin = Array(32).fill('0F').join(':');
    expect(loadAgentConfig({ env: { ...base, K8S_DAAS_MASTER_CA_SHA256: pin } }).masterCaSha256).toBe('0f'.repeat(32));
  });

  describe('owner key', () => {
    const keypair = new Ed25519Keypair();
    // A Sui CLI keystore entry: scheme flag byte ‖ 32 secret bytes, base64.
    const entry = Buffer.concat([Buffer.from([0]), decodeSuiPrivateKey(keypair.getSecretKey()).secretKey]).toString('base64');

    it('is optional: without one the agent skips registration', () => {
      expect(loadAgentConfig({ env: base }).ownerKey).toBeUndefined();
    });

    it('comes from SUI_PRIVATE_KEY and never shows in logs or inspect', () => {
      const config = loadAgentConfig({ env: { ...base, SUI_PRIVATE_KEY: keypair.getSecretKey() } });
      expect(config.ownerKey?.address).toBe(keypair.toSuiAddress());
      expect(config.ownerKey?.source).toBe('SUI_PRIVATE_KEY');
      expect(config.ownerKey?.signer().toSuiAddress()).toBe(keypair.toSuiAddress());
      const shown = JSON.stringify(config, (_k, v) => (typeof v === 'bigint' ? String(v) : v)) + inspect(config, { depth: 9 });
      expect(shown).not.toContain(keypair.getSecretKey());
      expect(shown).toContain(keypair.toSuiAddress());
    });

    it('comes from a 0600 Sui keystore with one key', () => {
      const path = file('sui.keystore', JSON.stringify([entry]));
      const config = loadAgentConfig({ env: { ...base, SUI_KEYSTORE: path } });
      expect(config.ownerKey).toMatchObject({ source: 'SUI_KEYSTORE', address: keypair.toSuiAddress() });
    });

    it('refuses a keystore that is unreadable, too open or malformed', () => {
      const open = file('open.keystore', JSON.stringify([entry]), 0o644);
      expect(problems({ env: { ...base, SUI_KEYSTORE: open } })).toEqual([
        `SUI_KEYSTORE: ${open} has mode 0644, wider than 0600; run: chmod 600 ${open}`,
      ]);
      const missing = join(dir, 'missing.keystore');
      expect(problems({ env: { ...base, SUI_KEYSTORE: missing } })).toEqual([`SUI_KEYSTORE: cannot read ${missing} (ENOENT)`]);
      const broken = file('broken.keystore', '{not json');
      expect(problems({ env: { ...base, SUI_KEYSTORE: broken } })).toEqual([`SUI_KEYSTORE: ${broken} is not JSON`]);
    });

    it('refuses a private key that does not parse, without echoing it, and both sources at once', () => {
      const garbage = 'suiprivkey1qqqqsecretgarbage';
      const messages = problems({ env: { ...base, SUI_PRIVATE_KEY: garbage } });
      expect(messages).toEqual(['SUI_PRIVATE_KEY: must be a suiprivkey1… key (sui keytool export --key-identity <address>)']);
      const path = file('both.keystore', JSON.stringify([entry]));
      expect(problems({ env: { ...base, SUI_PRIVATE_KEY: keypair.getSecretKey(), SUI_KEYSTORE: path } })).toEqual([
        'SUI_PRIVATE_KEY: set either SUI_PRIVATE_KEY or SUI_KEYSTORE, not both',
      ]);
    });
  });

  it('reports every problem at once', () => {
    const open = file('seal-open-2', SEAL, 0o640);
    const keystore = file('open-2.keystore', '[]', 0o644);
    const env = {
      SUI_RPC_URL: 'http://127.0.0.1:9000',
      K8S_DAAS_PACKAGE_ID: '0xa1',
      K8S_DAAS_SCHEDULER_ID: '0xc3',
      K8S_DAAS_MASTER_URL: 'ws://master.example.com',
      K8S_DAAS_NODE_ID: '-bad-',
      K8S_DAAS_SEAL_TOKEN_FILE: open,
      K8S_DAAS_STAKE_MIST: '5',
      SUI_KEYSTORE: keystore,
    };
    const result = tryLoadAgentConfig({ env });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.variable).sort()).toEqual(
      ['K8S_DAAS_REGISTRY_ID', 'K8S_DAAS_MASTER_URL', 'K8S_DAAS_NODE_ID', 'K8S_DAAS_SEAL_TOKEN_FILE', 'K8S_DAAS_STAKE_MIST', 'SUI_KEYSTORE'].sort(),
    );
    const err = catchError(() => loadAgentConfig({ env }));
    expect(err).toBeInstanceOf(ConfigProblems);
    expect(err.message.split('\n')).toHaveLength(7);
    expect(err.message).toMatch(/^6 configuration problems:\n {2}- K8S_DAAS_REGISTRY_ID: is required/);
    expect(err.message).not.toContain(SEAL);
  });

  it('names an env file that does not parse, beside the other problems', () => {
    const envFilePath = file('broken.env', 'K8S_DAAS_NODE_ID=w1\nnot a line\n');
    const messages = problems({ envFilePath, env: { ...base, K8S_DAAS_NODE_ID: undefined } });
    expect(messages).toEqual([`${envFilePath}:2: expected KEY=VALUE`, expect.stringMatching(/^K8S_DAAS_NODE_ID: is required/)]);
    expect(loadAgentConfig({ env: base, envFilePath: join(dir, 'absent.env'), envFileOptional: true }).nodeId).toBe('my-worker-001');
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
