/**
 * The reasons registration stops, each a DaasError whose message says what is wrong and what the
 * operator does about it. Callers branch on the codes below.
 */
import { sealPubkeyBase64 } from '../../shared/chain/seal-key.ts';
import { DaasError } from '../../shared/errors.ts';

export const REGISTRATION_ERRORS = {
  /** The node id is registered by another address (the contract would abort with EWorkerAlreadyExists). */
  nodeIdTaken: 'NODE_ID_TAKEN',
  /** Registered by this key, but with another seal public key. */
  sealKeyMismatch: 'SEAL_KEY_MISMATCH',
  /** The owner cannot pay stake + gas. */
  insufficientBalance: 'INSUFFICIENT_BALANCE',
  /** This host registered the worker, but the registry no longer holds it (unstaked, or another chain). */
  workerGone: 'WORKER_DEREGISTERED',
} as const;

/** 1050000000n → "1.05" (SUI has 9 decimals). */
export function formatSui(mist: bigint): string {
  const whole = mist / 1_000_000_000n;
  const frac = (mist % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return frac === '' ? whole.toString() : `${whole}.${frac}`;
}

export function nodeIdTakenError(nodeId: string, registeredBy: string, us: string): DaasError {
  return new DaasError(
    REGISTRATION_ERRORS.nodeIdTaken,
    `EWorkerAlreadyExists: node id ${nodeId} is already registered on chain by ${registeredBy}, not by this key (${us}); ` +
      `pick another K8S_DAAS_NODE_ID, or run the agent with the key of ${registeredBy}`,
  );
}

export function sealKeyMismatchError(nodeId: string, onChain: Uint8Array, ours: Uint8Array): DaasError {
  return new DaasError(
    REGISTRATION_ERRORS.sealKeyMismatch,
    `worker ${nodeId} is registered by this key with another seal key: the seal token (K8S_DAAS_SEAL_TOKEN) differs from ` +
      `the one used at registration (registered public key ${sealPubkeyBase64(onChain)}, this token's ${sealPubkeyBase64(ours)}); ` +
      'use the original token, or rotate the registered key with the owner key (worker_registry::rotate_seal_key)',
  );
}

export function insufficientBalanceError(input: { address: string; nodeId: string; balance: bigint; stake: bigint; gas: bigint }): DaasError {
  const need = input.stake + input.gas;
  const missing = need - input.balance;
  return new DaasError(
    REGISTRATION_ERRORS.insufficientBalance,
    `${input.address} holds ${formatSui(input.balance)} SUI (${input.balance} MIST) but registering worker ${input.nodeId} needs ` +
      `${formatSui(need)} SUI (${need} MIST: stake ${input.stake} + gas ${input.gas}); ` +
      `${formatSui(missing)} SUI (${missing} MIST) missing: send it to ${input.address}, or lower K8S_DAAS_STAKE_MIST (at least 1000000000)`,
  );
}

export function workerGoneError(nodeId: string, digest: string | null, stateFile: string): DaasError {
  return new DaasError(
    REGISTRATION_ERRORS.workerGone,
    `this host registered worker ${nodeId}${digest ? ` (tx ${digest})` : ''}, but the registry no longer holds it ` +
      `(unstaked, or a different chain); to stake and register it again, delete ${stateFile}`,
  );
}
