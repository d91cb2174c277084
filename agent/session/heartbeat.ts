/**
 * Heartbeats of the master session (DESIGN.md protocol step 5): one loop per welcomed connection,
 * at the master's interval with ±10 % jitter, `seq` increasing over the whole process (so a log line
 * names one beat unambiguously across reconnects), metrics sampled fresh for each beat and the k3s
 * status read at send time. Acks are matched to the send time of their seq for the latency.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.ts';
import { DaasError } from '../../shared/errors.ts';
import { HeartbeatSchema, MAX_FRAME_BYTES, type K3sStatus, type Metrics } from '../../shared/protocol/messages.ts';
import { jittered } from './backoff.ts';

/** What a heartbeat reports about the host; `sample()` may be slow or throw, it never stops a beat. */
export interface MetricsSource {
  sample(): Promise<Metrics>;
}

export interface HeartbeatsOptions {
  clock: Clock;
  logger: Logger;
  metrics: MetricsSource;
  k3sStatus: () => K3sStatus;
  /** Jitter source in [0, 1); default Math.random. */
  random?: () => number;
  /** Spread of each interval, default 0.1 (±10 %). */
  jitter?: number;
}

// Unacked beats remembered for latency; a master that never acks must not grow memory.
const MAX_IN_FLIGHT = 64;

export class Heartbeats {
  private seq = 0;
  private readonly inFlight = new Map<number, number>();
  private metricsFailing = false;
  private lastAck: { at: number; seq: number; latencyMs: number } | null = null;

  constructor(private readonly options: HeartbeatsOptions) {}

  /** Last ack received: when, for which seq, and its round trip. */
  lastAcked(): { at: number; seq: number; latencyMs: number } | null {
    return this.lastAck;
  }

  /**
   * Sends a beat at once, then one per jittered interval, until `signal` aborts or `send` returns
   * false (socket gone). Never rejects.
   *
   * Beats follow a fixed timeline — each one is due a jittered interval after the previous one was
   * due, not after it was sent — so the time spent sampling and sending does not add up and the
   * mean period is the master's interval. A timeline that fell behind (a stalled event loop, a
   * suspended host) restarts from now instead of sending the missed beats in a burst.
   */
  async run(intervalMs: number, send: (frame: string) => boolean, signal: AbortSignal): Promise<void> {
    this.inFlight.clear(); // acks of an earlier connection will not come
    const random = this.options.random ?? Math.random;
    const { clock } = this.options;
    let due = clock.now();
    while (!signal.aborted) {
      let frame: { seq: number; sentAt: number; text: string } | null = null;
      try {
        frame = await this.build();
      } catch (err) {
        this.options.logger.error({ err }, 'heartbeat could not be built; skipped');
      }
      if (signal.aborted) return;
      if (frame) {
        if (!send(frame.text)) return;
        this.remember(frame.seq, frame.sentAt);
        this.options.logger.debug({ seq: frame.seq }, 'heartbeat sent');
      }
      due += jittered(intervalMs, this.options.jitter ?? 0.1, random);
      const now = clock.now();
      if (due < now) due = now;
      try {
        await clock.sleep(due - now, signal);
      } catch {
        return; // aborted: the connection ended
      }
    }
  }

  /** Records an ack; returns its latency, or null for a seq not in flight (late or unknown). */
  ack(seq: number): number | null {
    const sentAt = this.inFlight.get(seq);
    if (sentAt === undefined) return null;
    this.inFlight.delete(seq);
    const at = this.options.clock.now();
    this.lastAck = { at, seq, latencyMs: Math.max(0, at - sentAt) };
    return this.lastAck.latencyMs;
  }

  /** The next heartbeat frame, validated against the schema the master applies. */
  async build(): Promise<{ seq: number; sentAt: number; text: string }> {
    const metrics = await this.sampleMetrics();
    const seq = ++this.seq;
    const sentAt = this.options.clock.now();
    const k3s = this.options.k3sStatus();
    let parsed = HeartbeatSchema.safeParse({ type: 'heartbeat', seq, sentAt, metrics, k3s });
    if (!parsed.success) {
      // A bad metric must not get the whole session closed with 4400: send the beat without metrics.
      this.options.logger.warn({ issue: parsed.error.issues[0]?.message, path: parsed.error.issues[0]?.path.join('.') }, 'heartbeat metrics invalid; sent without them');
      parsed = HeartbeatSchema.safeParse({ type: 'heartbeat', seq, sentAt, metrics: {}, k3s });
    }
    if (!parsed.success) {
      throw new DaasError('SESSION_INTERNAL', `k3s status does not fit the heartbeat schema: ${parsed.error.issues[0]?.message}`);
    }
    const text = JSON.stringify(parsed.data);
    if (Buffer.byteLength(text) > MAX_FRAME_BYTES) {
      this.options.logger.warn({ bytes: Buffer.byteLength(text) }, 'heartbeat too large; sent without metrics');
      return { seq, sentAt, text: JSON.stringify({ ...parsed.data, metrics: {} }) };
    }
    return { seq, sentAt, text };
  }

  private async sampleMetrics(): Promise<Metrics> {
    try {
      const metrics = await this.options.metrics.sample();
      if (this.metricsFailing) this.options.logger.info('host metrics available again');
      this.metricsFailing = false;
      return metrics;
    } catch (err) {
      if (!this.metricsFailing) this.options.logger.warn({ err }, 'host metrics unavailable; heartbeats go without them');
      this.metricsFailing = true;
      return {};
    }
  }

  private remember(seq: number, sentAt: number): void {
    this.inFlight.set(seq, sentAt);
    if (this.inFlight.size > MAX_IN_FLIGHT) {
      const oldest = this.inFlight.keys().next().value;
      if (oldest !== undefined) this.inFlight.delete(oldest);
    }
  }
}
