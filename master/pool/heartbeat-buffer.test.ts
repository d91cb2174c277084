import { describe, expect, it } from 'vitest';
import { HeartbeatBuffer, persistEveryFor, WRITE_TICK_MS, type HeartbeatSink } from './heartbeat-buffer.ts';
import type { StoredHeartbeat } from './tables.ts';
import { heartbeat } from './testing.ts';
import type { HeartbeatRecord } from './tables.ts';

class RecordingSink implements HeartbeatSink {
  batches: StoredHeartbeat[][] = [];
  failNext = false;
  /** Simulated cost of one row, spent synchronously. */
  rowCostMs = 0;
  recordHeartbeatRows(batch: readonly StoredHeartbeat[]): number {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    const until = performance.now() + this.rowCostMs * batch.length;
    while (performance.now() < until);
    this.batches.push([...batch]);
    return batch.length;
  }
  rows(): Array<[string, number]> {
    return this.batches.flat().map((h) => [h.nodeId, h.at]);
  }
}

const crashed = (nodeId: string, at: number): HeartbeatRecord => ({ ...heartbeat(nodeId, at), k3s: { state: 'crashed', pid: null, restarts: 1, lastError: 'boom' } });

describe('HeartbeatBuffer', () => {
  it('flush writes one batch with the newest heartbeat of each worker', () => {
    const sink = new RecordingSink();
    const buffer = new HeartbeatBuffer(sink);
    buffer.add(heartbeat('w1', 1));
    buffer.add(heartbeat('w1', 3));
    buffer.add(heartbeat('w1', 2)); // late, out of order: dropped
    buffer.add(heartbeat('w2', 1));
    expect(buffer.size).toBe(2);
    expect(buffer.latest('w1')).toEqual(heartbeat('w1', 3));
    expect(buffer.latestAt('w1')).toBe(3);
    expect(buffer.flush()).toBe(2);
    expect(sink.batches).toHaveLength(1);
    expect(JSON.parse(sink.batches[0][0].metricsJson)).toEqual(heartbeat('w1', 3).metrics);
    expect(sink.rows()).toEqual([
      ['w1', 3],
      ['w2', 1],
    ]);
    expect(buffer.size).toBe(0);
    expect(buffer.latest('w1')).toBeUndefined();
    expect(buffer.flush()).toBe(0);
    expect(sink.batches).toHaveLength(1);
  });

  it('writeDue writes a worker at once the first time and when its k3s status changes, otherwise once per persistEveryMs', async () => {
    const sink = new RecordingSink();
    const buffer = new HeartbeatBuffer(sink, { persistEveryMs: 30_000 });
    buffer.add(heartbeat('w1', 0));
    expect(await buffer.writeDue()).toBe(1); // never written
    for (const at of [10_000, 20_000]) {
      buffer.add(heartbeat('w1', at));
      expect(await buffer.writeDue()).toBe(0); // not due: kept, and readable as the latest
      expect(buffer.latest('w1')?.at).toBe(at);
    }
    buffer.add(crashed('w1', 25_000));
    expect(await buffer.writeDue()).toBe(1); // k3s state changed
    buffer.add(crashed('w1', 35_000));
    expect(await buffer.writeDue()).toBe(0);
    buffer.add(crashed('w1', 55_000));
    expect(await buffer.writeDue()).toBe(1); // 30 s after the last write
    buffer.add({ ...crashed('w1', 56_000), k3s: { state: 'crashed', pid: null, restarts: 2, lastError: 'boom' } });
    expect(await buffer.writeDue()).toBe(1); // same state, one more restart: written at once
    expect(sink.rows()).toEqual([
      ['w1', 0],
      ['w1', 25_000],
      ['w1', 55_000],
      ['w1', 56_000],
    ]);
    expect(buffer.size).toBe(0);
  });

  it('writeDue writes in short slices and lets the event loop run between them', async () => {
    const sink = new RecordingSink();
    sink.rowCostMs = 0.05;
    const buffer = new HeartbeatBuffer(sink, { sliceMs: 2 });
    for (let i = 0; i < 1_000; i++) buffer.add(heartbeat(`w${i}`, 1));
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const written = buffer.writeDue();
    // Beats that arrive while it writes replace what is queued and are written instead.
    buffer.add(heartbeat('w999', 2));
    expect(await written).toBe(1_000);
    clearInterval(ticker);
    expect(sink.batches.length).toBeGreaterThan(10);
    expect(Math.max(...sink.batches.map((b) => b.length))).toBeLessThanOrEqual(64); // 64 first, then ~2 ms / 0.05 ms = 40
    expect(turns).toBeGreaterThan(5);
    expect(sink.rows().find(([id]) => id === 'w999')).toEqual(['w999', 2]);
    expect(buffer.size).toBe(0);
  });

  it('keeps what it could not write, without undoing newer heartbeats', async () => {
    const sink = new RecordingSink();
    const buffer = new HeartbeatBuffer(sink);
    buffer.add(heartbeat('w1', 1));
    sink.failNext = true;
    expect(() => buffer.flush()).toThrow('disk full');
    expect(buffer.size).toBe(1);
    sink.failNext = true;
    await expect(buffer.writeDue()).rejects.toThrow('disk full');
    expect(buffer.size).toBe(1);
    buffer.add(heartbeat('w1', 5));
    expect(await buffer.writeDue()).toBe(1);
    expect(sink.batches[0][0].at).toBe(5);
  });

  it('forgets a worker that left', async () => {
    const sink = new RecordingSink();
    const buffer = new HeartbeatBuffer(sink);
    buffer.add(heartbeat('w1', 1));
    buffer.forget('w1');
    expect(buffer.latest('w1')).toBeUndefined();
    expect(await buffer.writeDue()).toBe(0);
  });

  it('merges each beat into the worker\'s slot: what is written and read is exactly the newest beat', () => {
    const sink = new RecordingSink();
    const buffer = new HeartbeatBuffer(sink);
    const first = structuredClone(heartbeat('w1', 1));
    buffer.add(first);
    // The record handed in is not kept: changing it afterwards changes nothing.
    (first.metrics.cpu as { loadPercent: number }).loadPercent = 99;
    expect(buffer.latest('w1')).toEqual(heartbeat('w1', 1));
    const newest: HeartbeatRecord = {
      nodeId: 'w1',
      at: 2,
      // cpu gone, memory null, a field turned null, gpus longer, an object where null was
      metrics: { memory: null, disk: { totalBytes: null, usedBytes: 5 }, uptimeSec: 7, os: { platform: 'linux', hostname: 'w1' }, gpus: [{ model: 'A', vendor: 'B', vramMb: 1 }, { model: null, vendor: null, vramMb: 2 }] },
      k3s: { state: 'crashed', pid: null, restarts: 3, lastError: 'exit status 1' },
    };
    buffer.add(structuredClone(newest));
    const latest = buffer.latest('w1')!;
    expect(latest).toEqual(newest);
    // A copy: a reader cannot change the slot.
    latest.k3s.restarts = 100;
    expect(buffer.latest('w1')).toEqual(newest);
    buffer.add({ ...structuredClone(newest), at: 3, metrics: { ...structuredClone(newest.metrics), gpus: [] } });
    expect(buffer.flush()).toBe(1);
    expect(JSON.parse(sink.batches[0][0].metricsJson)).toEqual({ ...newest.metrics, gpus: [] });
    expect(JSON.parse(sink.batches[0][0].k3sJson)).toEqual(newest.k3s);
  });

  it('writes a beating worker often enough that its row never looks silent to the offline sweep', () => {
    expect(persistEveryFor(40_000, 10_000)).toBe(28_000); // the defaults
    expect(persistEveryFor(300_000, 10_000)).toBe(30_000); // at most every 30 s
    expect(persistEveryFor(15_000, 5_000)).toBe(8_000);
    expect(persistEveryFor(2_000, 1_000)).toBe(1_000); // at least every second
    for (const [offline, beat] of [[40_000, 10_000], [15_000, 5_000], [9_000, 2_000]]) {
      // The oldest row of a worker beating every `beat`: a write interval, one beat late, one write tick.
      expect(persistEveryFor(offline, beat) + beat + WRITE_TICK_MS).toBeLessThan(offline);
    }
  });
});
