/**
 * Configuration names that hold secrets. The config loader accepts a `<NAME>_FILE` variant for each
 * and never echoes their values in errors; the logger redacts them. Kept apart from the schemas so
 * the logger can import it without pulling in zod or the Sui SDK.
 */
export const SECRET_KEYS = [
  'SUI_PRIVATE_KEY',
  'K8S_DAAS_SEAL_TOKEN',
  // K3s join tokens, under the names k3s itself reads them from.
  'K3S_TOKEN',
  'K3S_AGENT_TOKEN',
] as const;

export type SecretKey = (typeof SECRET_KEYS)[number];
