/**
 * Test fixtures for the status page: a real HTTP server with the page's routes over a seeded pool
 * (`alpha` active with a heartbeat, `bravo` and `charlie` pending), and a small event-stream
 * client that records every event and comment. Imported by tests only.
 */
import { request, type IncomingMessage } from 'node:http';
import type { Server } from 'node:http';
import pino from 'pino';
import { createHttpHandler } from '../http/api.ts';
import { MasterMetrics } from '../http/metrics.ts';
import { baseUrl, closeServer, createMasterServer, listen } from '../http/server.ts';
import { PoolFeed } from '../live/feed.ts';
import { openPoolDb } from '../pool/db.ts';
import { PoolStore } from '../pool/store.ts';
import { K3S_RUNNING, manualClock, registration, type ManualClock } from '../pool/testing.ts';
import { statusPageRoutes, type StatusPageOptions, type StatusPageRoutes } from './routes.ts';

export const T0 = 1_700_000_000_000;

export interface PageServer {
  url: string;
  server: Server;
  store: PoolStore;
  feed: PoolFeed;
  clock: ManualClock;
  connected: Set<string>;
  routes: StatusPageRoutes;
  close(): Promise<void>;
}

/** Serves the status page's routes (and the built-in API) on 127.0.0.1:0 over a seeded pool. */
export async function startPageServer(options: Partial<StatusPageOptions> = {}): Promise<PageServer> {
  const clock = manualClock(T0 - 60_000);
  const feed = new PoolFeed();
  const store = new PoolStore({ db: openPoolDb(':memory:'), clock, onTransition: (t) => feed.emit('transition', t) });
  store.applyChainEvents(
    'worker_registry',
    [
      ...registration('alpha', { tx: 'tx-a', stake: 1_500_000_000n, key: 1 }),
      ...registration('bravo', { tx: 'tx-b', stake: 2_000_000_000n, key: 2 }),
      ...registration('charlie', { tx: 'tx-c', stake: 2_500_000_000n, key: 3 }),
    ],
    'cursor-1',
  );
  clock.set(T0);
  store.setStatus('alpha', 'active', 'authenticated');
  store.recordHeartbeats([{ nodeId: 'alpha', at: T0, metrics: { cpu: { loadPercent: 20 } }, k3s: K3S_RUNNING }]);
  const connected = new Set(['alpha']);
  const isConnected = (id: string) => connected.has(id);
  const routes = statusPageRoutes({ store, feed, isConnected, clock, ...options });
  const metrics = new MasterMetrics({ store, connections: () => connected.size, lastChainSuccessAt: () => clock.now() });
  const handler = createHttpHandler({
    store,
    metrics,
    clock,
    isConnected,
    lastChainSuccessAt: () => clock.now(),
    readyWithinMs: 10_000,
    logger: pino({ level: 'silent' }),
    extraRoutes: routes,
  });
  const server = createMasterServer({ handler });
  const url = baseUrl(await listen(server, '127.0.0.1', 0), false);
  return {
    url,
    server,
    store,
    feed,
    clock,
    connected,
    routes,
    async close() {
      routes.close();
      await closeServer(server);
      store.close();
    },
  };
}

/** One event as the browser's EventSource would dispatch it. */
export interface StreamEvent {
  event: string;
  data: unknown;
}

/** A recording event-stream client (a parser of the SSE wire format, enough for these tests). */
export class StreamClient {
  readonly events: StreamEvent[] = [];
  readonly comments: string[] = [];
  status = 0;
  headers: IncomingMessage['headers'] = {};
  body = '';
  ended = false;
  readonly #req: ReturnType<typeof request>;
  readonly #ready: Promise<void>;
  #buffer = '';

  constructor(url: string) {
    this.#req = request(url, { headers: { accept: 'text/event-stream' } });
    this.#ready = new Promise((resolve, reject) => {
      this.#req.once('error', reject);
      this.#req.once('response', (res) => {
        this.status = res.statusCode ?? 0;
        this.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.#feed(chunk));
        res.on('close', () => (this.ended = true));
        res.on('error', () => undefined);
        resolve();
      });
    });
    this.#req.on('error', () => undefined);
    this.#req.end();
  }

  /** Resolves once the status line and headers arrived. */
  opened(): Promise<void> {
    return this.#ready;
  }

  /** Waits until `count` events named `event` arrived; returns them. */
  async waitFor(event: string, count = 1, timeoutMs = 3_000): Promise<StreamEvent[]> {
    await until(() => this.named(event).length >= count, `${count} ${event} event(s)`, timeoutMs);
    return this.named(event);
  }

  named(event: string): StreamEvent[] {
    return this.events.filter((e) => e.event === event);
  }

  close(): void {
    this.#req.destroy();
  }

  #feed(chunk: string): void {
    this.body += chunk;
    this.#buffer += chunk;
    let end: number;
    while ((end = this.#buffer.indexOf('\n\n')) !== -1) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) this.events.push({ event, data: JSON.parse(data.join('\n')) });
    }
  }
}

/** Polls `check` every 10 ms until it is true. */
export async function until(check: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
