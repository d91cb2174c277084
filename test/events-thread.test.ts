/**
 * EventsThread (shared/chain/events-thread.ts): the watcher's listEvents from a worker thread,
 * against the local chain over real HTTP with the real SDK in the thread. It must read the same
 * pages as the caller's own client, fail the same way when the node is down, and stop cleanly.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeChainError } from '../shared/chain/chain-errors.ts';
import { EventReader } from '../shared/chain/event-reader.ts';
import { EventsThread } from '../shared/chain/events-thread.ts';
import { sealPublicKey } from '../shared/chain/seal-key.ts';
import { startChainFixture, type ChainFixture } from './helpers/chain.ts';

let fx: ChainFixture;
const ONE_SUI = 1_000_000_000n;

beforeAll(async () => {
  fx = await startChainFixture();
  const key = await fx.fundedKey(2);
  for (let i = 1; i <= 6; i++) {
    await fx.chain.registerWorker({ signer: key, nodeId: `thread-worker-${i}`, sealPubkey: sealPublicKey(`seal_token_thread_worker_${i}_0123456789abcdef`), stakeMist: ONE_SUI + BigInt(i) });
  }
});
afterAll(async () => {
  await fx?.close();
});

/** Every page of a module, committed as the watcher does. */
async function readAll(reader: EventReader): Promise<Array<{ events: unknown[]; cursor: string | null; hasNextPage: boolean }>> {
  const pages = [];
  for (;;) {
    const page = await reader.next();
    pages.push(page);
    reader.commit(page);
    if (!page.hasNextPage) return pages;
  }
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('EventsThread', () => {
  it('reads the same pages, cursors and decoded events as the caller’s own client', async () => {
    const thread = new EventsThread({ url: fx.local.info.rpcUrl });
    try {
      const ids = fx.chain.ids;
      const direct = await readAll(new EventReader({ client: fx.chain.client, packageId: ids.packageId, module: 'worker_registry', pageSize: 5 }));
      const threaded = await readAll(new EventReader({ client: thread, packageId: ids.packageId, module: 'worker_registry', pageSize: 5 }));
      // 6 registrations, two events each, five to a page.
      expect(direct.flatMap((p) => p.events)).toHaveLength(12);
      expect(direct.length).toBeGreaterThanOrEqual(3);
      expect(threaded).toEqual(direct);
      const registered = threaded.flatMap((p) => p.events as Array<{ kind: string; nodeId?: string; stakeMist?: bigint }>).filter((e) => e.kind === 'WorkerRegistered');
      expect(registered.map((e) => e.nodeId)).toEqual([1, 2, 3, 4, 5, 6].map((i) => `thread-worker-${i}`));
      expect(registered[5].stakeMist).toBe(ONE_SUI + 6n);
    } finally {
      await thread.close();
    }
  });

  it('answers calls made at the same time, each with its own page', async () => {
    const thread = new EventsThread({ url: fx.local.info.rpcUrl });
    try {
      const filter = { eventType: `${fx.chain.ids.packageId}::worker_registry` };
      const [a, b, c] = await Promise.all([1, 2, 3].map((limit) => thread.core.listEvents({ filter, limit })));
      expect([a.events.length, b.events.length, c.events.length]).toEqual([1, 2, 3]);
      expect(c.events.slice(0, 2)).toEqual(b.events);
    } finally {
      await thread.close();
    }
  });

  it('fails as the direct client does when the node is unreachable: a retryable CHAIN_UNAVAILABLE', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const thread = new EventsThread({ url });
    try {
      const reader = new EventReader({ client: thread, packageId: fx.chain.ids.packageId, module: 'worker_registry' });
      const err = await reader.next().catch((e: unknown) => decodeChainError(e));
      expect(err).toMatchObject({ code: 'CHAIN_UNAVAILABLE', retryable: true });
      // The thread survives a failed call: the next one is answered (and fails the same way).
      const again = await reader.next().catch((e: unknown) => decodeChainError(e));
      expect(again).toMatchObject({ code: 'CHAIN_UNAVAILABLE' });
    } finally {
      await thread.close();
    }
  });

  it('after close, rejects calls in flight and new ones instead of hanging', async () => {
    const thread = new EventsThread({ url: fx.local.info.rpcUrl });
    const filter = { eventType: `${fx.chain.ids.packageId}::worker_registry` };
    const inFlight = thread.core.listEvents({ filter, limit: 1 }).then(
      () => null,
      (e: Error) => e,
    );
    await thread.close();
    expect((await inFlight)?.message).toBe('the chain events thread was stopped');
    await expect(thread.core.listEvents({ filter, limit: 1 })).rejects.toThrow('the chain events thread was stopped');
  });
});
