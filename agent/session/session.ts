/**
 * The agent's session with the master (DESIGN.md "Agent ↔ master protocol, version 1"): connect,
 * answer the challenge with the seal key, wait through `pending`, take the `welcome`, heartbeat,
 * and reconnect with backoff until revoked or stopped. One state machine (states.ts), one
 * transition function, every move logged once at info; heartbeats log at debug.
 *
 * Secrets: the seal key signs in memory and neither it nor the signature is logged; the join token
 * is logged as its first 20 characters at most, and status() leaves it out.
 */
import type { Logger } from 'pino';
import type { ClientOptions } from 'ws';
import type { Clock } from '../../shared/clock.ts';
import { DaasError } from '../../shared/errors.ts';
import { tokenPreview } from '../../shared/logging/logger.ts';
import { CLOSE_CODES, type Auth, type Challenge, type K3sStatus, type MasterMessage, type Welcome } from '../../shared/protocol/messages.ts';
import { createReconnectBackoff, type ReconnectBackoff } from './backoff.ts';
import { agentEndpoint, defaultWsFactory, MasterConnection, socketOptions, type WsFactory } from './connection.ts';
import { isFinal, RevokedError, SESSION_ERRORS, type RevocationReason } from './errors.ts';
import { Heartbeats, type MetricsSource } from './heartbeat.ts';
import { parsePin } from './pinning.ts';
import type { SealSigner } from './seal-signer.ts';
import { ALLOWED_MOVES, IllegalSessionStateError, type SessionState } from './states.ts';

export interface MasterSessionOptions {
  /** The master's base URL, `wss://host:port`; the session connects to `<base>/v1/agent`. */
  url: string;
  nodeId: string;
  /** The Ed25519 seal key (sealSignerOf). */
  sealKey: SealSigner;
  agentVersion: string;
  /** Digest of this worker's registration transaction: sent with every auth until the first welcome. */
  registrationDigest?: string;
  /** K8S_DAAS_MASTER_CA_SHA256; when set it replaces CA validation (pinning.ts). */
  pinSha256?: string;
  clock: Clock;
  logger: Logger;
  metrics: MetricsSource;
  k3sStatus: () => K3sStatus;
  /** Called on every welcome, i.e. after every (re)connection: start k3s, or keep it if running. */
  onWelcome: (welcome: Welcome) => void | Promise<void>;
  /** Called once when the master revokes this worker (slashed, deregistered, replaced): stop k3s. */
  onRevoke: (reason: RevocationReason) => void | Promise<void>;
  /** Called at the start of each streak of non-retryable failures (4401, TLS trust or pin); the session keeps retrying on the long backoff unless stopped. */
  onPersistentError?: (err: DaasError) => void;
  wsFactory?: WsFactory;
  /** Default "master-reconnect": full jitter 500 ms → 30 s, reset after 60 s welcomed. */
  backoff?: ReconnectBackoff;
  /** For non-retryable failures; default "master-rejected": 15–30 s growing to 5 min. */
  rejectedBackoff?: ReconnectBackoff;
  /** Randomness for the heartbeat jitter; default Math.random. */
  random?: () => number;
  /** Defaults: handshake 15 s, challenge 10 s after open, auth answer 30 s, pending silence 60 s, ping probe 10 s, close 5 s. */
  timeouts?: Partial<SessionTimeouts>;
}

export interface SessionTimeouts {
  handshakeMs: number;
  challengeMs: number;
  authMs: number;
  pendingSilenceMs: number;
  probeMs: number;
  closeMs: number;
}

const DEFAULT_TIMEOUTS: SessionTimeouts = { handshakeMs: 15_000, challengeMs: 10_000, authMs: 30_000, pendingSilenceMs: 60_000, probeMs: 10_000, closeMs: 5_000 };

// Which states each master frame may arrive in; anything else is a protocol violation (4400).
const EXPECTED_IN: Readonly<Record<MasterMessage['type'], readonly SessionState[]>> = {
  challenge: ['connecting'],
  pending: ['authenticating', 'pending'],
  welcome: ['authenticating', 'pending'],
  ack: ['welcomed'],
  revoke: ['challenged', 'authenticating', 'pending', 'welcomed'],
};

/** What the agent's `status` command and heartbeat consumers see; never the join token. */
export interface MasterSessionStatus {
  state: SessionState;
  /** When the current connection was welcomed (ms since epoch), or null when not welcomed. */
  connectedSince: number | null;
  lastAckAt: number | null;
  lastAckLatencyMs: number | null;
  /** The last welcome received (kept across reconnects), without its join token. */
  welcome: Omit<Welcome, 'joinToken'> | null;
  lastError: { code: string; message: string } | null;
  /** Connection attempts since start(). */
  attempts: number;
  revocation: RevocationReason | null;
}

export class MasterSession {
  private state: SessionState = 'idle';
  private readonly log: Logger;
  private readonly endpoint: string;
  private readonly timeouts: SessionTimeouts;
  private readonly backoff: ReconnectBackoff;
  private readonly rejectedBackoff: ReconnectBackoff;
  private readonly heartbeats: Heartbeats;
  private readonly stopping = new AbortController();
  private readonly wsOptions: ClientOptions;
  private registrationDigest: string | undefined;
  private conn: MasterConnection | null = null;
  private loop: Promise<void> | null = null;
  private stopped: Promise<void> | null = null;
  private welcome: Welcome | null = null;
  private connectedSince: number | null = null;
  private lastError: DaasError | null = null;
  private rejectedStreak: string | null = null;
  private revocation: RevocationReason | null = null;
  private attempts = 0;

  /** Throws DaasError `SESSION_CONFIG` for a bad URL, `TLS_PIN_INVALID` for a bad pin. */
  constructor(private readonly options: MasterSessionOptions) {
    this.log = options.logger.child({ component: 'master-session' });
    const pin = options.pinSha256 ? parsePin(options.pinSha256) : undefined;
    this.endpoint = agentEndpoint(options.url, pin);
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.wsOptions = socketOptions({ agentVersion: options.agentVersion, pin, handshakeTimeoutMs: this.timeouts.handshakeMs });
    this.backoff = options.backoff ?? createReconnectBackoff({ name: 'master-reconnect', baseMs: 500, maxMs: 30_000 });
    this.rejectedBackoff =
      options.rejectedBackoff ?? createReconnectBackoff({ name: 'master-rejected', baseMs: 30_000, minMs: 15_000, maxMs: 300_000 });
    this.registrationDigest = options.registrationDigest;
    this.heartbeats = new Heartbeats({ clock: options.clock, logger: this.log, metrics: options.metrics, k3sStatus: options.k3sStatus, random: options.random });
  }

  /** Starts connecting in the background. Throws IllegalSessionStateError unless idle. */
  start(): void {
    if (this.state !== 'idle') throw new IllegalSessionStateError(this.state, 'connecting (start)');
    this.log.info({ url: this.endpoint, nodeId: this.options.nodeId, pinned: Boolean(this.options.pinSha256) }, 'master session starting');
    this.loop = this.runLoop().catch((err: unknown) => this.log.error({ err }, 'master session loop failed'));
  }

  /** Closes the connection with 1000 and ends the loop; resolves once closed. Idempotent; never rejects. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping.abort();
      this.conn?.close(1000, 'agent stopping', new DaasError('SESSION_STOPPED', 'the agent stopped the session'));
      await this.loop;
      this.transition('stopped');
    })();
    return this.stopped;
  }

  /** A snapshot of the session; the join token is left out. */
  status(): MasterSessionStatus {
    const ack = this.heartbeats.lastAcked();
    let welcome: Omit<Welcome, 'joinToken'> | null = null;
    if (this.welcome) {
      const { joinToken: _token, ...rest } = this.welcome;
      welcome = rest;
    }
    return {
      state: this.state,
      connectedSince: this.state === 'welcomed' ? this.connectedSince : null,
      lastAckAt: ack?.at ?? null,
      lastAckLatencyMs: ack?.latencyMs ?? null,
      welcome,
      lastError: this.lastError ? { code: this.lastError.code, message: this.lastError.message } : null,
      attempts: this.attempts,
      revocation: this.revocation,
    };
  }

  // The retry loop: one connection at a time, a named backoff between them, final ends leave.
  private async runLoop(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const end = await this.connectOnce();
      if (signal.aborted) return;
      if (isFinal(end)) return this.revoke(end.reason);
      this.lastError = end;
      this.transition('closed', { code: end.code, error: end.message, retryable: end.retryable });
      const delay = this.delayAfter(end);
      this.transition('backoff', { backoff: delay.backoff, delayMs: delay.ms });
      try {
        await this.options.clock.sleep(delay.ms, signal);
      } catch {
        return; // stop() during the wait
      }
    }
  }

  private connectOnce(): Promise<DaasError> {
    this.attempts++;
    this.connectedSince = null; // the last welcome stays in status() as what the master last said
    this.transition('connecting', { url: this.endpoint, attempt: this.attempts });
    const conn: MasterConnection = new MasterConnection(
      {
        url: this.endpoint,
        wsOptions: this.wsOptions,
        factory: this.options.wsFactory ?? defaultWsFactory,
        clock: this.options.clock,
        logger: this.log,
        closeTimeoutMs: this.timeouts.closeMs,
        probeTimeoutMs: this.timeouts.probeMs,
      },
      {
        onOpen: () => conn.deadline(this.timeouts.challengeMs, 'no challenge after the upgrade'),
        onMessage: (msg) => this.onMessage(conn, msg),
      },
    );
    this.conn = conn;
    return conn.ended;
  }

  private delayAfter(end: DaasError): { backoff: string; ms: number } {
    if (!end.retryable) {
      if (this.rejectedStreak !== end.code) {
        this.rejectedStreak = end.code;
        this.log.error({ code: end.code }, end.message); // once per streak: the operator must act
        this.safely('onPersistentError', () => this.options.onPersistentError?.(end));
      }
      return { backoff: this.rejectedBackoff.name, ms: this.rejectedBackoff.next() };
    }
    if (this.connectedSince !== null) this.backoff.resetIfStable(this.options.clock.now() - this.connectedSince);
    return { backoff: this.backoff.name, ms: this.backoff.next() };
  }

  private onMessage(conn: MasterConnection, msg: MasterMessage): void {
    if (conn !== this.conn || !conn.usable) return;
    if (!EXPECTED_IN[msg.type].includes(this.state)) return this.protocolError(conn, `unexpected ${msg.type} while ${this.state}`);
    switch (msg.type) {
      case 'challenge':
        return void this.answer(conn, msg);
      case 'pending':
        if (this.state === 'pending') return; // already said, already logged
        this.transition('pending', { reason: msg.reason });
        return conn.silence(this.timeouts.pendingSilenceMs, 'nothing while pending');
      case 'welcome':
        return this.welcomed(conn, msg);
      case 'ack': {
        const latencyMs = this.heartbeats.ack(msg.seq);
        return this.log.debug({ seq: msg.seq, latencyMs }, latencyMs === null ? 'ack for a heartbeat not in flight' : 'heartbeat acked');
      }
      case 'revoke':
        conn.close(1000, 'revoked', new RevokedError(msg.reason));
        return void this.revoke(msg.reason);
    }
  }

  private async answer(conn: MasterConnection, challenge: Challenge): Promise<void> {
    this.transition('challenged', { masterId: challenge.masterId });
    let signature: string;
    try {
      signature = await this.options.sealKey.signAuth(challenge.masterId, this.options.nodeId, challenge.nonce);
    } catch (err) {
      return conn.close(1011, 'signing failed', new DaasError(SESSION_ERRORS.internal, 'could not sign the challenge', { retryable: true, cause: err }));
    }
    if (conn !== this.conn || !conn.usable) return; // closed or stopped while signing
    const auth: Auth = { type: 'auth', nodeId: this.options.nodeId, signature, agentVersion: this.options.agentVersion };
    if (this.registrationDigest) auth.registrationDigest = this.registrationDigest;
    conn.send(JSON.stringify(auth));
    this.transition('authenticating', { registrationDigest: auth.registrationDigest ?? null });
    conn.deadline(this.timeouts.authMs, 'no answer to auth');
  }

  private welcomed(conn: MasterConnection, welcome: Welcome): void {
    if (welcome.nodeId !== this.options.nodeId) return this.protocolError(conn, `welcome for node ${welcome.nodeId}`);
    this.welcome = welcome;
    this.connectedSince = this.options.clock.now();
    this.registrationDigest = undefined; // the master has the registration now
    this.rejectedStreak = null;
    this.rejectedBackoff.reset();
    this.transition('welcomed', {
      serverUrl: welcome.serverUrl,
      joinTokenPreview: tokenPreview(welcome.joinToken),
      heartbeatIntervalMs: welcome.heartbeatIntervalMs,
      offlineAfterMs: welcome.offlineAfterMs,
      labels: welcome.labels,
    });
    this.safely('onWelcome', () => this.options.onWelcome(welcome));
    conn.silence(welcome.offlineAfterMs, 'no ack within offlineAfterMs');
    void this.heartbeats.run(welcome.heartbeatIntervalMs, (frame) => conn === this.conn && conn.send(frame), conn.signal);
  }

  private revoke(reason: RevocationReason): void {
    if (this.revocation) return;
    this.revocation = reason;
    this.lastError = new RevokedError(reason);
    this.transition('revoked', { reason, explanation: this.lastError.message });
    this.safely('onRevoke', () => this.options.onRevoke(reason));
  }

  private protocolError(conn: MasterConnection, what: string): void {
    this.log.warn({ what }, 'protocol violation by the master; closing with 4400');
    conn.close(CLOSE_CODES.malformed, what, new DaasError(SESSION_ERRORS.protocol, `protocol violation by the master: ${what}`, { retryable: true }));
  }

  /** Runs a caller's hook; its failure (sync or async) is logged, never breaks the session. */
  private safely(hook: string, fn: () => unknown): void {
    try {
      void Promise.resolve(fn()).catch((err: unknown) => this.log.error({ err, hook }, 'session hook failed'));
    } catch (err) {
      this.log.error({ err, hook }, 'session hook failed');
    }
  }

  // The one transition function: checks the table, logs the move once.
  private transition(to: SessionState, fields: Record<string, unknown> = {}): void {
    const from = this.state;
    if (from === to && to === 'stopped') return;
    if (!ALLOWED_MOVES[from].includes(to)) throw new IllegalSessionStateError(from, to);
    this.state = to;
    this.log.info({ from, to, ...fields }, 'master session state');
  }
}
