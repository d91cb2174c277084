/**
 * The integration harness for Kubernetes API requests: the local chain, the Kubernetes API
 * stand-in, a real master with the request executor, owners with active workers, and a reader of
 * the result events on chain.
 *
 */
import { deriveSealKey, newSealToken, sealPublicKey } from '../../shared/chain/seal-key.ts';
import { EventReader } from '../../shared/chain/event-reader.ts';
import type { ChainEvent } from '../../shared/chain/chain-events.ts';
import type { MasterOptions } from '../../master/app.ts';
import type { RequestExecutor } from '../../master/requests/index.ts';
import type { ChainFixture } from '../helpers/chain.ts';
import { startTestMaster, type MasterFixture } from '../helpers/master.ts';
import { TestAgent } from '../helpers/test-agent.ts';

export type Result = Extract<ChainEvent, { kind: 'K8sAPIResult' }>;

export interface RequestMaster extends MasterFixture {
  executor: RequestExecutor;
  /** Stops the executor, then the master (as app.ts's close must). */
  close(): Promise<void>;
}

/** A master on `fx` whose executor talks to the cluster of `kubeconfigPath` (wired by startMaster). */
export async function startRequestMaster(fx: ChainFixture, kubeconfigPath: string, overrides: Partial<MasterOptions> = {}): Promise<RequestMaster> {
  const fixture = await startTestMaster(fx, { requestStopGraceMs: 500, ...overrides, kubeconfigPath, requestReportBackoff: { baseMs: 100, capMs: 1_000 } });
  if (!fixture.master.requests) throw new Error('the master started without its request executor (no MasterCap key?)');
  return { ...fixture, executor: fixture.master.requests, close: () => fixture.master.close() };
}

export interface Owner {
  key: Awaited<ReturnType<ChainFixture['fundedKey']>>;
  address: string;
  nodeId: string;
  agent: TestAgent;
}

/** A funded owner whose worker `nodeId` is registered, authenticated (active in the pool) and active on chain. */
export async function ownerWithWorker(fx: ChainFixture, m: MasterFixture, nodeId: string): Promise<Owner> {
  const key = await fx.fundedKey(2);
  const token = newSealToken();
  const reg = await fx.chain.registerWorker({ signer: key, nodeId, sealPubkey: sealPublicKey(token), stakeMist: 1_000_000_000n });
  const agent = new TestAgent(m.master.url);
  await agent.authenticate(nodeId, deriveSealKey(token), { registrationDigest: reg.digest });
  await agent.next('welcome');
  await until(async () => (await fx.chain.findRegistration(nodeId))?.status === 'active', `${nodeId} active on chain`, 20_000);
  return { key, address: key.toSuiAddress(), nodeId, agent };
}

/** Reads the scheduler's events from the start of the chain until `requestId`'s result shows up. */
export async function waitForResult(fx: ChainFixture, requestId: string, timeoutMs = 20_000): Promise<Result> {
  const reader = new EventReader({ client: fx.chain.client, packageId: fx.chain.ids.packageId, module: 'k8s_scheduler' });
  let found: Result | undefined;
  await until(
    async () => {
      for (;;) {
        const page = await reader.next();
        reader.commit(page);
        found ??= page.events.find((e): e is Result => e.kind === 'K8sAPIResult' && e.requestId === requestId);
        if (found || !page.hasNextPage) return Boolean(found);
      }
    },
    `the result of ${requestId}`,
    timeoutMs,
  );
  return found!;
}

export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let n = 0;
/** A fresh request id. */
export const rid = (label: string) => `${label}-${Date.now().toString(36)}-${++n}`;
