/**
 * The chain events the pool applies: the chain client's decoded events (shared/chain/chain-events.ts),
 * with `sender` and `checkpoint` optional so the digest fast path and tests can build them too.
 * Every event carries where it came from, for de-duplication on (txDigest, eventIndex).
 */
import type { ChainEvent as DecodedEvent } from '../../shared/chain/chain-events.ts';

/** The Move modules whose events are read, each with its own cursor. */
export const CHAIN_MODULES = ['worker_registry', 'k8s_scheduler'] as const;
export type ChainModule = (typeof CHAIN_MODULES)[number];

type Loose<E> = E extends unknown ? Omit<E, 'sender' | 'checkpoint'> & { sender?: string; checkpoint?: string | null } : never;

export type ChainEvent = Loose<DecodedEvent>;
export type EventOrigin = Pick<ChainEvent, 'txDigest' | 'eventIndex' | 'checkpoint'>;
export type WorkerRegistered = Extract<ChainEvent, { kind: 'WorkerRegistered' }>;
export type StakeDeposited = Extract<ChainEvent, { kind: 'StakeDeposited' }>;
export type SealKeyRotated = Extract<ChainEvent, { kind: 'SealKeyRotated' }>;
export type WorkerStatusChanged = Extract<ChainEvent, { kind: 'WorkerStatusChanged' }>;
export type WorkerSlashed = Extract<ChainEvent, { kind: 'WorkerSlashed' }>;
export type WorkerDeregistered = Extract<ChainEvent, { kind: 'WorkerDeregistered' }>;
export type K8sAPIRequestScheduled = Extract<ChainEvent, { kind: 'K8sAPIRequestScheduled' }>;
export type K8sAPIResult = Extract<ChainEvent, { kind: 'K8sAPIResult' }>;
export type WorkerRegistryEvent = Exclude<ChainEvent, K8sAPIRequestScheduled | K8sAPIResult>;
export type SchedulerEvent = K8sAPIRequestScheduled | K8sAPIResult;
