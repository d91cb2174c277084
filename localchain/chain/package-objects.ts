/**
 * The package's objects as a client reads them: type names, and the BCS of the two shared
 * objects computed from PackageState, laid out field for field like the Move structs
 * (contracts/README.md), so `getObject(registry).content` decodes with a schema written for
 * the real chain. A Move `Table` is `{ id, size }`; its entries live in dynamic fields, which
 * the local chain does not expose.
 */
import { bcs } from '@mysten/sui/bcs';
import { blake2b } from '@noble/hashes/blake2.js';
import { toHex } from '@mysten/bcs';
import type { PackageState } from '../move/types.ts';

export const Table = bcs.struct('Table', { id: bcs.Address, size: bcs.u64() });

export const WorkerRegistryLayout = bcs.struct('WorkerRegistry', {
  id: bcs.Address,
  workers: Table,
  owner_workers: Table,
  total_workers: bcs.u64(),
  active_workers: bcs.u64(),
  total_stake: bcs.u64(),
  slashed: bcs.u64(),
});

export const K8sSchedulerLayout = bcs.struct('K8sScheduler', {
  id: bcs.Address,
  requests: Table,
  worker_workloads: Table,
  total_requests: bcs.u64(),
  completed_requests: bcs.u64(),
});

export const ClockLayout = bcs.struct('Clock', { id: bcs.Address, timestamp_ms: bcs.u64() });

export type PackageObjectName = 'WorkerRegistry' | 'K8sScheduler' | 'MasterCap' | 'StakeProof';

/** `0x<pkg>::<module>::<Name>` for the package's object types. */
export function packageType(packageId: string, name: PackageObjectName): string {
  const module = name === 'K8sScheduler' ? 'k8s_scheduler' : 'worker_registry';
  return `${packageId}::${module}::${name}`;
}

/** A Table's UID, fixed by its parent's id and field name (stable across restarts). */
function tableId(parent: string, field: string): string {
  return `0x${toHex(blake2b(new TextEncoder().encode(`${parent}/${field}`), { dkLen: 32 }))}`;
}

export function registryContents(id: string, state: PackageState): Uint8Array {
  const r = state.registry;
  return WorkerRegistryLayout.serialize({
    id,
    workers: { id: tableId(id, 'workers'), size: Object.keys(r.workers).length },
    owner_workers: { id: tableId(id, 'owner_workers'), size: Object.keys(r.owner_workers).length },
    total_workers: r.total_workers,
    active_workers: r.active_workers,
    total_stake: BigInt(r.total_stake),
    slashed: BigInt(r.slashed),
  }).toBytes();
}

export function schedulerContents(id: string, state: PackageState): Uint8Array {
  const s = state.scheduler;
  return K8sSchedulerLayout.serialize({
    id,
    requests: { id: tableId(id, 'requests'), size: Object.keys(s.requests).length },
    worker_workloads: { id: tableId(id, 'worker_workloads'), size: Object.keys(s.worker_workloads).length },
    total_requests: s.total_requests,
    completed_requests: s.completed_requests,
  }).toBytes();
}

export function clockContents(id: string, timestampMs: bigint): Uint8Array {
  return ClockLayout.serialize({ id, timestamp_ms: timestampMs }).toBytes();
}
