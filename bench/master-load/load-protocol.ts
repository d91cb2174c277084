/**
 * The IPC messages between the runner and its child processes (load generators and servers).
 * Every child also exits on its own after `maxLifetimeMs` or when the runner goes away.
 */
import type { HistogramData } from './histogram.ts';
import type { ServerProbes } from './probes.ts';

/** argv[2] of a load generator, as JSON. */
export interface LoadGenArgs {
  /** ws://127.0.0.1:port/v1/agent */
  url: string;
  /** Bench worker indices [from, to) this process plays. */
  from: number;
  to: number;
  /** Source addresses to bind, round-robin over the agents (127.0.0.x). */
  sourceIps: string[];
  maxLifetimeMs: number;
}

export type LoadCommand =
  | { cmd: 'connect'; concurrency: number; timeoutMs: number }
  | { cmd: 'beat'; ratePerSec: number; warmupMs: number; measureMs: number; drainMs: number }
  | { cmd: 'drop' }
  | { cmd: 'exit' };

export interface ConnectReport {
  type: 'connected';
  welcomed: number;
  failed: number;
  /** Failed attempts that were retried (with the agent's reconnect backoff). */
  retries: number;
  /** Close codes of failed attempts, counted. */
  failures: Record<string, number>;
  /** Per agent: first connect attempt → welcome. */
  latency: HistogramData;
  elapsedMs: number;
}

export interface BeatReport {
  type: 'beaten';
  /** Heartbeats sent / acks received inside the measure window. */
  sentInWindow: number;
  ackedInWindow: number;
  /** Acks, received by the end of the drain, of heartbeats sent in the window. */
  ackedOfWindow: number;
  /** Heartbeats sent in the window still unacked after the drain. */
  lostFromWindow: number;
  /** Sends skipped: every agent already had MAX_UNACKED heartbeats in flight. */
  deferred: number;
  /** Sends dropped because this process fell more than 100 ms behind its schedule. */
  missed: number;
  /** send → ack of the heartbeats sent in the window. */
  latency: HistogramData;
  /** Sockets that closed while welcomed (should be 0). */
  unexpectedCloses: number;
}

export type LoadReply = { type: 'ready'; agents: number; keysMs: number } | ConnectReport | BeatReport | { type: 'dropped'; closed: number };

/** Runner → server child. */
export type ServerCommand = { cmd: 'gc' } | { cmd: 'probes' } | { cmd: 'profile-start' } | { cmd: 'profile-stop'; file: string } | { cmd: 'stop' };
/** Server child → runner. */
export type ServerReply = { type: 'ready'; url: string; startMs: number } | { type: 'gc-done'; heapUsedBytes: number; externalBytes: number } | { type: 'probes'; probes: ServerProbes } | { type: 'profile-started' } | { type: 'profile-stopped' };
