/**
 * The agent endpoint `/v1/agent`: accepts WebSocket upgrades, runs one AgentSession per socket,
 * keeps the newest authenticated session per worker (the older one is closed with 4409) and
 * revokes sessions when the chain says a worker is slashed or gone.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Clock } from '../../shared/clock.ts';
import { CLOSE_CODES, MAX_FRAME_BYTES, type Heartbeat, type RevokeReason, type Welcome } from '../../shared/protocol/messages.ts';
import { tokenPreview } from '../../shared/logging/logger.ts';
import type { AuthFailureLimiter } from './auth-limiter.ts';
import { AgentSession, type KnownWorker, type SessionHost } from './session.ts';

export const AGENT_PATH = '/v1/agent';

export interface AgentPoolPort {
  worker(nodeId: string): KnownWorker | null;
  /** The worker authenticated: pending/offline → active (a no-op when already active or busy). */
  authenticated(nodeId: string): void;
  heartbeat(nodeId: string, hb: Heartbeat): void;
}

export interface RegistrationPort {
  fastPath(digest: string): Promise<void>;
  waitFor(nodeId: string, signal: AbortSignal): Promise<KnownWorker | null>;
}

export interface JoinTokenPort {
  tokenFor(nodeId: string): Promise<string>;
}

export interface AgentServerOptions {
  masterId: string;
  pool: AgentPoolPort;
  registrations: RegistrationPort;
  tokens: JoinTokenPort;
  limiter: AuthFailureLimiter;
  logger: Logger;
  clock: Clock;
  serverUrl: string;
  heartbeatIntervalMs: number;
  offlineAfterMs: number;
  authTimeoutMs?: number;
  /** Counts failed authentications (metrics). */
  onAuthFailure?: (reason: string) => void;
}

export class AgentServer {
  #wss: WebSocketServer;
  #opts: AgentServerOptions;
  #log: Logger;
  #byNode = new Map<string, AgentSession>();
  #all = new Set<AgentSession>();
  #host: SessionHost;

  constructor(options: AgentServerOptions) {
    this.#opts = options;
    this.#log = options.logger.child({ component: 'agents' });
    // Frames up to 4× the protocol limit reach the parser, which closes them with 4400 and a
    // reason; beyond that ws itself drops the socket (1009) before buffering more.
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_FRAME_BYTES, perMessageDeflate: false });
    this.#host = this.#makeHost();
  }

  /** Number of open agent sockets, authenticated or not. */
  get connections(): number {
    return this.#all.size;
  }

  /** True while `nodeId` has a welcomed session. */
  isConnected(nodeId: string): boolean {
    return this.#byNode.get(nodeId)?.state === 'welcomed';
  }

  /**
   * When the worker's open session was admitted, or null without one. Authenticating is a sign of
   * life the pool's heartbeat columns do not show: the sweeper must not mark a worker offline in the
   * moment between its welcome and its first heartbeat on the new socket.
   */
  admittedAt(nodeId: string): number | null {
    const session = this.#byNode.get(nodeId);
    return session && session.state !== 'closed' ? session.admittedAt : null;
  }

  /** Takes over an HTTP upgrade for AGENT_PATH; refuses rate-limited peers. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const ip = req.socket.remoteAddress ?? 'unknown';
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      if (this.#opts.limiter.blocked(ip)) {
        this.#log.warn({ ip }, 'agent refused: too many failed authentications from this address');
        this.#opts.onAuthFailure?.('rate-limited');
        ws.close(CLOSE_CODES.authFailed, 'too many failed authentications; retry later');
        return;
      }
      this.#all.add(new AgentSession(ws, ip, this.#host));
    });
  }

  /** Closes the worker's session with 4401 so it must authenticate again (its seal key was rotated). */
  reauthenticate(nodeId: string): void {
    this.#byNode.get(nodeId)?.close(CLOSE_CODES.authFailed, 'seal key rotated on chain; authenticate again');
  }

  /** Sends `revoke` and closes the worker's session with 4403 (slashed or deregistered). */
  revoke(nodeId: string, reason: RevokeReason): void {
    const session = this.#byNode.get(nodeId);
    if (!session) return;
    session.send({ type: 'revoke', reason });
    session.close(CLOSE_CODES.revoked, `worker ${reason}`);
  }

  /** Closes every socket with 1001 (going away). */
  close(): void {
    for (const s of this.#all) s.close(1001, 'master shutting down');
    this.#wss.close();
  }

  #makeHost(): SessionHost {
    const o = this.#opts;
    return {
      masterId: o.masterId,
      logger: this.#log,
      authTimeoutMs: o.authTimeoutMs ?? 10_000,
      lookup: (nodeId) => o.pool.worker(nodeId),
      fastPath: (digest) => o.registrations.fastPath(digest).catch((err: Error) => this.#log.warn({ digest, err: err.message }, 'could not read the registration transaction')),
      waitForRegistration: (nodeId, signal) => o.registrations.waitFor(nodeId, signal),
      admit: (session, worker) => this.#admit(session, worker),
      heartbeat: (session, hb) => session.nodeId && o.pool.heartbeat(session.nodeId, hb),
      authFailed: (ip, reason) => {
        o.limiter.fail(ip);
        o.onAuthFailure?.(reason);
      },
      closed: (session) => {
        this.#all.delete(session);
        if (session.nodeId && this.#byNode.get(session.nodeId) === session) this.#byNode.delete(session.nodeId);
      },
    };
  }

  async #admit(session: AgentSession, worker: KnownWorker): Promise<Welcome> {
    const o = this.#opts;
    const joinToken = await o.tokens.tokenFor(worker.nodeId);
    const older = this.#byNode.get(worker.nodeId);
    if (older && older !== session) {
      older.send({ type: 'revoke', reason: 'replaced' });
      older.close(CLOSE_CODES.replaced, 'replaced by a newer connection of the same worker');
    }
    this.#byNode.set(worker.nodeId, session);
    session.admittedAt = o.clock.now();
    o.pool.authenticated(worker.nodeId);
    this.#log.info({ nodeId: worker.nodeId, token: tokenPreview(joinToken) }, `🔑 Join token issued to ${worker.nodeId}`);
    return {
      type: 'welcome',
      nodeId: worker.nodeId,
      joinToken,
      serverUrl: o.serverUrl,
      heartbeatIntervalMs: o.heartbeatIntervalMs,
      offlineAfterMs: o.offlineAfterMs,
      labels: { 'k8s-daas.io/owner': worker.owner, 'k8s-daas.io/stake-mist': worker.stakeMist.toString() },
    };
  }
}
