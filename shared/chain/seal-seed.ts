/**
 * The seed of the seal key (DESIGN.md): SHA-256("k8s-daas/seal/v1:" + token), for a token of at
 * least 32 characters. Without the SDK, so that both the SDK keypair (seal-key.ts) and the running
 * agent's node:crypto signer (agent/session/seal-signer.ts) derive it from this one definition.
 */
import { createHash } from 'node:crypto';
import { DaasError } from '../errors.ts';

export const MIN_SEAL_TOKEN_LENGTH = 32;
const SEED_PREFIX = 'k8s-daas/seal/v1:';

/** The 32-byte seed of a token. Throws DaasError `SEAL_TOKEN_TOO_SHORT` for a token under 32 characters. */
export function sealSeed(sealToken: string): Buffer {
  if (sealToken.length < MIN_SEAL_TOKEN_LENGTH) {
    throw new DaasError(
      'SEAL_TOKEN_TOO_SHORT',
      `the seal token has ${sealToken.length} characters; it needs at least ${MIN_SEAL_TOKEN_LENGTH} (make one with \`k8s-daas-agent new-seal-token\`)`,
    );
  }
  return createHash('sha256').update(SEED_PREFIX + sealToken, 'utf8').digest();
}
