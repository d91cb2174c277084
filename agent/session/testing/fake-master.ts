/**
 * Test support (not used by the agent): a minimal scripted master that the REAL session talks to
 * over a real socket on 127.0.0.1:0, plain or TLS (Tailscale's testcontrol). Each connection runs
 * the test's script; the peer verifies auth signatures with the master's own verifyAuthSignature.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { verifyAuthSignature } from '../../../shared/chain/auth-verify.ts';
import { parseAgentFrame, type AgentMessage, type Auth, type Heartbeat, type Welcome } from '../../../shared/protocol/messages.ts';

export interface FakeMasterOptions {
  /** The seal public key the "chain" has for the node. */
  sealPubkey: Uint8Array;
  masterId?: string;
  /** Serve wss:// with this PEM certificate (chain) and key. */
  tls?: { cert: string; key: string };
  /** Answer the agent's pings (ws default); false plays a master that hangs without closing. */
  autoPong?: boolean;
  /** What the master does on connection number `index` (0-based). */
  script: (peer: FakePeer, index: number) => Promise<void>;
}

export interface FakeMaster {
  /** Base URL to give the session (`ws://127.0.0.1:port` or `wss://…`). */
  url: string;
  peers: FakePeer[];
  /** HTTP requests that reached the server (upgrades included). */
  requests: number;
  /** Script failures: a test asserts this stays empty. */
  errors: unknown[];
  close(): Promise<void>;
}

/** Starts a fake master on 127.0.0.1:0. */
export async function startFakeMaster(options: FakeMasterOptions): Promise<FakeMaster> {
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }) : createHttpServer();
  const wss = new WebSocketServer({ server, path: '/v1/agent', autoPong: options.autoPong ?? true });
  const master: FakeMaster = {
    url: '',
    peers: [],
    requests: 0,
    errors: [],
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('request', () => master.requests++);
  server.on('upgrade', () => master.requests++);
  wss.on('connection', (ws) => {
    const peer = new FakePeer(ws, options.sealPubkey, options.masterId ?? 'fake-master');
    const index = master.peers.push(peer) - 1;
    options.script(peer, index).catch((err: unknown) => {
      master.errors.push(err);
      ws.terminate();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  master.url = `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${port}`;
  return master;
}

/** One agent connection as the master sees it. */
export class FakePeer {
  readonly received: AgentMessage[] = [];
  readonly heartbeats: Array<Heartbeat & { receivedAt: number }> = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private queue: AgentMessage[] = [];
  private waiters: Array<(msg: AgentMessage) => void> = [];
  private autoAck = false;

  constructor(
    readonly ws: WebSocket,
    private readonly sealPubkey: Uint8Array,
    readonly masterId: string,
  ) {
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data) => {
      const parsed = parseAgentFrame(data as Buffer);
      if (!parsed.ok) return ws.close(4400, parsed.reason.slice(0, 100));
      const msg = parsed.msg;
      this.received.push(msg);
      if (msg.type === 'heartbeat') {
        this.heartbeats.push({ ...msg, receivedAt: Date.now() });
        if (this.autoAck) return this.send({ type: 'ack', seq: msg.seq });
      }
      const waiter = this.waiters.shift();
      if (waiter) waiter(msg);
      else this.queue.push(msg);
    });
  }

  /** The next frame the agent sent (heartbeats are skipped while auto-acking). */
  next(timeoutMs = 5000): Promise<AgentMessage> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('fake master: no frame from the agent in time')), timeoutMs);
      this.waiters.push((msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
    });
  }

  /** Sends a challenge with a fresh nonce, reads the auth, and verifies its signature. */
  async challenge(): Promise<{ auth: Auth; nonce: string; verified: boolean }> {
    const nonce = randomBytes(32).toString('base64');
    this.send({ type: 'challenge', v: 1, nonce, masterId: this.masterId });
    const msg = await this.next();
    if (msg.type !== 'auth') throw new Error(`fake master: expected auth, got ${msg.type}`);
    const verified = verifyAuthSignature(this.sealPubkey, msg.signature, this.masterId, msg.nodeId, nonce);
    return { auth: msg, nonce, verified };
  }

  /** Sends a welcome (defaults filled in) and starts acking every heartbeat (unless `ack: false`). */
  welcome(fields: Partial<Welcome> & { nodeId: string }, { ack = true } = {}): Welcome {
    const welcome: Welcome = {
      type: 'welcome',
      joinToken: 'K10fakecafebabe0123456789::server:supersecretjointokenvalue',
      serverUrl: 'https://127.0.0.1:6443',
      heartbeatIntervalMs: 10_000,
      offlineAfterMs: 40_000,
      labels: { 'k8s-daas.io/owner': '0xabc' },
      ...fields,
    };
    this.autoAck = ack;
    this.send(welcome);
    return welcome;
  }

  send(msg: object): void {
    this.sendRaw(JSON.stringify(msg));
  }

  sendRaw(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  /** Waits until `n` heartbeats have arrived on this connection. */
  async waitForHeartbeats(n: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.heartbeats.length < n) {
      if (Date.now() > deadline) throw new Error(`fake master: ${this.heartbeats.length}/${n} heartbeats in time`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
