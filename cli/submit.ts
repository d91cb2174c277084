/**
 * Submits one Kubernetes API request on chain (`submit_k8s_request`, signed by the owner) and waits
 * for its result event. The wait reads the scheduler's events from the tip as it was just before
 * submitting, so it never pages through old history; it is bounded, and ticks once per poll.
 */
import { randomBytes } from 'node:crypto';
import type { Signer } from '@mysten/sui/cryptography';
import type { Clock } from '../shared/clock.ts';
import { decodeChainError } from '../shared/chain/chain-errors.ts';
import type { ChainEvent } from '../shared/chain/chain-events.ts';
import { EventReader } from '../shared/chain/event-reader.ts';
import type { WorkerChain } from '../shared/chain/worker-chain.ts';
import { DaasError } from '../shared/errors.ts';

export type ApiResult = Extract<ChainEvent, { kind: 'K8sAPIResult' }>;

export interface K8sRequestFields {
  method: string;
  resource: string;
  namespace: string;
  name: string;
  payload: string;
  priority: number;
}

export interface SubmitOptions {
  chain: Pick<WorkerChain, 'submitK8sRequest' | 'client' | 'ids'>;
  signer: Signer;
  clock: Clock;
  timeoutMs: number;
  pollMs?: number;
  /** Called once the request is on chain. */
  onSubmitted?: (requestId: string, digest: string, assignedWorker: string | null) => void;
  /** Called after each poll that found no result yet. */
  onTick?: () => void;
}

/** A fresh request id: `req-` + 12 hex digits. */
export function newRequestId(): string {
  return `req-${randomBytes(6).toString('hex')}`;
}

/**
 * Submits and waits for the K8sAPIResult of the request.
 * @throws MoveAbortError when the contract refuses it (e.g. ENoAvailableWorkers); DaasError
 * `RESULT_TIMEOUT` when no result came within `timeoutMs`; other DaasErrors from the chain.
 */
export async function submitAndWait(req: K8sRequestFields, o: SubmitOptions, requestId = newRequestId()): Promise<ApiResult> {
  const cursor = await schedulerTip(o.chain);
  const tx = await o.chain.submitK8sRequest({ signer: o.signer, requestId, ...req });
  const scheduled = tx.events.find((e) => e.kind === 'K8sAPIRequestScheduled');
  o.onSubmitted?.(requestId, tx.digest, scheduled?.kind === 'K8sAPIRequestScheduled' ? scheduled.assignedWorker : null);
  const reader = new EventReader({ client: o.chain.client, packageId: o.chain.ids.packageId, module: 'k8s_scheduler', cursor });
  const deadline = o.clock.now() + o.timeoutMs;
  for (;;) {
    try {
      const page = await reader.next();
      reader.commit(page);
      const result = page.events.find((e): e is ApiResult => e.kind === 'K8sAPIResult' && e.requestId === requestId);
      if (result) return result;
      if (page.hasNextPage) continue;
    } catch (err) {
      // An unreachable node may come back before the deadline; anything else is final.
      if (!(err instanceof DaasError && err.retryable)) throw err;
    }
    if (o.clock.now() >= deadline) {
      throw new DaasError(
        'RESULT_TIMEOUT',
        `no result for request ${requestId} within ${Math.round(o.timeoutMs / 1000)} s; it is scheduled on chain (tx ${tx.digest}) and the master may still run it — is the master up?`,
      );
    }
    o.onTick?.();
    await o.clock.sleep(o.pollMs ?? 500);
  }
}

/**
 * The cursor of the newest scheduler event (null on a chain without any), so that reading after
 * it yields only what comes next. Uses the SDK's core API directly: this belongs on the chain port
 * (shared/chain), e.g. as `EventReader.fromTip()`.
 */
export async function schedulerTip(chain: Pick<WorkerChain, 'client' | 'ids'>): Promise<string | null> {
  try {
    const page = await chain.client.core.listEvents({ filter: { eventType: `${chain.ids.packageId}::k8s_scheduler` }, order: 'descending', limit: 1 });
    return page.startCursor ?? null;
  } catch (err) {
    throw decodeChainError(err);
  }
}
