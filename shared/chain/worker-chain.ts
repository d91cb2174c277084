/**
 * The chain port: our package's operations as domain verbs on the SDK's transport-neutral core
 * API. SDK types stay in here; callers get plain values and DaasErrors with Move abort names.
 */
import type { ClientWithCoreApi } from '@mysten/sui/client';
import type { Signer } from '@mysten/sui/cryptography';
import { bcs } from '@mysten/sui/bcs';
import { Transaction } from '@mysten/sui/transactions';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { DaasError } from '../errors.ts';
import { K8S_SCHEDULER, WORKER_REGISTRY, type WorkerStatus } from './abi.ts';
import { decodeChainError, errorFromExecutionError } from './chain-errors.ts';
import { decodeChainEvent, type ChainEvent } from './chain-events.ts';

export interface PackageIds {
  packageId: string;
  registryId: string;
  schedulerId: string;
}

export interface ExecutedTx {
  digest: string;
  events: ChainEvent[];
  /** Created object ids by their type's struct name (e.g. `StakeProof`). */
  created: Array<{ objectId: string; type: string }>;
}

export interface Registration extends ExecutedTx {
  stakeProofId: string;
}

/** A worker as the registry holds it (from the package's view functions). */
export interface OnChainWorker {
  nodeId: string;
  owner: string;
  stakeMist: bigint;
  sealPubkey: Uint8Array;
  status: WorkerStatus;
  registeredAt: number;
}

export interface RegisterWorkerInput {
  signer: Signer;
  nodeId: string;
  sealPubkey: Uint8Array;
  stakeMist: bigint;
  /** Called with the digest after signing and before sending, so a caller can record it first. */
  beforeSend?: (digest: string) => void | Promise<void>;
}

/** What a transaction costs at most beyond its payments, for balance checks before staking. */
export const GAS_BUDGET_ALLOWANCE_MIST = 50_000_000n;

// Per sender, the tail of its queue of transactions in this process.
const senderQueues = new Map<string, Promise<unknown>>();

/**
 * Runs `work` after every earlier transaction of `sender` in this process has ended. Two transactions
 * built at the same time pick the same gas coin (and the same version of any owned object, such as
 * the MasterCap), and the chain refuses the second ("not available for consumption"): the master
 * signs from more than one loop (status mirror, request results), and tests sign as it beside it.
 */
function oneAtATime<T>(sender: string, work: () => Promise<T>): Promise<T> {
  const run = (senderQueues.get(sender) ?? Promise.resolve()).then(work, work);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  senderQueues.set(sender, tail);
  void tail.then(() => {
    if (senderQueues.get(sender) === tail) senderQueues.delete(sender);
  });
  return run;
}

export class WorkerChain {
  readonly ids: PackageIds;
  readonly client: ClientWithCoreApi;

  constructor(options: { client: ClientWithCoreApi; ids: PackageIds }) {
    this.client = options.client;
    this.ids = {
      packageId: normalizeSuiAddress(options.ids.packageId),
      registryId: normalizeSuiAddress(options.ids.registryId),
      schedulerId: normalizeSuiAddress(options.ids.schedulerId),
    };
  }

  /** Stakes and registers a worker. Throws MoveAbortError (e.g. EWorkerAlreadyExists) or another DaasError. */
  async registerWorker(input: RegisterWorkerInput): Promise<Registration> {
    const tx = new Transaction();
    const [stake] = tx.splitCoins(tx.gas, [tx.pure.u64(input.stakeMist)]);
    tx.moveCall({
      target: this.#target(WORKER_REGISTRY, 'stake_and_register_worker'),
      arguments: [
        tx.object(this.ids.registryId),
        stake,
        tx.pure.string(input.nodeId),
        tx.pure.vector('u8', Array.from(input.sealPubkey)),
        tx.object.clock(),
      ],
    });
    const result = await this.execute(tx, input.signer, input.beforeSend);
    const proof = result.created.find((o) => o.type === 'StakeProof');
    if (!proof) throw new DaasError('CHAIN_ERROR', `registration ${result.digest} created no StakeProof`);
    return { ...result, stakeProofId: proof.objectId };
  }

  /** Adds `amountMist` to a worker's stake (owner only). */
  async addStake(input: { signer: Signer; nodeId: string; amountMist: bigint }): Promise<ExecutedTx> {
    const tx = new Transaction();
    const [coin] = tx.splitCoins(tx.gas, [tx.pure.u64(input.amountMist)]);
    tx.moveCall({
      target: this.#target(WORKER_REGISTRY, 'add_stake'),
      arguments: [tx.object(this.ids.registryId), tx.pure.string(input.nodeId), coin, tx.object.clock()],
    });
    return this.execute(tx, input.signer);
  }

  /** Replaces a worker's seal public key (owner only), e.g. after a seal token leaked. */
  async rotateSealKey(input: { signer: Signer; nodeId: string; sealPubkey: Uint8Array }): Promise<ExecutedTx> {
    const tx = new Transaction();
    tx.moveCall({
      target: this.#target(WORKER_REGISTRY, 'rotate_seal_key'),
      arguments: [tx.object(this.ids.registryId), tx.pure.string(input.nodeId), tx.pure.vector('u8', Array.from(input.sealPubkey)), tx.object.clock()],
    });
    return this.execute(tx, input.signer);
  }

  /** Deregisters a worker and returns its remaining stake to the signer. */
  async unstake(input: { signer: Signer; stakeProofId: string }): Promise<ExecutedTx> {
    const tx = new Transaction();
    const [coin] = tx.moveCall({
      target: this.#target(WORKER_REGISTRY, 'unstake'),
      arguments: [tx.object(this.ids.registryId), tx.object(input.stakeProofId), tx.object.clock()],
    });
    tx.transferObjects([coin], input.signer.toSuiAddress());
    return this.execute(tx, input.signer);
  }

  /** Slashes a worker with the MasterCap: takes up to `amountMist` of its stake; the status becomes final `slashed`. */
  async slashWorker(input: { signer: Signer; masterCapId: string; nodeId: string; amountMist: bigint; reason: string }): Promise<ExecutedTx> {
    const tx = new Transaction();
    tx.moveCall({
      target: this.#target(WORKER_REGISTRY, 'slash_worker'),
      arguments: [
        tx.object(this.ids.registryId),
        tx.object(input.masterCapId),
        tx.pure.string(input.nodeId),
        tx.pure.u64(input.amountMist),
        tx.pure.string(input.reason),
        tx.object.clock(),
      ],
    });
    return this.execute(tx, input.signer);
  }

  /** Moves everything slashing collected to the MasterCap holder (`recipient`, default the signer). */
  async withdrawSlashed(input: { signer: Signer; masterCapId: string; recipient?: string }): Promise<ExecutedTx> {
    const tx = new Transaction();
    const [coin] = tx.moveCall({
      target: this.#target(WORKER_REGISTRY, 'withdraw_slashed'),
      arguments: [tx.object(this.ids.registryId), tx.object(input.masterCapId)],
    });
    tx.transferObjects([coin], input.recipient ?? input.signer.toSuiAddress());
    return this.execute(tx, input.signer);
  }

  /** Records a Kubernetes API request's result with the MasterCap. */
  async recordApiResult(input: {
    signer: Signer;
    masterCapId: string;
    requestId: string;
    success: boolean;
    output: string;
    error: string;
    executionTimeMs: number;
  }): Promise<ExecutedTx> {
    const tx = new Transaction();
    tx.moveCall({
      target: this.#target(K8S_SCHEDULER, 'record_api_result'),
      arguments: [
        tx.object(this.ids.schedulerId),
        tx.object(input.masterCapId),
        tx.pure.string(input.requestId),
        tx.pure.bool(input.success),
        tx.pure.string(input.output),
        tx.pure.string(input.error),
        tx.pure.u64(input.executionTimeMs),
        tx.object.clock(),
      ],
    });
    return this.execute(tx, input.signer);
  }

  /** Sets worker statuses with the MasterCap, all in one transaction. */
  async setWorkerStatuses(input: {
    signer: Signer;
    masterCapId: string;
    updates: Array<{ nodeId: string; status: Exclude<WorkerStatus, 'slashed'> }>;
  }): Promise<ExecutedTx> {
    const tx = new Transaction();
    for (const u of input.updates) {
      tx.moveCall({
        target: this.#target(WORKER_REGISTRY, 'set_worker_status'),
        arguments: [tx.object(this.ids.registryId), tx.object(input.masterCapId), tx.pure.string(u.nodeId), tx.pure.string(u.status), tx.object.clock()],
      });
    }
    return this.execute(tx, input.signer);
  }

  /** Submits a Kubernetes API request; the contract assigns one of the sender's active workers. */
  async submitK8sRequest(input: {
    signer: Signer;
    requestId: string;
    method: string;
    resource: string;
    namespace: string;
    name: string;
    payload: string;
    priority: number;
  }): Promise<ExecutedTx> {
    const tx = new Transaction();
    tx.moveCall({
      target: this.#target(K8S_SCHEDULER, 'submit_k8s_request'),
      arguments: [
        tx.object(this.ids.schedulerId),
        tx.object(this.ids.registryId),
        tx.pure.string(input.requestId),
        tx.pure.string(input.method),
        tx.pure.string(input.resource),
        tx.pure.string(input.namespace),
        tx.pure.string(input.name),
        tx.pure.string(input.payload),
        tx.pure.u8(input.priority),
        tx.object.clock(),
      ],
    });
    return this.execute(tx, input.signer);
  }

  /** The registry's record of `nodeId`, or null when no such worker is registered. */
  async findRegistration(nodeId: string): Promise<OnChainWorker | null> {
    const exists = await this.#view(WORKER_REGISTRY, 'worker_exists', (tx) => [tx.object(this.ids.registryId), tx.pure.string(nodeId)]);
    if (!bcs.bool().parse(exists[0])) return null;
    const info = await this.#view(WORKER_REGISTRY, 'get_worker_info', (tx) => [tx.object(this.ids.registryId), tx.pure.string(nodeId)]);
    return {
      nodeId,
      owner: normalizeSuiAddress(bcs.Address.parse(info[0])),
      stakeMist: BigInt(bcs.u64().parse(info[1])),
      sealPubkey: Uint8Array.from(bcs.vector(bcs.u8()).parse(info[2])),
      status: bcs.string().parse(info[3]) as WorkerStatus,
      registeredAt: Number(bcs.u64().parse(info[4])),
    };
  }

  /** The events of one transaction of ours, or null when the node does not know the digest (yet). */
  async transactionEvents(digest: string): Promise<ChainEvent[] | null> {
    try {
      const result = await this.client.core.getTransaction({ digest, include: { events: true } });
      const tx = result.Transaction ?? result.FailedTransaction;
      if (!tx.status.success) return [];
      return this.#decodeEvents(tx.digest, tx.events ?? []);
    } catch (err) {
      if ((err as { reason?: string }).reason === 'notFound') return null;
      throw decodeChainError(err);
    }
  }

  /** The id of the MasterCap owned by `owner`, or null when that address does not hold it. */
  async findMasterCap(owner: string): Promise<string | null> {
    try {
      const { objects } = await this.client.core.listOwnedObjects({ owner, type: `${this.ids.packageId}::${WORKER_REGISTRY}::MasterCap` });
      return objects[0]?.objectId ?? null;
    } catch (err) {
      throw decodeChainError(err);
    }
  }

  /** Total SUI balance of `address`, in MIST. */
  async balance(address: string): Promise<bigint> {
    try {
      const { balance } = await this.client.core.getBalance({ owner: address });
      return BigInt(balance.balance);
    } catch (err) {
      throw decodeChainError(err);
    }
  }

  /**
   * Builds, signs and executes `tx` as `signer`; decodes a failure into a DaasError. Transactions of
   * one sender run one after the other in this process (see `oneAtATime`).
   */
  execute(tx: Transaction, signer: Signer, beforeSend?: (digest: string) => void | Promise<void>): Promise<ExecutedTx> {
    const sender = signer.toSuiAddress();
    return oneAtATime(sender, () => this.#execute(tx, signer, sender, beforeSend));
  }

  async #execute(tx: Transaction, signer: Signer, sender: string, beforeSend?: (digest: string) => void | Promise<void>): Promise<ExecutedTx> {
    tx.setSenderIfNotSet(sender);
    let result;
    try {
      const bytes = await tx.build({ client: this.client });
      const { signature } = await signer.signTransaction(bytes);
      if (beforeSend) await beforeSend(await tx.getDigest());
      result = await this.client.core.executeTransaction({
        transaction: bytes,
        signatures: [signature],
        include: { events: true, effects: true, objectTypes: true },
      });
    } catch (err) {
      throw decodeChainError(err);
    }
    const executed = result.Transaction ?? result.FailedTransaction;
    if (!executed.status.success) throw errorFromExecutionError(executed.status.error);
    const created = (executed.effects?.changedObjects ?? [])
      .filter((o) => o.idOperation === 'Created')
      .map((o) => ({ objectId: o.objectId, type: structName(executed.objectTypes?.[o.objectId] ?? '') }));
    return { digest: executed.digest, events: this.#decodeEvents(executed.digest, executed.events ?? []), created };
  }

  #decodeEvents(digest: string, events: Array<{ eventType: string; bcs: Uint8Array; sender: string }>): ChainEvent[] {
    return events
      .map((e, index) => decodeChainEvent(this.ids.packageId, e, { txDigest: digest, eventIndex: index, checkpoint: null }))
      .filter((e): e is ChainEvent => e !== null);
  }

  async #view(module: string, fn: string, args: (tx: Transaction) => any[]): Promise<Uint8Array[]> {
    const tx = new Transaction();
    tx.moveCall({ target: this.#target(module, fn), arguments: args(tx) });
    let result;
    try {
      result = await this.client.core.simulateTransaction({ transaction: tx, checksEnabled: false, include: { commandResults: true } });
    } catch (err) {
      throw decodeChainError(err);
    }
    const executed = result.Transaction ?? result.FailedTransaction;
    if (!executed.status.success) throw errorFromExecutionError(executed.status.error);
    const values = result.commandResults?.[0]?.returnValues ?? [];
    return values.map((v) => v.bcs);
  }

  #target(module: string, fn: string): `${string}::${string}::${string}` {
    return `${this.ids.packageId}::${module}::${fn}`;
  }
}

/** `0x…::worker_registry::StakeProof` → `StakeProof` (generic arguments dropped). */
function structName(type: string): string {
  const base = type.split('<')[0];
  return base.split('::').pop() ?? '';
}
