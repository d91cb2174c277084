/**
 * Configuration fields both programs read (DESIGN.md "Configuration"). Each program builds its schema
 * as `z.object({ ...commonConfigShape, ...its own fields })` and resolves it with `resolveConfig`.
 */
import { httpUrl, oneOf, parsedField, suiId, text } from './fields.ts';
import { decodePrivateKey } from './signing-key.ts';

export { SECRET_KEYS, type SecretKey } from './secret-keys.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const SUI_TRANSPORTS = ['grpc', 'graphql'] as const;
export type SuiTransport = (typeof SUI_TRANSPORTS)[number];

/** SUI_RPC_URL: the full node's gRPC-web base URL, or the GraphQL endpoint. Required. */
export const suiRpcUrl = httpUrl;
/** SUI_RPC_TRANSPORT: `grpc` (default) or `graphql`. */
export const suiRpcTransport = () => oneOf(SUI_TRANSPORTS).default('grpc');
/** K8S_DAAS_PACKAGE_ID / _REGISTRY_ID / _SCHEDULER_ID: 0x ids, normalized to 64 lowercase hex digits. */
export const objectId = suiId;
/** SUI_PRIVATE_KEY: a `suiprivkey1…` key, checked (checksum, scheme) but kept as the string. */
export const suiPrivateKey = () =>
  parsedField('must be a suiprivkey1… key (sui keytool export --key-identity <address>)', (s) =>
    decodePrivateKey(s) ? s : undefined,
  );
/** SUI_KEYSTORE: path to a Sui CLI keystore (read by `loadSigningKey`). */
export const suiKeystore = text;
/** LOG_LEVEL: a pino level, default `info`. */
export const logLevel = () => oneOf(LOG_LEVELS).default('info');
/** K3S_BIN: the k3s executable, default `k3s` on PATH. */
export const k3sBin = () => text().default('k3s');

/** The variables both sides use. The signer is optional here; `loadSigningKey` demands exactly one. */
export const commonConfigShape = {
  SUI_RPC_URL: suiRpcUrl(),
  SUI_RPC_TRANSPORT: suiRpcTransport(),
  K8S_DAAS_PACKAGE_ID: objectId(),
  K8S_DAAS_REGISTRY_ID: objectId(),
  K8S_DAAS_SCHEDULER_ID: objectId(),
  SUI_PRIVATE_KEY: suiPrivateKey().optional(),
  SUI_KEYSTORE: suiKeystore().optional(),
  LOG_LEVEL: logLevel(),
  K3S_BIN: k3sBin(),
};
