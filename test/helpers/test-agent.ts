/**
 * A scripted agent for master tests: a real WebSocket client that speaks protocol v1 (or breaks it
 * on purpose) and records what the master sends and how it closes.
 */
import WebSocket from 'ws';
import type { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { signAuth } from '../../shared/chain/seal-key.ts';
import type { MasterMessage } from '../../shared/protocol/messages.ts';

export class TestAgent {
  readonly ws: WebSocket;
  readonly received: MasterMessage[] = [];
  closed: { code: number; reason: string } | null = null;
  #opened: Promise<void>;
  #waiters: Array<() => void> = [];

  constructor(masterUrl: string) {
    this.ws = new WebSocket(`${masterUrl.replace(/^http/, 'ws')}/v1/agent`);
    this.#opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as MasterMessage);
      this.#wake();
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.#wake();
    });
    this.ws.on('error', () => undefined);
  }

  opened(): Promise<void> {
    return this.#opened;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits for the first message of `type` (from the start of the connection). */
  async next<T extends MasterMessage['type']>(type: T, timeoutMs = 10_000): Promise<Extract<MasterMessage, { type: T }>> {
    const msg = await this.until(() => this.received.find((m) => m.type === type), `a ${type} message`, timeoutMs);
    return msg as Extract<MasterMessage, { type: T }>;
  }

  /** Waits for the socket to close; returns the close code and reason. */
  async closedWith(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed, 'the socket to close', timeoutMs);
  }

  /** Answers the challenge with a signature by `sealKey`; returns the auth frame sent. */
  async authenticate(nodeId: string, sealKey: Ed25519Keypair, extra: { registrationDigest?: string } = {}): Promise<Record<string, unknown>> {
    const challenge = await this.next('challenge');
    const signature = await signAuth(sealKey, challenge.masterId, nodeId, challenge.nonce);
    const auth = { type: 'auth', nodeId, signature, agentVersion: 'test/0', ...extra };
    this.send(auth);
    return auth;
  }

  heartbeat(seq: number): void {
    this.send({ type: 'heartbeat', seq, sentAt: Date.now(), metrics: { cpu: { cores: 2, model: 'test', loadPercent: 12.5 }, memory: { totalBytes: 8e9, usedBytes: 2e9 } }, k3s: { state: 'running', pid: 42, restarts: 0, lastError: null } });
  }

  close(): void {
    this.ws.close(1000);
  }

  async until<T>(check: () => T | null | undefined, what: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.received.map((m) => m.type))}, closed ${JSON.stringify(this.closed)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
