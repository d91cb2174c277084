/**
 * Gas, simplified but self-consistent: a fixed computation charge per transaction, storage
 * charged for every object written, 99% of the rebate of every object overwritten or deleted
 * refunded (1% non-refundable, as on Sui). The budget must cover computation + storage; the
 * net charge never exceeds the budget. A dry run therefore predicts the charge exactly.
 */
import { REFERENCE_GAS_PRICE } from '../chain/ledger.ts';
import type { GasCost } from '../chain/types.ts';

/** Computation units charged per transaction (× gas price). */
export const COMPUTATION_UNITS = 1000n;
/** Sui's limits: budget at least 1000 units × price, at most 50 SUI; price at most 100 000 SUI per unit. */
export const MIN_BUDGET_UNITS = 1000n;
export const MAX_BUDGET = 50_000_000_000n;
export const MAX_GAS_PRICE = 100_000_000_000n;
export const MAX_GAS_OBJECTS = 256;
/** Headroom a budget estimate adds, like the SDK's GAS_SAFE_OVERHEAD (units × price). */
export const SAFE_OVERHEAD_UNITS = 1000n;

export { REFERENCE_GAS_PRICE };

export function minBudget(price: bigint): bigint {
  return MIN_BUDGET_UNITS * price;
}

/**
 * The cost summary for a transaction that writes objects costing `storageCost` and overwrites or
 * deletes objects whose recorded rebates sum to `rebates`. `ok` is false when the budget does not
 * cover computation + storage (InsufficientGas); the summary is then capped to the budget.
 */
export function chargeGas(price: bigint, budget: bigint, storageCost: bigint, rebates: bigint): { cost: GasCost; ok: boolean; required: bigint } {
  const storageRebate = (rebates * 99n) / 100n;
  const nonRefundableStorageFee = rebates - storageRebate;
  let computationCost = COMPUTATION_UNITS * price;
  const required = computationCost + storageCost;
  const ok = required <= budget;
  if (computationCost + storageCost - storageRebate > budget) {
    computationCost = budget + storageRebate > storageCost ? budget + storageRebate - storageCost : 0n;
  }
  return { cost: { computationCost, storageCost, storageRebate, nonRefundableStorageFee }, ok, required };
}

/** What the gas coin pays: computation + storage − refunded rebate (negative when it gains). */
export function netCharge(cost: GasCost): bigint {
  return cost.computationCost + cost.storageCost - cost.storageRebate;
}

/** A budget for a transaction that needs `required` (computation + storage) in a dry run: plus headroom, within Sui's limits. */
export function estimateBudget(required: bigint, price: bigint): bigint {
  const needed = required + SAFE_OVERHEAD_UNITS * price;
  const floor = minBudget(price);
  const budget = needed > floor ? needed : floor;
  return budget < MAX_BUDGET ? budget : MAX_BUDGET;
}
