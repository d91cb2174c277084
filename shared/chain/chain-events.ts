/**
 * The package's events as domain values, decoded from their BCS (the `json` rendering differs
 * between transports; the BCS does not). Amounts are bigint MIST, timestamps ms, keys raw bytes.
 */
import type { SuiClientTypes } from '@mysten/sui/client';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { EVENT_LAYOUTS, type EventName } from './events.ts';

/** Where an event sits in the ledger; (txDigest, eventIndex) identifies it. */
export interface EventOrigin {
  txDigest: string;
  eventIndex: number;
  checkpoint: string | null;
  sender: string;
}

export type ChainEvent = EventOrigin &
  (
    | { kind: 'WorkerRegistered'; nodeId: string; owner: string; stakeMist: bigint; sealPubkey: Uint8Array; timestamp: number }
    | { kind: 'StakeDeposited'; nodeId: string; owner: string; amountMist: bigint; timestamp: number }
    | { kind: 'SealKeyRotated'; nodeId: string; sealPubkey: Uint8Array; timestamp: number }
    | { kind: 'WorkerDeregistered'; nodeId: string; owner: string; returnedMist: bigint; timestamp: number }
    | { kind: 'WorkerStatusChanged'; nodeId: string; oldStatus: string; newStatus: string; timestamp: number }
    | { kind: 'WorkerSlashed'; nodeId: string; amountMist: bigint; reason: string; timestamp: number }
    | {
        kind: 'K8sAPIRequestScheduled';
        requestId: string;
        method: string;
        resource: string;
        namespace: string;
        name: string;
        payload: string;
        requester: string;
        priority: number;
        assignedWorker: string;
        timestamp: number;
      }
    | {
        kind: 'K8sAPIResult';
        requestId: string;
        assignedWorker: string;
        success: boolean;
        output: string;
        error: string;
        executionTimeMs: number;
        timestamp: number;
      }
  );

export type ChainEventKind = ChainEvent['kind'];

/** Decodes one of our package's events; returns null for a type this package does not define. */
export function decodeChainEvent(
  packageId: string,
  event: Pick<SuiClientTypes.Event, 'eventType' | 'bcs' | 'sender'>,
  origin: Omit<EventOrigin, 'sender'>,
): ChainEvent | null {
  const name = eventName(packageId, event.eventType);
  if (!name) return null;
  const base: EventOrigin = { ...origin, sender: normalizeSuiAddress(event.sender) };
  const f = EVENT_LAYOUTS[name][1].parse(event.bcs) as Record<string, any>;
  const ts = Number(f.timestamp);
  switch (name) {
    case 'WorkerRegisteredEvent':
      return { ...base, kind: 'WorkerRegistered', nodeId: f.node_id, owner: addr(f.owner), stakeMist: BigInt(f.stake_amount), sealPubkey: Uint8Array.from(f.seal_pubkey), timestamp: ts };
    case 'StakeDepositedEvent':
      return { ...base, kind: 'StakeDeposited', nodeId: f.node_id, owner: addr(f.owner), amountMist: BigInt(f.amount), timestamp: ts };
    case 'SealKeyRotatedEvent':
      return { ...base, kind: 'SealKeyRotated', nodeId: f.node_id, sealPubkey: Uint8Array.from(f.seal_pubkey), timestamp: ts };
    case 'WorkerDeregisteredEvent':
      return { ...base, kind: 'WorkerDeregistered', nodeId: f.node_id, owner: addr(f.owner), returnedMist: BigInt(f.returned_amount), timestamp: ts };
    case 'WorkerStatusChangedEvent':
      return { ...base, kind: 'WorkerStatusChanged', nodeId: f.node_id, oldStatus: f.old_status, newStatus: f.new_status, timestamp: ts };
    case 'WorkerSlashedEvent':
      return { ...base, kind: 'WorkerSlashed', nodeId: f.node_id, amountMist: BigInt(f.amount), reason: f.reason, timestamp: ts };
    case 'K8sAPIRequestScheduledEvent':
      return {
        ...base,
        kind: 'K8sAPIRequestScheduled',
        requestId: f.request_id,
        method: f.method,
        resource: f.resource,
        namespace: f.namespace,
        name: f.name,
        payload: f.payload,
        requester: addr(f.requester),
        priority: Number(f.priority),
        assignedWorker: f.assigned_worker,
        timestamp: ts,
      };
    case 'K8sAPIResultEvent':
      return {
        ...base,
        kind: 'K8sAPIResult',
        requestId: f.request_id,
        assignedWorker: f.assigned_worker,
        success: Boolean(f.success),
        output: f.output,
        error: f.error,
        executionTimeMs: Number(f.execution_time_ms),
        timestamp: ts,
      };
  }
}

/** The struct name of an event type of our package (`0x…::module::Name`), or null. */
export function eventName(packageId: string, eventType: string): EventName | null {
  const [pkg, module, name] = eventType.split('::');
  if (!pkg || !module || !name) return null;
  if (normalizeSuiAddress(pkg) !== normalizeSuiAddress(packageId)) return null;
  const layout = EVENT_LAYOUTS[name as EventName];
  return layout && layout[0] === module ? (name as EventName) : null;
}

function addr(value: string): string {
  return normalizeSuiAddress(value);
}
