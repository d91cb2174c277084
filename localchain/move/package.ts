/**
 * The `k8s_daas` package as the local chain's executor sees it: every callable function keyed
 * `"module::function"`, the state right after publish, and the snapshot clone used to roll back
 * an aborted transaction.
 */
import { K8S_SCHEDULER_FUNCTIONS } from './k8s-scheduler.ts';
import type { MoveFunction, PackageState } from './types.ts';
import { WORKER_REGISTRY_FUNCTIONS } from './worker-registry.ts';

export const PACKAGE_FUNCTIONS: ReadonlyMap<string, MoveFunction> = new Map(
  [...WORKER_REGISTRY_FUNCTIONS, ...K8S_SCHEDULER_FUNCTIONS].map((f) => [`${f.module}::${f.name}`, f] as const),
);

/** The two shared objects as `init` creates them: empty tables, zero counters, empty balances. */
export function emptyPackageState(): PackageState {
  return {
    registry: { workers: {}, owner_workers: {}, total_workers: 0, active_workers: 0, total_stake: '0', slashed: '0' },
    scheduler: { requests: {}, worker_workloads: {}, total_requests: 0, completed_requests: 0 },
  };
}

/**
 * A deep, independent copy. The state is plain data (strings, numbers, arrays, records), which
 * structuredClone copies exactly, keeping key order and own keys such as `__proto__`.
 */
export function clonePackageState(state: PackageState): PackageState {
  return structuredClone(state);
}
