/**
 * One simulated agent: a real `ws` client speaking protocol v1 (challenge → auth signed with its
 * seal key → welcome → heartbeats), bound to a 127.0.0.x source address. The load generator owns
 * the heartbeat schedule; the agent only sends, counts in-flight beats and hands acks back.
 */
import WebSocket from 'ws';
import type { SealSigner } from '../../agent/session/seal-signer.ts';
import { benchNodeId } from './workers.ts';

/** The real agent's session deadlines (DEFAULT_TIMEOUTS of agent/session/session.ts). */
const AGENT_TIMEOUTS = { handshakeMs: 15_000, challengeMs: 10_000, authMs: 30_000 };

export type AgentState = 'idle' | 'connecting' | 'welcomed';

export interface AgentHooks {
  onAck(agent: SimAgent, seq: number): void;
  /** Welcomed: the real agent sends its first heartbeat at once. */
  onWelcome(agent: SimAgent): void;
  /** A welcomed socket closed (the runner counts these: none should happen uninvited). */
  onLost(agent: SimAgent, code: number): void;
}

/** Outcome of one connection attempt: welcomed, or why not (close code or error text). */
export type AttemptResult = { ok: true } | { ok: false; why: string };

export class SimAgent {
  readonly nodeId: string;
  state: AgentState = 'idle';
  /** Heartbeats sent and not yet acked. */
  unacked = 0;
  #ws: WebSocket | null = null;
  #dropping = false;
  readonly #suffix: string;

  constructor(
    readonly index: number,
    readonly key: SealSigner,
    readonly sourceIp: string,
    readonly hooks: AgentHooks,
  ) {
    this.nodeId = benchNodeId(index);
    this.#suffix = heartbeatSuffix(this.nodeId);
  }

  /**
   * One attempt with the real agent's deadlines (agent/session/session.ts): 15 s for the upgrade,
   * 10 s from open to the challenge, 30 s from auth to the welcome; all within `budgetMs`.
   * Never rejects; a failed attempt leaves no socket behind.
   */
  attempt(url: string, budgetMs: number): Promise<AttemptResult> {
    this.state = 'connecting';
    this.#dropping = false;
    return new Promise((resolve) => {
      let settled = false;
      let stage = 'upgrade';
      const ws = new WebSocket(url, { localAddress: this.sourceIp, perMessageDeflate: false, handshakeTimeout: Math.min(AGENT_TIMEOUTS.handshakeMs, budgetMs) });
      this.#ws = ws;
      const budget = setTimeout(() => finish({ ok: false, why: `timeout-${stage}` }), budgetMs);
      let deadline: NodeJS.Timeout | null = null;
      const expect = (next: string, ms: number) => {
        stage = next;
        if (deadline) clearTimeout(deadline);
        deadline = setTimeout(() => finish({ ok: false, why: `timeout-${next}` }), ms);
      };
      const finish = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(budget);
        if (deadline) clearTimeout(deadline);
        if (!result.ok) {
          this.state = 'idle';
          ws.terminate();
        }
        resolve(result);
      };
      ws.on('open', () => expect('challenge', AGENT_TIMEOUTS.challengeMs));
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { type: string; seq?: number; masterId?: string; nonce?: string };
        if (msg.type === 'ack') this.hooks.onAck(this, msg.seq!);
        else if (msg.type === 'challenge') {
          expect('welcome', AGENT_TIMEOUTS.authMs);
          void this.#answer(ws, msg.masterId!, msg.nonce!);
        } else if (msg.type === 'welcome') {
          this.state = 'welcomed';
          finish({ ok: true });
          this.hooks.onWelcome(this);
        } else if (msg.type === 'revoke') finish({ ok: false, why: 'revoked' });
      });
      ws.on('close', (code) => {
        if (settled && this.state === 'welcomed' && this.#ws === ws) {
          this.state = 'idle';
          if (!this.#dropping) this.hooks.onLost(this, code);
        }
        finish({ ok: false, why: `close-${code}` });
      });
      ws.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, why: err.code ?? err.message.slice(0, 40) }));
    });
  }

  /** Sends one heartbeat; false when the socket is not welcomed. */
  beat(seq: number): boolean {
    if (this.state !== 'welcomed' || !this.#ws) return false;
    this.#ws.send(`{"type":"heartbeat","seq":${seq},"sentAt":${Date.now()}${this.#suffix}`);
    this.unacked++;
    return true;
  }

  /** Destroys the socket at once (no closing handshake), as a crashed network would. */
  drop(): Promise<void> {
    const ws = this.#ws;
    this.#dropping = true;
    this.state = 'idle';
    this.unacked = 0;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', () => resolve());
      ws.terminate();
    });
  }

  async #answer(ws: WebSocket, masterId: string, nonce: string): Promise<void> {
    const signature = await this.key.signAuth(masterId, this.nodeId, nonce);
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'auth', nodeId: this.nodeId, signature, agentVersion: 'k8s-daas-bench/1' }));
  }
}

/** The rest of a heartbeat after `sentAt`: metrics shaped as the real agent's collector sends them. */
function heartbeatSuffix(hostname: string): string {
  const metrics = {
    cpu: { cores: 8, model: 'AMD EPYC 7B13 64-Core Processor', loadPercent: 12.5 },
    memory: { totalBytes: 33_554_432_000, usedBytes: 8_123_456_789 },
    disk: { totalBytes: 512_000_000_000, usedBytes: 123_000_000_000 },
    network: { rxBytesPerSec: 12_345.6, txBytesPerSec: 6_543.2 },
    uptimeSec: 123_456,
    os: { platform: 'linux', distro: 'Ubuntu 24.04.1 LTS', release: '6.8.0-45-generic', arch: 'x64', hostname },
    gpus: [],
  };
  const k3s = { state: 'running', pid: 4242, restarts: 0, lastError: null };
  return `,"metrics":${JSON.stringify(metrics)},"k3s":${JSON.stringify(k3s)}}`;
}
