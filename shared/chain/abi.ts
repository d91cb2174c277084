/**
 * The Move ABI of the `k8s_daas` package (contracts/), as fixed by DESIGN.md.
 * The Move code, the local chain and every client use these names and numbers; change them in
 * all three places or not at all.
 */

export const WORKER_REGISTRY = 'worker_registry';
export const K8S_SCHEDULER = 'k8s_scheduler';

/** 1 SUI, in MIST. */
export const MIN_STAKE_AMOUNT = 1_000_000_000n;
export const MAX_WORKERS_PER_ADDRESS = 10;
/** Seal public keys are raw Ed25519 public keys. */
export const SEAL_PUBKEY_LENGTH = 32;
/** Scheduler limits (Move: k8s_scheduler). */
export const MAX_REQUEST_ID_LENGTH = 128;
export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 10;

export const WORKER_STATUSES = ['pending', 'active', 'busy', 'offline', 'slashed'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

export const K8S_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const K8S_RESOURCES = [
  'pods',
  'services',
  'deployments',
  'configmaps',
  'secrets',
  'namespaces',
  'nodes',
] as const;
/** Cluster-scoped resources an owner may only read (GET), enforced on chain. */
export const CLUSTER_SCOPED_RESOURCES = ['namespaces', 'nodes'] as const;

/** Abort codes, per module, exactly as the Move constants. */
export const WORKER_REGISTRY_ABORTS = {
  EInsufficientStake: 1,
  EWorkerAlreadyExists: 2,
  EWorkerNotFound: 3,
  EInvalidSealToken: 4,
  EWorkerNotActive: 5,
  EUnauthorized: 6,
  EInvalidOperation: 7,
  EInvalidNodeId: 8,
  ETooManyWorkers: 9,
} as const;

export const K8S_SCHEDULER_ABORTS = {
  ENoAvailableWorkers: 1,
  EInvalidRequest: 2,
  EWorkerNotActive: 3,
  EUnauthorizedRequest: 4,
  ERequestExists: 5,
} as const;

export type WorkerRegistryAbort = keyof typeof WORKER_REGISTRY_ABORTS;
export type K8sSchedulerAbort = keyof typeof K8S_SCHEDULER_ABORTS;
export type AbortName = WorkerRegistryAbort | K8sSchedulerAbort;

/** A sentence for a person, per abort name: what happened and what to do. */
export const ABORT_EXPLANATIONS: Record<AbortName, string> = {
  EInsufficientStake: 'the stake is below the minimum of 1 SUI (1000000000 MIST); raise K8S_DAAS_STAKE_MIST',
  EWorkerAlreadyExists: 'a worker with this node id is already registered; choose another K8S_DAAS_NODE_ID or use the key that registered it',
  EWorkerNotFound: 'no worker with this node id is registered on chain',
  EInvalidSealToken: 'the seal public key is not 32 bytes; derive it from a seal token of at least 32 characters',
  EWorkerNotActive: 'the worker is not active',
  EUnauthorized: 'the sender does not own this worker; use the key that registered it',
  EInvalidOperation: 'the operation is not allowed in the worker\'s current state',
  EInvalidNodeId: 'the node id is not a valid Kubernetes node name (1-63 chars of [a-z0-9-], starting and ending alphanumeric)',
  ETooManyWorkers: 'this address already owns the maximum of 10 workers',
  ENoAvailableWorkers: 'none of your workers is active; start an agent and wait until it is active',
  EInvalidRequest: 'the request is malformed (method, resource, id or priority)',
  EUnauthorizedRequest: 'cluster-scoped resources (nodes, namespaces) may only be read',
  ERequestExists: 'a request with this id already exists; use a new request id',
};

const NODE_ID = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** True when `id` is a valid Kubernetes node name, as the Move code checks it (EInvalidNodeId). */
export function isValidNodeId(id: string): boolean {
  return NODE_ID.test(id);
}

/** The abort name for a code raised in `module`, or undefined for a code we do not know. */
export function abortName(module: string, code: number): AbortName | undefined {
  const table: Record<string, number> =
    module === WORKER_REGISTRY ? WORKER_REGISTRY_ABORTS : module === K8S_SCHEDULER ? K8S_SCHEDULER_ABORTS : {};
  return (Object.keys(table) as AbortName[]).find((name) => table[name] === code);
}
