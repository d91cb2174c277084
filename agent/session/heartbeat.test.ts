import { describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/clock.ts';
import { HeartbeatSchema, type K3sStatus, type Metrics } from '../../shared/protocol/messages.ts';
import { Heartbeats } from './heartbeat.ts';
import { captureLog } from './testing/test-support.ts';

/** A clock whose sleeps return at once and advance time by the asked amount. */
class FakeClock implements Clock {
  t = 1_700_000_000_000;
  readonly sleeps: number[] = [];
  now = () => this.t;
  sleep = async (ms: number, signal?: AbortSignal) => {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.t += ms;
  };
}

const K3S: K3sStatus = { state: 'running', pid: 7, restarts: 1, lastError: null };

function setup(sample: () => Promise<Metrics>, random = () => 0.5) {
  const clock = new FakeClock();
  const log = captureLog();
  const hb = new Heartbeats({ clock, logger: log.logger, metrics: { sample }, k3sStatus: () => K3S, random });
  const sent: string[] = [];
  const runFor = (n: number, intervalMs = 10_000) =>
    hb.run(intervalMs, (frame) => (sent.length < n ? (sent.push(frame), true) : false), new AbortController().signal);
  return { clock, log, hb, sent, runFor };
}

describe('Heartbeats', () => {
  it('sends one beat at once, then one per jittered interval, seq increasing, frames valid', async () => {
    let r = 0;
    const randoms = [0, 0.999999, 0.5];
    const { clock, sent, runFor } = setup(async () => ({ uptimeSec: 5 }), () => randoms[r++ % 3]);
    await runFor(4);
    const frames = sent.map((f) => HeartbeatSchema.parse(JSON.parse(f)));
    expect(frames.map((f) => f.seq)).toEqual([1, 2, 3, 4]);
    expect(frames[0]).toMatchObject({ metrics: { uptimeSec: 5 }, k3s: K3S });
    expect(clock.sleeps.slice(0, 3)).toEqual([9000, 11000, 10000]);
    expect(frames[1].sentAt - frames[0].sentAt).toBe(9000);
  });

  it('keeps the period at the interval however long a beat takes to build (fixed timeline)', async () => {
    let r = 0;
    const randoms = [0, 0.999999, 0.5, 0.25];
    const built: number[] = [];
    const { clock, sent, runFor } = setup(async () => {
      clock.t += 300; // sampling the host takes 300 ms
      built.push(clock.t);
      return {};
    }, () => randoms[r++ % randoms.length]);
    const t0 = clock.t;
    await runFor(5);
    const sentAt = sent.map((f) => JSON.parse(f).sentAt as number);
    // Due at t0, t0 + 9 s, + 11 s, + 10 s, + 9.5 s: each beat is sent 300 ms after it was due.
    expect(sentAt.map((t) => t - t0)).toEqual([300, 9_300, 20_300, 30_300, 39_800]);
    expect(clock.sleeps.slice(0, 4)).toEqual([8_700, 10_700, 9_700, 9_200]);
    expect(built.slice(0, 5)).toEqual(sentAt);
  });

  it('restarts the timeline after a stall instead of sending the missed beats in a burst', async () => {
    let calls = 0;
    const { clock, sent, runFor } = setup(async () => {
      if (++calls === 2) clock.t += 25_000; // the second beat stalls for 2.5 intervals
      return {};
    });
    const t0 = clock.t;
    await runFor(4);
    const sentAt = sent.map((f) => JSON.parse(f).sentAt - t0);
    expect(sentAt).toEqual([0, 35_000, 35_000, 45_000]);
    expect(clock.sleeps.slice(0, 3)).toEqual([10_000, 0, 10_000]);
  });

  it('keeps counting seq over runs (reconnects); a beat the closed socket refused leaves a gap', async () => {
    const { sent, runFor } = setup(async () => ({}));
    await runFor(2); // the third beat is built, then refused
    await runFor(3);
    expect(sent.map((f) => JSON.parse(f).seq)).toEqual([1, 2, 4]);
  });

  it('measures ack latency and ignores acks for unknown seqs', async () => {
    const { clock, hb, runFor } = setup(async () => ({}));
    await runFor(1);
    expect(hb.ack(99)).toBeNull();
    expect(hb.ack(1)).toBe(10_000); // the fake sleep moved time by one interval
    expect(hb.lastAcked()).toMatchObject({ seq: 1, latencyMs: 10_000, at: clock.t });
    expect(hb.ack(1)).toBeNull(); // a duplicate ack
  });

  it('still beats without metrics when sampling fails, warning once per streak', async () => {
    let fail = true;
    const { sent, log, runFor } = setup(async () => {
      if (fail) throw new Error('no /proc');
      return { uptimeSec: 1 };
    });
    await runFor(3);
    expect(sent.map((f) => JSON.parse(f).metrics)).toEqual([{}, {}, {}]);
    expect(log.records().filter((r) => r.msg.startsWith('host metrics unavailable'))).toHaveLength(1);
    fail = false;
    await runFor(4);
    expect(JSON.parse(sent[3]).metrics).toEqual({ uptimeSec: 1 });
  });

  it('drops metrics that would make the frame malformed instead of getting closed with 4400', async () => {
    const { sent, log, runFor } = setup(async () => ({ cpu: { cores: -1 } }) as Metrics);
    await runFor(1);
    expect(JSON.parse(sent[0]).metrics).toEqual({});
    expect(log.records().some((r) => r.msg.includes('metrics invalid'))).toBe(true);
  });

  it('stops when the signal aborts', async () => {
    const { hb } = setup(async () => ({}));
    const stop = new AbortController();
    let n = 0;
    await hb.run(1000, () => (++n === 2 && stop.abort(), true), stop.signal);
    expect(n).toBe(2);
  });
});
