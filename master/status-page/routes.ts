/**
 * The live status page: `GET /` (the page and its two files) and `GET /api/v1/events` (its event
 * stream). The master mounts these through `extraRoutes`; everything they read comes in through
 * the options, so tests mount them on any server.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.ts';
import type { HttpRoute } from '../http/api.ts';
import type { MasterMetrics } from '../http/metrics.ts';
import { send } from '../http/respond.ts';
import type { PoolFeed } from '../live/feed.ts';
import type { PoolStore } from '../pool/store.ts';
import { ASSET_HEADERS, ASSET_PATHS, loadAssets } from './assets.ts';
import { LiveStream } from './live-stream.ts';
import { HeartbeatHistory } from './recent-heartbeats.ts';
import { pageStats, pageWorker, type PageStats, type PageWorker } from './views.ts';

/** The path of the event stream. */
export const EVENTS_PATH = '/api/v1/events';

export interface StatusPageOptions {
  store: Pick<PoolStore, 'listWorkers' | 'getWorker' | 'stats'>;
  feed: PoolFeed;
  /** True while the worker has an authenticated agent socket. */
  isConnected: (nodeId: string) => boolean;
  clock: Clock;
  /** The master's counters; without them the page counts the heartbeats it saw since it was built. */
  metrics?: Pick<MasterMetrics, 'snapshot'>;
  logger?: Logger;
  /** Open event streams at most (default 100); beyond, 503. */
  maxStreams?: number;
  /** Default 15 s. */
  pingIntervalMs?: number;
}

/** The routes, plus `close()`: ends every open stream (call it before closing the HTTP server). */
export type StatusPageRoutes = HttpRoute[] & { close(): void; readonly streams: LiveStream };

/**
 * Builds the page's routes and starts keeping recent heartbeats from `feed`.
 * @throws when a file under `assets/` cannot be read.
 */
export function statusPageRoutes(o: StatusPageOptions): StatusPageRoutes {
  const assets = loadAssets();
  const history = new HeartbeatHistory(o.feed);
  const row = (nodeId: string): PageWorker | null => {
    const w = o.store.getWorker(nodeId);
    return w ? pageWorker(w, o.clock.now(), o.isConnected(nodeId), history) : null;
  };
  const stats = (): PageStats =>
    pageStats(o.store.stats(), o.metrics?.snapshot().heartbeatsReceived ?? history.heartbeatsReceived);
  const streams = new LiveStream({
    feed: o.feed,
    logger: o.logger?.child({ component: 'status-page' }),
    maxStreams: o.maxStreams,
    pingIntervalMs: o.pingIntervalMs,
    worker: row,
    stats,
    snapshot: () => {
      const now = o.clock.now();
      const workers = o.store.listWorkers().map((w) => pageWorker(w, now, o.isConnected(w.nodeId), history));
      return { serverNow: now, workers, stats: stats() };
    },
  });

  const routes: HttpRoute[] = (Object.keys(ASSET_PATHS) as Array<keyof typeof ASSET_PATHS>).map((name) => ({
    method: 'GET',
    path: ASSET_PATHS[name],
    handle: (_req, res) => send(res, 200, assets[name].contentType, assets[name].body, ASSET_HEADERS),
  }));
  routes.push({ method: 'GET', path: EVENTS_PATH, handle: (req, res) => streams.open(req, res) });
  return Object.assign(routes, {
    streams,
    close: () => {
      streams.close();
      history.close();
    },
  });
}
