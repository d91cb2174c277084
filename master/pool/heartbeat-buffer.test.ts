import { describe, expect, it } from 'vitest';
import { HeartbeatBuffer, type HeartbeatSink } from './heartbeat-buffer.ts';
import type { HeartbeatRecord } from './tables.ts';
import { heartbeat } from './testing.ts';

class RecordingSink implements HeartbeatSink {
  batches: HeartbeatRecord[][] = [];
  failNext = false;
  recordHeartbeats(batch: readonly HeartbeatRecord[]): number {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('disk full');
    }
    this.batches.push([...batch]);
    return batch.length;
  }
}

describe('HeartbeatBuffer', () => {
  it('writes one batch per flush with the newest heartbeat of each worker', () => {
    const sink = new RecordingSink();
    const buffer = new HeartbeatBuffer(sink);
    buffer.add(heartbeat('w1', 1));
    buffer.add(heartbeat('w1', 3));
    buffer.add(heartbeat('w1', 2)); // late, out of order: dropped
    buffer.add(heartbeat('w2', 1));
    expect(buffer.size).toBe(2);
    expect(buffer.flush()).toBe(2);
    expect(sink.batches).toHaveLength(1);
    expect(sink.batches[0].map((h) => [h.nodeId, h.at])).toEqual([
      ['w1', 3],
      ['w2', 1],
    ]);
    expect(buffer.size).toBe(0);
    expect(buffer.flush()).toBe(0);
    expect(sink.batches).toHaveLength(1);
  });

  it('keeps the batch when the write fails, without undoing newer heartbeats', () => {
    const sink = new RecordingSink();
    const buffer = new HeartbeatBuffer(sink);
    buffer.add(heartbeat('w1', 1));
    sink.failNext = true;
    expect(() => buffer.flush()).toThrow('disk full');
    expect(buffer.size).toBe(1);
    buffer.add(heartbeat('w1', 5));
    expect(buffer.flush()).toBe(1);
    expect(sink.batches[0][0].at).toBe(5);
  });
});
