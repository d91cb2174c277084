/**
 * One agent connection, protocol v1, as an explicit state machine:
 * `challenged → verifying → (pending →) welcomed → closed`. Every move is logged once at debug and
 * the outcomes that matter to an operator (welcomed, refused, revoked) at info or warn.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import { CLOSE_CODES, parseAgentFrame, type Auth, type Heartbeat, type MasterMessage } from '../../shared/protocol/messages.ts';
import { verifyAuthSignature } from '../../shared/chain/auth-verify.ts';
import { heartbeatInPlace } from './heartbeat-check.ts';

/** The socket's own session, for the listeners every session shares. */
const SESSION = Symbol('agent session');
type SessionSocket = WebSocket & { [SESSION]: AgentSession };

export type SessionState = 'challenged' | 'verifying' | 'pending' | 'welcomed' | 'closed';

/** What the session needs to know of a worker in the pool. */
export interface KnownWorker {
  nodeId: string;
  owner: string;
  stakeMist: bigint;
  sealPubkey: Uint8Array;
  status: string;
}

/** The server side of a session: pool look-ups, admission and heartbeats. */
export interface SessionHost {
  readonly masterId: string;
  readonly logger: Logger;
  lookup(nodeId: string): KnownWorker | null;
  /** Reads a registration transaction directly (the digest fast path); never throws. */
  fastPath(digest: string): Promise<void>;
  /** Resolves with the worker once its registration is in the pool, or null after `timeoutMs`/abort. */
  waitForRegistration(nodeId: string, signal: AbortSignal): Promise<KnownWorker | null>;
  /** Admits an authenticated worker: replaces an older session, marks it active, builds the welcome. Throws to refuse. */
  admit(session: AgentSession, worker: KnownWorker): Promise<Extract<MasterMessage, { type: 'welcome' }>>;
  heartbeat(session: AgentSession, hb: Heartbeat): void;
  authFailed(ip: string, reason: 'not-registered' | 'bad-signature'): void;
  closed(session: AgentSession): void;
  readonly authTimeoutMs: number;
}

export class AgentSession {
  state: SessionState = 'challenged';
  nodeId: string | null = null;
  readonly ip: string;
  readonly connectedAt = Date.now();
  /** Set by the server when it admits the session (its clock). */
  admittedAt: number | null = null;
  #nonce: string | null;
  #host: SessionHost;
  #ws: WebSocket;
  // Per-session objects are kept few: 10,000 open sessions are 10,000 of each for the garbage
  // collector to trace on every major collection. The logger is the server's (the ip goes in each
  // record); the socket's listeners are shared by all sessions (the socket points to its session);
  // the abort controller exists only while the session waits for its registration, the auth timer
  // only until the auth frame.
  #log: Logger;
  #abort: AbortController | null = null;
  #authTimer: NodeJS.Timeout | null;

  constructor(ws: WebSocket, ip: string, host: SessionHost) {
    this.#ws = ws;
    this.ip = ip;
    this.#host = host;
    this.#log = host.logger;
    this.#nonce = randomBytes(32).toString('base64');
    this.#authTimer = setTimeout(AgentSession.#onAuthTimeout, host.authTimeoutMs, this);
    (ws as SessionSocket)[SESSION] = this;
    ws.on('message', AgentSession.#onMessage);
    ws.on('close', AgentSession.#onClose);
    ws.on('error', AgentSession.#onError);
    this.send({ type: 'challenge', v: 1, nonce: this.#nonce, masterId: host.masterId });
  }

  static #onMessage(this: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
    (this as SessionSocket)[SESSION].#onFrame(data as Buffer, isBinary);
  }

  static #onClose(this: WebSocket): void {
    (this as SessionSocket)[SESSION].#onClosed();
  }

  static #onError(this: WebSocket, err: Error): void {
    const session = (this as SessionSocket)[SESSION];
    session.#log.debug({ ip: session.ip, err: err.message }, 'agent socket error');
  }

  static #onAuthTimeout(session: AgentSession): void {
    session.close(CLOSE_CODES.authTimeout, 'no auth within the deadline');
  }

  /** Sends a protocol message; a closed socket drops it. */
  send(msg: MasterMessage): void {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.send(JSON.stringify(msg));
  }

  /** Closes the socket once with `code`, logging why. */
  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.#move('closed');
    this.#clearAuthTimer();
    this.#abort?.abort();
    const level = code === 1000 || code === 1001 ? 'debug' : 'warn';
    this.#log[level]({ ip: this.ip, nodeId: this.nodeId, code, reason }, 'agent connection closed');
    this.#ws.close(code, reason.slice(0, 120));
  }

  #clearAuthTimer(): void {
    if (this.#authTimer) clearTimeout(this.#authTimer);
    this.#authTimer = null;
  }

  #move(to: SessionState): void {
    this.#log.debug({ ip: this.ip, nodeId: this.nodeId, from: this.state, to }, 'agent session state');
    this.state = to;
  }

  #onFrame(data: Buffer, isBinary: boolean): void {
    if (this.state === 'closed') return;
    const parsed = parseAgentFrame(isBinary ? new Uint8Array(data) : data.toString('utf8'), heartbeatInPlace);
    if (!parsed.ok) return this.close(CLOSE_CODES.malformed, parsed.reason);
    const msg = parsed.msg;
    if (msg.type === 'auth') {
      if (this.state !== 'challenged') return this.close(CLOSE_CODES.malformed, 'auth sent twice: a nonce is good for one attempt');
      void this.#authenticate(msg).catch((err: Error) => {
        this.#log.error({ ip: this.ip, nodeId: this.nodeId, err: err.message }, 'agent admission failed');
        this.close(1011, 'internal error');
      });
      return;
    }
    if (this.state !== 'welcomed') return this.close(CLOSE_CODES.malformed, `${msg.type} before welcome`);
    this.#host.heartbeat(this, msg);
    // The one frame sent per heartbeat: built without JSON.stringify (seq is a validated integer).
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.send(`{"type":"ack","seq":${msg.seq}}`);
  }

  async #authenticate(auth: Auth): Promise<void> {
    this.#move('verifying');
    this.#clearAuthTimer();
    this.nodeId = auth.nodeId;
    const nonce = this.#nonce!;
    this.#nonce = null; // single use, whatever the outcome
    let worker = this.#host.lookup(auth.nodeId);
    if (!worker && auth.registrationDigest) {
      await this.#host.fastPath(auth.registrationDigest);
      worker = this.#host.lookup(auth.nodeId);
    }
    if (!worker) {
      this.#move('pending');
      this.send({ type: 'pending', reason: 'awaiting-registration' });
      this.#log.info({ ip: this.ip, nodeId: auth.nodeId }, '⏳ Agent authenticated before its registration was seen; waiting for the chain');
      this.#abort = new AbortController();
      worker = await this.#host.waitForRegistration(auth.nodeId, this.#abort.signal);
      if (this.#closed()) return;
      if (!worker) return this.#refuse('not-registered', `no registration of ${auth.nodeId} seen on chain`);
    }
    if (!verifyAuthSignature(worker.sealPubkey, auth.signature, this.#host.masterId, auth.nodeId, nonce)) {
      return this.#refuse('bad-signature', `signature does not match the seal key registered for ${auth.nodeId}`);
    }
    if (worker.status === 'slashed') {
      this.send({ type: 'revoke', reason: 'slashed' });
      return this.close(CLOSE_CODES.revoked, `${auth.nodeId} is slashed`);
    }
    if (this.#closed()) return;
    const welcome = await this.#host.admit(this, worker);
    if (this.#closed()) return;
    this.#move('welcomed');
    this.send(welcome);
  }

  /** Re-reads the state after an await: the socket may have closed meanwhile. */
  #closed(): boolean {
    return this.state === 'closed';
  }

  #refuse(kind: 'not-registered' | 'bad-signature', reason: string): void {
    this.#host.authFailed(this.ip, kind);
    this.close(CLOSE_CODES.authFailed, reason);
  }

  #onClosed(): void {
    if (this.state !== 'closed') {
      this.#move('closed');
      this.#clearAuthTimer();
      this.#abort?.abort();
      this.#log.debug({ ip: this.ip, nodeId: this.nodeId }, 'agent disconnected');
    }
    this.#host.closed(this);
  }
}
