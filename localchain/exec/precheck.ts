/**
 * The checks a real node runs before executing (Sui's `check_transaction_input`): gas price and
 * budget, gas coins, every input object's existence, version, digest and ownership, shared object
 * versions, packages, expiration. Each failure is a PrecheckError with a message modelled on the
 * real node's, and the RPC fails; nothing is charged.
 */
import { CLOCK_ID } from '../chain/ids.ts';
import { EPOCH, type Ledger } from '../chain/ledger.ts';
import { coinBalance, isSuiCoin } from '../chain/objects.ts';
import type { StoredObject } from '../chain/types.ts';
import { PrecheckError } from './errors.ts';
import { MAX_BUDGET, MAX_GAS_OBJECTS, MAX_GAS_PRICE, REFERENCE_GAS_PRICE, minBudget } from './gas.ts';
import type { SlotInit } from './session.ts';
import type { ObjRef, TxData } from './tx-data.ts';

export interface Loaded {
  slots: SlotInit[];
  /** Real gas coins; empty when the caller simulates with a mock coin. */
  gasCoins: StoredObject[];
  /** Sui's lamport version: one more than every input's version. */
  lamport: bigint;
  /** Transactions that last wrote an input object. */
  dependencies: string[];
}

export interface PrecheckOptions {
  /** false: gas is a mock coin (simulation without gas payment); the payment is not checked. */
  realGas: boolean;
  /** false: simulation with checks DISABLED; ownership is not enforced. */
  checks: boolean;
  timestampMs: bigint;
}

function loadRef(ledger: Ledger, ref: ObjRef): StoredObject {
  const obj = ledger.getObject(ref.objectId);
  if (!obj) throw new PrecheckError(`Could not find the referenced object ${ref.objectId} at version ${ref.version}`);
  if (obj.version !== ref.version) {
    throw new PrecheckError(`Object ID ${ref.objectId} Version ${ref.version} Digest ${ref.digest} is not available for consumption, current version: ${obj.version}`);
  }
  if (obj.digest !== ref.digest) throw new PrecheckError(`Invalid Object digest for object ${ref.objectId}. Expected digest : ${obj.digest}.`);
  return obj;
}

function checkOwner(obj: StoredObject, expected: string): void {
  if (obj.owner.kind === 'address' && obj.owner.address !== expected) {
    throw new PrecheckError(
      `Transaction was not signed by the correct sender: Object ${obj.id} is owned by account address ${obj.owner.address}, but given owner/signer address is ${expected}`,
    );
  }
}

function checkGasData(ledger: Ledger, tx: TxData, opts: PrecheckOptions): StoredObject[] {
  const { price, budget, payment, owner } = tx.gas;
  if (price < REFERENCE_GAS_PRICE) throw new PrecheckError(`Gas price ${price} under reference gas price (RGP) ${REFERENCE_GAS_PRICE}`);
  if (price > MAX_GAS_PRICE) throw new PrecheckError(`Gas price ${price} is higher than the maximum ${MAX_GAS_PRICE}`);
  if (budget < minBudget(price)) throw new PrecheckError(`Gas budget: ${budget} is lower than min: ${minBudget(price)}.`);
  if (budget > MAX_BUDGET) throw new PrecheckError(`Gas budget: ${budget} is higher than max: ${MAX_BUDGET}.`);
  if (!opts.realGas) return [];
  if (payment.length === 0) {
    throw new PrecheckError('Gas payment from an address balance is not supported by k8s-daas-localchain; pay gas with Coin<SUI> objects');
  }
  if (payment.length > MAX_GAS_OBJECTS) throw new PrecheckError(`Size limit exceeded: maximum number of gas payment objects is ${MAX_GAS_OBJECTS}`);
  const seen = new Set<string>();
  const coins = payment.map((ref) => {
    if (seen.has(ref.objectId)) throw new PrecheckError(`Gas object ${ref.objectId} appears more than once in the gas payment`);
    seen.add(ref.objectId);
    const obj = loadRef(ledger, ref);
    if (!isSuiCoin(obj) || obj.owner.kind !== 'address') throw new PrecheckError(`Gas object ${ref.objectId} is not an owned Coin<SUI>`);
    if (opts.checks) checkOwner(obj, owner);
    return obj;
  });
  const balance = coins.reduce((sum, c) => sum + coinBalance(c), 0n);
  if (opts.checks && balance < budget) {
    throw new PrecheckError(`Balance of gas object ${balance} is lower than the needed amount: ${budget}`);
  }
  return coins;
}

function checkExpiration(ledger: Ledger, tx: TxData, timestampMs: bigint): void {
  const exp = tx.expiration;
  if (exp.kind === 'epoch' && exp.epoch < EPOCH) throw new PrecheckError('Transaction Expired');
  if (exp.kind !== 'validDuring') return;
  if (exp.chain !== ledger.data.chainId) throw new PrecheckError(`Transaction chain identifier ${exp.chain} does not match this chain (${ledger.data.chainId})`);
  if ((exp.minEpoch !== null && exp.minEpoch > EPOCH) || (exp.maxEpoch !== null && exp.maxEpoch < EPOCH)) throw new PrecheckError('Transaction Expired');
  if ((exp.minTimestamp !== null && exp.minTimestamp > timestampMs) || (exp.maxTimestamp !== null && exp.maxTimestamp < timestampMs)) {
    throw new PrecheckError('Transaction Expired');
  }
}

/** Loads and checks everything the transaction names; throws PrecheckError. */
export function precheck(ledger: Ledger, tx: TxData, opts: PrecheckOptions): Loaded {
  const gasCoins = checkGasData(ledger, tx, opts);
  checkExpiration(ledger, tx, opts.timestampMs);
  for (const c of tx.commands) {
    if (c.kind === 'moveCall' && c.package !== ledger.data.packageId) {
      throw new PrecheckError(
        `Package ${c.package} not found: k8s-daas-localchain runs only the k8s_daas package ${ledger.data.packageId} (no framework functions)`,
      );
    }
  }
  const used = new Set(gasCoins.map((c) => c.id));
  const slots = tx.inputs.map((input): SlotInit => {
    if (input.kind === 'pure') return input;
    if (used.has(input.objectId)) throw new PrecheckError(`Object ${input.objectId} is used more than once in the transaction (gas payment included)`);
    used.add(input.objectId);
    if (input.kind === 'owned') {
      const obj = loadRef(ledger, input);
      if (obj.type === 'package') throw new PrecheckError(`Move package ${obj.id} cannot be used as an object input`);
      if (obj.owner.kind === 'shared') throw new PrecheckError(`Object ${obj.id} is shared and must be passed as a shared object input`);
      if (opts.checks) checkOwner(obj, tx.sender);
      return { kind: 'owned', obj };
    }
    const obj = ledger.getObject(input.objectId);
    if (!obj) throw new PrecheckError(`Could not find the referenced object ${input.objectId} as a shared object`);
    if (obj.owner.kind !== 'shared') throw new PrecheckError(`Object ${obj.id} is not a shared object`);
    if (obj.owner.initialVersion !== input.initialVersion) {
      throw new PrecheckError(`Shared object ${obj.id} has initial shared version ${obj.owner.initialVersion}, not ${input.initialVersion}`);
    }
    if (obj.id === CLOCK_ID && input.mutable) throw new PrecheckError('The Clock object 0x6 can only be used as an immutable shared input');
    return { kind: 'shared', obj, mutable: input.mutable };
  });
  const objects = [...gasCoins, ...slots.flatMap((s) => (s.kind === 'pure' ? [] : [s.obj]))];
  const lamport = objects.reduce((max, o) => (o.version > max ? o.version : max), 0n) + 1n;
  const dependencies = [...new Set(objects.map((o) => o.previousTransaction))].sort();
  return { slots, gasCoins, lamport, dependencies };
}
