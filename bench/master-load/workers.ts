/**
 * The benchmark's workers, derived from their index alone: node id, seal token and seal key. The
 * chain setup registers them and every load process re-derives the keys it needs to sign, so no
 * secret travels between processes and a rerun names the same workers.
 */
import { sealSignerOf, type SealSigner } from '../../agent/session/seal-signer.ts';

/** Workers per owner address: the contract's MAX_WORKERS_PER_ADDRESS. */
export const WORKERS_PER_OWNER = 10;

/** `bench-w-000042`: a valid Kubernetes node name for index 42. */
export function benchNodeId(index: number): string {
  return `bench-w-${String(index).padStart(6, '0')}`;
}

/** The seal token of worker `index` (≥ 32 chars, as the protocol requires). */
export function benchSealToken(index: number): string {
  return `k8s-daas-bench-seal-token-v1-${String(index).padStart(8, '0')}`;
}

/**
 * The seal key of worker `index`, as the installed agent holds it (node:crypto, no SDK): built and
 * signing in microseconds, so the load generators spend the cores on sockets, not on curve arithmetic.
 */
export function benchSealSigner(index: number): SealSigner {
  return sealSignerOf(benchSealToken(index));
}
