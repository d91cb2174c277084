/**
 * The status page's event stream (`GET /api/v1/events`): one hub for every open page. A stream
 * opens with a `snapshot`, then carries `transition` events as they happen, `heartbeat` events
 * coalesced to at most one per worker per `minUpdateIntervalMs`, `stats` at most as often, and a
 * `: ping` comment every `pingIntervalMs`. The hub listens to the feed only while a page is open,
 * and never lets a listener throw into the feed (the feed is called on the pool's write path).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { sendError } from '../http/respond.ts';
import type { PoolFeed } from '../live/feed.ts';
import type { Transition } from '../pool/states.ts';
import type { HeartbeatRecord } from '../pool/tables.ts';
import { SSE_HEADERS, SSE_PING, sseEvent, sseRetry } from './sse.ts';
import { heartbeatView, transitionEvent, type PageStats, type PageWorker, type SnapshotEvent } from './views.ts';

export interface LiveStreamOptions {
  feed: PoolFeed;
  /** The opening event of every stream. */
  snapshot(): SnapshotEvent;
  /** One worker's row now; null when it is not in the pool. */
  worker(nodeId: string): PageWorker | null;
  stats(): PageStats;
  logger?: Logger;
  /** Open streams at most (default 100); one more is answered 503. */
  maxStreams?: number;
  /** Default 15 s: below the idle timeouts of common proxies. */
  pingIntervalMs?: number;
  /** Per worker heartbeats, and stats, are sent at most this often (default 1000 ms). */
  minUpdateIntervalMs?: number;
  /** The reconnect delay EventSource is told (default 2000 ms). */
  retryMs?: number;
  /** A page that reads slower than this backlog (default 1 MiB) is dropped; it reconnects for a fresh snapshot. */
  maxBufferedBytes?: number;
}

interface Client {
  res: ServerResponse;
  /** The server that accepted the socket: once it stops listening the master is closing. */
  server: { listening: boolean } | undefined;
  /** The last heartbeat its snapshot already holds: a coalesced one held back from before is not sent again. */
  since: number;
}

interface Slot {
  timer: NodeJS.Timeout;
  pending: { record: HeartbeatRecord; seq: number } | null;
}

// A burst of transitions (one chain page) settles before the stats are read once.
const STATS_SETTLE_MS = 25;
const SHUTDOWN_CHECK_MS = 500;

export class LiveStream {
  readonly #o: Required<Omit<LiveStreamOptions, 'logger'>> & { logger?: Logger };
  readonly #clients = new Set<Client>();
  readonly #heartbeats = new Map<string, Slot>();
  #statsTimer: NodeJS.Timeout | null = null;
  #statsDirty = false;
  #timers: NodeJS.Timeout[] = [];
  #heartbeatSeq = 0;

  constructor(options: LiveStreamOptions) {
    this.#o = {
      ...options,
      maxStreams: options.maxStreams ?? 100,
      pingIntervalMs: options.pingIntervalMs ?? 15_000,
      minUpdateIntervalMs: options.minUpdateIntervalMs ?? 1_000,
      retryMs: options.retryMs ?? 2_000,
      maxBufferedBytes: options.maxBufferedBytes ?? 1 << 20,
    };
  }

  /** Streams open now. */
  get streams(): number {
    return this.#clients.size;
  }

  /** Serves one page's stream until it disconnects; 503 with `retry-after` when `maxStreams` are open. */
  open(req: IncomingMessage, res: ServerResponse): void {
    if (this.#clients.size >= this.#o.maxStreams) {
      return sendError(res, 503, `too many status streams open (${this.#o.maxStreams}); retry later`, { 'retry-after': '10' });
    }
    // `connection: close`: a stream's socket is never reused, so an ended stream frees it at once
    // instead of idling in keep-alive while the server waits to close.
    const headers = { ...SSE_HEADERS, connection: 'close' };
    if (req.method === 'HEAD') return void res.writeHead(200, headers).end();
    const first = sseEvent('snapshot', this.#o.snapshot()); // may throw: nothing is sent yet
    res.writeHead(200, headers);
    const client: Client = { res, server: (req.socket as { server?: { listening: boolean } }).server, since: this.#heartbeatSeq };
    this.#clients.add(client);
    if (this.#clients.size === 1) this.#attach();
    res.on('close', () => this.#drop(client));
    res.write(sseRetry(this.#o.retryMs) + first);
  }

  /** Ends every open stream (pages reconnect by themselves); the feed listeners go with the last one. */
  close(): void {
    for (const c of [...this.#clients]) c.res.end();
  }

  #drop(client: Client): void {
    if (!this.#clients.delete(client)) return;
    if (this.#clients.size === 0) this.#detach();
  }

  #attach(): void {
    this.#o.feed.on('transition', this.#onTransition);
    this.#o.feed.on('heartbeat', this.#onHeartbeat);
    this.#timers = [
      setInterval(() => this.#write(SSE_PING), this.#o.pingIntervalMs),
      // `server.close()` waits for open responses and tells no one; without this check an open
      // page would hold the master's shutdown forever.
      setInterval(() => this.#endIfServerClosed(), SHUTDOWN_CHECK_MS),
    ];
    for (const t of this.#timers) t.unref();
  }

  #detach(): void {
    this.#o.feed.off('transition', this.#onTransition);
    this.#o.feed.off('heartbeat', this.#onHeartbeat);
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    for (const slot of this.#heartbeats.values()) clearTimeout(slot.timer);
    this.#heartbeats.clear();
    if (this.#statsTimer) clearTimeout(this.#statsTimer);
    this.#statsTimer = null;
    this.#statsDirty = false;
  }

  #endIfServerClosed(): void {
    for (const c of [...this.#clients]) if (c.server && !c.server.listening) c.res.end();
  }

  /** Writes to every stream, or only to those opened before heartbeat `seq` when it is given. */
  #write(frame: string, seq?: number): void {
    for (const c of [...this.#clients]) {
      if (seq !== undefined && c.since >= seq) continue;
      if (c.res.writableLength > this.#o.maxBufferedBytes) {
        this.#o.logger?.warn({ buffered: c.res.writableLength }, 'status page stream too slow; dropped');
        c.res.destroy();
        continue;
      }
      c.res.write(frame);
    }
  }

  /** Runs `fn` without letting it throw into the feed's emitter. */
  #guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#o.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, `status page ${what} not sent`);
    }
  }

  readonly #onTransition = (t: Transition): void => {
    this.#guard('transition', () => {
      const worker = t.to === null ? null : this.#o.worker(t.nodeId);
      this.#write(sseEvent('transition', transitionEvent(t, worker)));
    });
    this.#statsSoon();
  };

  readonly #onHeartbeat = (h: HeartbeatRecord): void => {
    const seq = ++this.#heartbeatSeq;
    const slot = this.#heartbeats.get(h.nodeId);
    if (slot) {
      slot.pending = { record: h, seq }; // sent when the worker's window ends; older ones in between are dropped
      return;
    }
    this.#sendHeartbeat(h, seq);
    this.#statsSoon();
  };

  #sendHeartbeat(h: HeartbeatRecord, seq: number): void {
    // A page whose snapshot was taken after this heartbeat already draws it.
    this.#guard('heartbeat', () => this.#write(sseEvent('heartbeat', heartbeatView(h)), seq));
    const timer = setTimeout(() => {
      const pending = this.#heartbeats.get(h.nodeId)?.pending;
      this.#heartbeats.delete(h.nodeId);
      if (pending) {
        this.#sendHeartbeat(pending.record, pending.seq);
        this.#statsSoon();
      }
    }, this.#o.minUpdateIntervalMs);
    timer.unref();
    this.#heartbeats.set(h.nodeId, { timer, pending: null });
  }

  #statsSoon(): void {
    if (this.#statsTimer) {
      this.#statsDirty = true;
      return;
    }
    this.#statsTimer = setTimeout(() => {
      this.#guard('stats', () => this.#write(sseEvent('stats', this.#o.stats())));
      // Hold the window closed for the rest of the interval; what changed meanwhile goes after it.
      this.#statsTimer = setTimeout(() => {
        this.#statsTimer = null;
        if (this.#statsDirty) {
          this.#statsDirty = false;
          this.#statsSoon();
        }
      }, Math.max(0, this.#o.minUpdateIntervalMs - STATS_SETTLE_MS));
      this.#statsTimer.unref();
    }, STATS_SETTLE_MS);
    this.#statsTimer.unref();
  }
}
