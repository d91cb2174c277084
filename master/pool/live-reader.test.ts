import { describe, expect, it } from 'vitest';
import { HeartbeatBuffer } from './heartbeat-buffer.ts';
import { LivePoolReader } from './live-reader.ts';
import { openPoolDb } from './db.ts';
import { PoolStore } from './store.ts';
import { K3S_RUNNING, heartbeat, manualClock, registration } from './testing.ts';

describe('LivePoolReader', () => {
  it('shows a heartbeat the store has not got yet, and the store row once it is newer', () => {
    const store = new PoolStore({ db: openPoolDb(':memory:'), clock: manualClock() });
    store.applyChainEvents('worker_registry', registration('w1', { tx: 'tx1' }), 'c1');
    const buffer = new HeartbeatBuffer(store);
    const live = new LivePoolReader(store, buffer);
    expect(live.getWorker('w1')?.lastHeartbeatAt).toBeNull();

    buffer.add(heartbeat('w1', 5_000, { cpu: { loadPercent: 10 } }));
    buffer.flush();
    buffer.add({ ...heartbeat('w1', 7_000, { cpu: { loadPercent: 77 } }), k3s: { ...K3S_RUNNING, state: 'crashed', lastError: 'boom' } });
    expect(store.getWorker('w1')).toMatchObject({ lastHeartbeatAt: 5_000, latestMetrics: { cpu: { loadPercent: 10 } } });
    expect(live.getWorker('w1')).toMatchObject({ lastHeartbeatAt: 7_000, latestMetrics: { cpu: { loadPercent: 77 } }, k3s: { state: 'crashed' } });
    expect(live.listWorkers()[0].lastHeartbeatAt).toBe(7_000);
    expect(live.getWorker('absent')).toBeUndefined();

    buffer.flush();
    expect(live.getWorker('w1')).toEqual(store.getWorker('w1'));
    expect(live.stats()).toEqual(store.stats());
  });
});
