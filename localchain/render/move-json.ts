/**
 * Move values rendered to JSON the way a real full node does (sui-rpc-api `rpc_visitor`):
 * u8/u16/u32 numbers, u64 and wider decimal strings, addresses/IDs/UIDs `0x` + 64 hex,
 * strings as strings, vector<u8> as base64, Balance as its value string, Table as `{id, size}`.
 * BCS layouts parse to exactly those shapes, except vector<u8>, which parses to number[]
 * and is turned into base64 here.
 */
import type { BcsType } from '@mysten/bcs';
import { MasterCap, StakeProof, EVENT_LAYOUTS, type EventName } from '../../shared/chain/events.ts';
import { CoinLayout } from '../chain/objects.ts';
import { CLOCK_TYPE, SUI_COIN_TYPE } from '../chain/ids.ts';
import { ClockLayout, K8sSchedulerLayout, WorkerRegistryLayout, packageType } from '../chain/package-objects.ts';
import type { JsonValue, StoredObject } from '../chain/types.ts';

/**
 * Fields declared vector<u8>. A non-empty byte vector is recognisable from its parsed value
 * (an array of numbers); an empty one is not, so these names settle it.
 */
const BYTE_VECTOR_FIELDS = new Set(['seal_pubkey']);

function toJson(value: unknown, key?: string): JsonValue {
  if (Array.isArray(value)) {
    const bytes = value.length > 0 && value.every((v) => typeof v === 'number');
    if (bytes || (value.length === 0 && key !== undefined && BYTE_VECTOR_FIELDS.has(key))) {
      return Buffer.from(value as number[]).toString('base64');
    }
    return value.map((v) => toJson(v));
  }
  if (typeof value === 'bigint') return value.toString();
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v, k)]));
  }
  return value as JsonValue;
}

/** JSON of BCS bytes parsed with `layout`. */
export function renderBcs(layout: BcsType<unknown>, bytes: Uint8Array): JsonValue {
  return toJson(layout.parse(bytes));
}

/** JSON of one of the package's events. */
export function renderEvent(name: EventName, bytes: Uint8Array): JsonValue {
  return renderBcs(EVENT_LAYOUTS[name][1] as BcsType<unknown>, bytes);
}

/** JSON of an object's Move contents, or null for a type the node has no layout for. */
export function renderObject(obj: StoredObject, packageId: string): JsonValue {
  const layouts: Record<string, BcsType<unknown>> = {
    [SUI_COIN_TYPE]: CoinLayout as BcsType<unknown>,
    [CLOCK_TYPE]: ClockLayout as BcsType<unknown>,
    [packageType(packageId, 'WorkerRegistry')]: WorkerRegistryLayout as BcsType<unknown>,
    [packageType(packageId, 'K8sScheduler')]: K8sSchedulerLayout as BcsType<unknown>,
    [packageType(packageId, 'MasterCap')]: MasterCap as BcsType<unknown>,
    [packageType(packageId, 'StakeProof')]: StakeProof as BcsType<unknown>,
  };
  const layout = layouts[obj.type];
  return layout ? renderBcs(layout, obj.contents) : null;
}
