/** ListEvents paging and filters through the SDK's listEvents (limit+1 lookahead, cursors). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Transaction } from '@mysten/sui/transactions';
import type { SuiClientTypes } from '@mysten/sui/client';
import { ONE_SUI, registrationTx, startTestChain, type TestChain } from './testing.ts';

let t: TestChain;
let statusEvents = 0;
beforeAll(async () => {
  t = await startTestChain();
  const key = await t.funded();
  await t.client.signAndExecuteTransaction({ transaction: registrationTx(t.chain, 'ev-worker', ONE_SUI), signer: key });
  // The master flips the status back and forth: 3 transactions × 40 events.
  for (let round = 0; round < 3; round++) {
    const tx = new Transaction();
    for (let i = 0; i < 40; i++) {
      tx.moveCall({
        target: `${t.chain.info.packageId}::worker_registry::set_worker_status`,
        arguments: [tx.object(t.chain.info.registryId), tx.object(t.chain.info.masterCapId), tx.pure.string('ev-worker'), tx.pure.string(i % 2 ? 'offline' : 'active'), tx.object.clock()],
      });
    }
    const r = await t.client.signAndExecuteTransaction({ transaction: tx, signer: t.master, include: { events: true } });
    statusEvents += r.Transaction!.events!.length;
  }
});
afterAll(() => t.close());

type Page = SuiClientTypes.ListEventsResponse;
const key = (e: SuiClientTypes.EventEntry) => `${e.transactionDigest}/${e.eventIndex}`;

async function readAll(filter: { eventType?: string; sender?: string }, order: 'ascending' | 'descending', limit: number) {
  const all: SuiClientTypes.EventEntry[] = [];
  const pages: Page[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page: Page = await t.client.listEvents({
      filter: filter as SuiClientTypes.EventFilter,
      limit,
      order,
      ...(cursor ? (order === 'ascending' ? { after: cursor } : { before: cursor }) : {}),
    });
    pages.push(page);
    all.push(...page.events);
    if (!page.hasNextPage) return { all, pages };
    cursor = page.endCursor;
  }
}

describe('listEvents', () => {
  it('pages ascending over more than 100 events with exclusive cursors', async () => {
    expect(statusEvents).toBe(120);
    const module = `${t.chain.info.packageId}::worker_registry`;
    const { all, pages } = await readAll({ eventType: module }, 'ascending', 50);
    expect(all).toHaveLength(122);
    expect(pages.map((p) => p.events.length)).toEqual([50, 50, 22]);
    expect(new Set(all.map(key)).size).toBe(122);
    expect(all[0].eventType).toBe(`${module}::WorkerRegisteredEvent`);
    expect(all[0].json).toMatchObject({ node_id: 'ev-worker' });
    const checkpoints = all.map((e) => BigInt(e.checkpoint!));
    expect(checkpoints).toEqual([...checkpoints].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    // Within a transaction, event indexes count up.
    expect(all.slice(2, 5).map((e) => e.eventIndex)).toEqual([0, 1, 2]);

    // An exactly full last page says there is no next page; the next call from its cursor is empty.
    const exact = await readAll({ eventType: module }, 'ascending', 61);
    expect(exact.pages.map((p) => p.events.length)).toEqual([61, 61]);
    const empty = await t.client.listEvents({ filter: { eventType: module }, after: exact.pages[1].endCursor });
    expect(empty).toMatchObject({ events: [], hasNextPage: false, endCursor: null });
  });

  it('pages descending with `before` cursors in reverse order', async () => {
    const module = `${t.chain.info.packageId}::worker_registry`;
    const asc = (await readAll({ eventType: module }, 'ascending', 100)).all;
    const { all, pages } = await readAll({ eventType: module }, 'descending', 45);
    expect(pages.map((p) => p.events.length)).toEqual([45, 45, 32]);
    expect(all.map(key)).toEqual(asc.map(key).reverse());
  });

  it('filters by full type, by sender, and by a module of another package', async () => {
    const pkg = t.chain.info.packageId;
    const registered = await t.client.listEvents({ filter: { eventType: `${pkg}::worker_registry::WorkerRegisteredEvent` } });
    expect(registered.events).toHaveLength(1);
    const changed = await readAll({ eventType: `${pkg}::worker_registry::WorkerStatusChangedEvent` }, 'ascending', 100);
    expect(changed.all).toHaveLength(120);
    const bySender = await readAll({ sender: t.master.toSuiAddress() }, 'ascending', 1000);
    expect(bySender.all).toHaveLength(120);
    const none = await t.client.listEvents({ filter: { eventType: `${pkg}::k8s_scheduler` } });
    expect(none).toMatchObject({ events: [], hasNextPage: false });
    const foreign = await t.client.listEvents({ filter: { eventType: '0x2::coin' } });
    expect(foreign.events).toEqual([]);
  });

  it('reads a transaction’s events directly by digest', async () => {
    const [first] = (await t.client.listEvents({ filter: { eventType: `${t.chain.info.packageId}::worker_registry` }, limit: 1 })).events;
    const tx = await t.client.getTransaction({ digest: first.transactionDigest, include: { events: true } });
    expect(tx.Transaction!.events!.map((e) => e.eventType)).toEqual([first.eventType, expect.stringMatching(/StakeDepositedEvent$/)]);
  });

  it('lists transactions by sender and by function, and serves checkpoints', async () => {
    const pkg = t.chain.info.packageId;
    const bySender = await t.client.listTransactions({ filter: { sender: t.master.toSuiAddress() }, include: { events: true } });
    expect(bySender.transactions).toHaveLength(3);
    expect(bySender.transactions.every((tx) => tx.Transaction?.events?.length === 40)).toBe(true);
    const byFunction = await t.client.listTransactions({ filter: { function: `${pkg}::worker_registry::stake_and_register_worker` }, limit: 10 });
    expect(byFunction).toMatchObject({ hasNextPage: false });
    expect(byFunction.transactions).toHaveLength(1);

    const tip = await t.client.ledgerService.getCheckpoint({ checkpointId: { oneofKind: undefined }, readMask: { paths: ['sequence_number', 'digest', 'summary.timestamp', 'transactions.digest'] } });
    const checkpoint = tip.response.checkpoint!;
    expect(checkpoint.transactions.map((tx) => tx.digest)).toEqual([bySender.transactions[2].Transaction?.digest]);
    const genesis = await t.client.ledgerService.getCheckpoint({ checkpointId: { oneofKind: 'sequenceNumber', sequenceNumber: 0n } });
    expect(genesis.response.checkpoint?.sequenceNumber).toBe(0n);
    const info = await t.client.ledgerService.getServiceInfo({});
    expect(info.response).toMatchObject({ chain: 'localnet', epoch: 0n, checkpointHeight: checkpoint.sequenceNumber, chainId: genesis.response.checkpoint?.digest });
  });
});
