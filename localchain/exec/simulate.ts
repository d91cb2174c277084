/**
 * SimulateTransaction: resolve the draft, settle gas the way a real full node does, dry-run.
 * With `doGasSelection` and no gas payment, the node picks the gas owner's Coin<SUI> objects
 * (all of them when the PTB uses the gas coin, else just enough), price = reference gas price,
 * budget = a dry-run estimate with headroom, capped by what the coins hold. Without a payment
 * and without selection, the dry run uses a stand-in coin, as a real node's simulation does.
 */
import { TransactionDataBuilder } from '@mysten/sui/transactions';
import type { Ledger } from '../chain/ledger.ts';
import { coinBalance, isSuiCoin } from '../chain/objects.ts';
import type { StoredObject } from '../chain/types.ts';
import { PrecheckError } from './errors.ts';
import { runTransaction, type RunResult } from './executor.ts';
import { MAX_BUDGET, MAX_GAS_OBJECTS, REFERENCE_GAS_PRICE, estimateBudget } from './gas.ts';
import type { Draft } from './resolve.ts';
import { txToBcs, type ObjRef, type TxData } from './tx-data.ts';

/** Balance of the stand-in gas coin (1 billion SUI): enough for any simulated PTB. */
export const MOCK_GAS_BALANCE = 1_000_000_000_000_000_000n;

export interface Simulation {
  tx: TxData;
  bcs: Uint8Array;
  digest: string;
  run: RunResult;
}

function build(draft: Draft, payment: ObjRef[], price: bigint, budget: bigint): TxData {
  return { sender: draft.sender, inputs: draft.inputs, commands: draft.commands, expiration: draft.expiration, gas: { payment, owner: draft.gas.owner, price, budget } };
}

function dryRun(ledger: Ledger, tx: TxData, mockGasBalance?: bigint, checks = true): Simulation {
  const bcs = txToBcs(tx);
  const digest = TransactionDataBuilder.getDigestFromBytes(bcs);
  return { tx, bcs, digest, run: runTransaction(ledger, { tx, digest, bcs, signatures: [], mockGasBalance, checks }) };
}

function ref(o: StoredObject): ObjRef {
  return { objectId: o.id, version: o.version, digest: o.digest };
}

function usesGasCoin(draft: Draft): boolean {
  return draft.commands.some((c) => {
    const args = c.kind === 'moveCall' ? c.arguments : c.kind === 'splitCoins' ? [c.coin, ...c.amounts] : c.kind === 'mergeCoins' ? [c.destination, ...c.sources] : [...c.objects, c.address];
    return args.some((a) => a.kind === 'gas');
  });
}

function insufficient(owner: string, budget: bigint): PrecheckError {
  return new PrecheckError(`Unable to perform gas selection due to insufficient SUI balance for account ${owner} to satisfy required budget ${budget}.`);
}

/** Picks gas coins and a budget for `draft`, then dry-runs it with them. */
function selectGas(ledger: Ledger, draft: Draft, price: bigint): Simulation {
  const owner = draft.gas.owner;
  const inputs = new Set(draft.inputs.flatMap((i) => (i.kind === 'pure' ? [] : [i.objectId])));
  const candidates = ledger
    .suiCoinsOf(owner)
    .filter((c) => !inputs.has(c.id))
    .sort((a, b) => (coinBalance(b) > coinBalance(a) ? 1 : coinBalance(b) < coinBalance(a) ? -1 : a.id < b.id ? -1 : 1))
    .slice(0, MAX_GAS_OBJECTS);
  const total = candidates.reduce((sum, c) => sum + coinBalance(c), 0n);

  let budget = draft.gas.budget;
  if (budget === undefined) {
    // Estimate with a stand-in coin that offers the PTB exactly what the candidates hold.
    const probe = dryRun(ledger, build(draft, [], price, MAX_BUDGET), total + MAX_BUDGET);
    const required = probe.run.required;
    budget = estimateBudget(required, price);
    if (budget > total) {
      if (required > total) throw insufficient(owner, budget);
      budget = total;
    }
  }
  let chosen = candidates;
  if (!usesGasCoin(draft)) {
    chosen = [];
    let sum = 0n;
    for (const c of candidates) {
      if (sum >= budget) break;
      chosen.push(c);
      sum += coinBalance(c);
    }
  }
  const sum = chosen.reduce((acc, c) => acc + coinBalance(c), 0n);
  if (chosen.length === 0 || sum < budget) throw insufficient(owner, budget);
  return dryRun(ledger, build(draft, chosen.map(ref), price, budget));
}

/** The simulation SimulateTransaction reports; throws PrecheckError. Never changes the ledger. */
export function simulate(ledger: Ledger, draft: Draft, opts: { doGasSelection: boolean; checks: boolean }): Simulation {
  const price = draft.gas.price ?? REFERENCE_GAS_PRICE;
  const objects = draft.gas.objects;
  if (!opts.checks || (objects.length === 0 && !opts.doGasSelection)) {
    return dryRun(ledger, build(draft, objects, price, draft.gas.budget ?? MAX_BUDGET), MOCK_GAS_BALANCE + MAX_BUDGET, opts.checks);
  }
  if (objects.length === 0) return selectGas(ledger, draft, price);
  let budget = draft.gas.budget;
  if (budget === undefined) {
    const coins = objects.map((o) => ledger.getObject(o.objectId));
    const total = coins.reduce((sum, c) => sum + (c && isSuiCoin(c) ? coinBalance(c) : 0n), 0n);
    budget = total < MAX_BUDGET ? total : MAX_BUDGET;
    if (opts.doGasSelection) {
      const estimate = estimateBudget(dryRun(ledger, build(draft, objects, price, budget)).run.required, price);
      budget = estimate < budget ? estimate : budget;
    }
  }
  return dryRun(ledger, build(draft, objects, price, budget));
}
