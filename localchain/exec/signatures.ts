/**
 * Who signed: every signature must verify against the transaction's intent message and belong
 * to a required signer (the sender, and the gas owner when someone else pays), and every required
 * signer must have signed. Failures read like a real node's.
 */
import { toBase64 } from '@mysten/bcs';
import { verifyTransactionSignature } from '@mysten/sui/verify';
import { PrecheckError } from './errors.ts';
import type { TxData } from './tx-data.ts';

/** Resolves when the signatures authorize `tx`; throws PrecheckError otherwise. */
export async function verifySignatures(bytes: Uint8Array, tx: TxData, signatures: Uint8Array[]): Promise<void> {
  const required = [...new Set([tx.sender, tx.gas.owner])];
  if (signatures.length !== required.length) {
    throw new PrecheckError(`Expected ${required.length} signer signatures but got ${signatures.length}`);
  }
  const signers: string[] = [];
  for (const sig of signatures) {
    let address: string;
    try {
      address = (await verifyTransactionSignature(bytes, toBase64(sig))).toSuiAddress();
    } catch (err) {
      throw new PrecheckError(`Invalid user signature: Signature is not valid: ${(err as Error).message}`);
    }
    if (!required.includes(address)) {
      throw new PrecheckError(`Signer ${address} is not a required signer of this transaction (required: ${required.join(', ')})`);
    }
    signers.push(address);
  }
  for (const address of required) {
    if (!signers.includes(address)) throw new PrecheckError(`Required Signature from ${address} is absent [${signers.join(', ')}]`);
  }
}
