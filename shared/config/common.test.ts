import { encodeSuiPrivateKey } from '@mysten/sui/cryptography';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SECRET_KEYS, commonConfigShape } from './common.ts';
import { resolveConfig } from './resolve.ts';

const schema = z.object(commonConfigShape);
const required = {
  SUI_RPC_URL: 'http://127.0.0.1:9000',
  K8S_DAAS_PACKAGE_ID: '0xA1',
  K8S_DAAS_REGISTRY_ID: `0x${'b'.repeat(64)}`,
  K8S_DAAS_SCHEDULER_ID: '0x3',
};

describe('commonConfigShape', () => {
  it('applies the documented defaults and normalizes ids', () => {
    const cfg = resolveConfig(schema, { env: required });
    expect(cfg).toEqual({
      SUI_RPC_URL: 'http://127.0.0.1:9000',
      SUI_RPC_TRANSPORT: 'grpc',
      K8S_DAAS_PACKAGE_ID: `0x${'0'.repeat(62)}a1`,
      K8S_DAAS_REGISTRY_ID: `0x${'b'.repeat(64)}`,
      K8S_DAAS_SCHEDULER_ID: `0x${'0'.repeat(63)}3`,
      SUI_PRIVATE_KEY: undefined,
      SUI_KEYSTORE: undefined,
      LOG_LEVEL: 'info',
      K3S_BIN: 'k3s',
    });
  });

  it('validates transport, log level and the private key without echoing it', () => {
    expect(() => resolveConfig(schema, { env: { ...required, SUI_RPC_TRANSPORT: 'jsonrpc' } })).toThrow(
      'SUI_RPC_TRANSPORT: must be one of grpc, graphql (got "jsonrpc")',
    );
    expect(() => resolveConfig(schema, { env: { ...required, LOG_LEVEL: 'loud' } })).toThrow(
      /^LOG_LEVEL: must be one of/,
    );
    expect(() => resolveConfig(schema, { env: { ...required, SUI_PRIVATE_KEY: 'suiprivkey1garbage' } })).toThrow(
      /^SUI_PRIVATE_KEY: must be a suiprivkey1… key \(sui keytool export --key-identity <address>\)$/,
    );
    const key = encodeSuiPrivateKey(new Uint8Array(32).fill(1), 'ED25519');
    expect(resolveConfig(schema, { env: { ...required, SUI_PRIVATE_KEY: key } }).SUI_PRIVATE_KEY).toBe(key);
  });

  it('lists the secret variables', () => {
    expect(SECRET_KEYS).toEqual(expect.arrayContaining(['SUI_PRIVATE_KEY', 'K8S_DAAS_SEAL_TOKEN', 'K3S_TOKEN']));
  });
});
