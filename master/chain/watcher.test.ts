/** ChainWatcher against the local chain over real HTTP: pages applied once, idle polls write nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { sealPublicKey } from '../../shared/chain/seal-key.ts';
import { startChainFixture, type ChainFixture } from '../../test/helpers/chain.ts';
import { openPoolDb } from '../pool/db.ts';
import { PoolStore } from '../pool/store.ts';
import { manualClock } from '../pool/testing.ts';
import { ChainWatcher } from './watcher.ts';

let fx: ChainFixture;
const ONE_SUI = 1_000_000_000n;

beforeAll(async () => {
  fx = await startChainFixture();
});
afterAll(async () => {
  await fx?.close();
});

describe('ChainWatcher.pollOnce', () => {
  it('applies new events once, and an idle poll opens no database transaction', async () => {
    const store = new PoolStore({ db: openPoolDb(':memory:'), clock: manualClock() });
    const writes: Array<{ module: string; events: number; cursor: string | null }> = [];
    const apply = store.applyChainEvents.bind(store);
    store.applyChainEvents = (module, events, cursor) => {
      writes.push({ module, events: events.length, cursor });
      return apply(module, events, cursor);
    };
    const watcher = new ChainWatcher({ chain: fx.chain, store, clock: manualClock(), logger: pino({ level: 'silent' }), pollIntervalMs: 1000 });
    const key = await fx.fundedKey();
    const register = (nodeId: string) => fx.chain.registerWorker({ signer: key, nodeId, sealPubkey: sealPublicKey(`seal_token_${nodeId}_0123456789abcdef0123`), stakeMist: ONE_SUI });

    await register('watched-worker-1');
    expect(await watcher.pollOnce()).toBe(2);
    expect(writes).toEqual([{ module: 'worker_registry', events: 2, cursor: expect.any(String) }]);
    const cursor = store.getCursor('worker_registry');
    expect(cursor).not.toBeNull();

    writes.length = 0;
    expect(await watcher.pollOnce()).toBe(0);
    expect(await watcher.pollOnce()).toBe(0);
    expect(writes).toEqual([]);
    expect(store.getCursor('worker_registry')).toBe(cursor);
    expect(watcher.lastSuccessAt).not.toBeNull();

    await register('watched-worker-2');
    expect(await watcher.pollOnce()).toBe(2);
    expect(writes).toHaveLength(1);
    expect(store.getCursor('worker_registry')).not.toBe(cursor);
    expect(store.getWorker('watched-worker-2')?.status).toBe('pending');
  });
});
