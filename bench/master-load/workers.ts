/**
 * The benchmark's workers, derived from their index alone: node id, seal token and seal key. The
 * chain setup registers them and every load process re-derives the keys it needs to sign, so no
 * secret travels between processes and a rerun names the same workers.
 */
import type { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { deriveSealKey } from '../../shared/chain/seal-key.ts';

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

/** The seal key of worker `index`. */
export function benchSealKey(index: number): Ed25519Keypair {
  return deriveSealKey(benchSealToken(index));
}
