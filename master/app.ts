/**
 * Wires the master's parts into one running service. main.ts builds the real adapters (chain
 * client, clock, logger, token provider, signer) and hands them in; tests start it the same way
 * with the local chain and a fake k3s.
 */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Signer } from '@mysten/sui/cryptography';
import type { Clock } from '../shared/clock.ts';
import type { ChainEvent } from './pool/chain-events.ts';
import type { WorkerChain } from '../shared/chain/worker-chain.ts';
import type { EventsClient } from '../shared/chain/event-reader.ts';
import { AgentPool } from './agents/agent-pool.ts';
import { AgentServer, AGENT_PATH } from './agents/agent-server.ts';
import { AuthFailureLimiter } from './agents/auth-limiter.ts';
import { RegistrationWaiter } from './agents/registration-waiter.ts';
import { ChainWatcher, moduleOf } from './chain/watcher.ts';
import { StatusMirror } from './chain/status-mirror.ts';
import { createHttpHandler, type HttpRoute } from './http/api.ts';
import { MasterMetrics } from './http/metrics.ts';
import { baseUrl, closeServer, createMasterServer, listen } from './http/server.ts';
import { WalCheckpointer } from './pool/checkpointer.ts';
import { openPoolDb } from './pool/db.ts';
import { formatTransition } from './pool/format.ts';
import { HeartbeatBuffer, persistEveryFor, WRITE_TICK_MS } from './pool/heartbeat-buffer.ts';
import type { Transition } from './pool/states.ts';
import { LivePoolReader } from './pool/live-reader.ts';
import { PoolStore } from './pool/store.ts';
import { OfflineSweeper } from './sweeper/offline-sweeper.ts';
import type { JoinTokenProvider } from './tokens/join-tokens.ts';
import { PoolFeed } from './live/feed.ts';
import { statusPageRoutes } from './status-page/routes.ts';
import { createRequestExecutor, DEFAULT_KUBECONFIG, kubeClientFromKubeconfig, type RequestExecutor } from './requests/index.ts';

export interface MasterOptions {
  masterId: string;
  chain: WorkerChain;
  /** Where the watcher lists events: an EventsThread in the service, keeping that work off the event loop; default `chain.client`. */
  chainEvents?: EventsClient;
  tokens: JoinTokenProvider;
  clock: Clock;
  logger: Logger;
  dbPath: string;
  listen: { host: string; port: number };
  tls?: { cert: string | Buffer; key: string | Buffer };
  serverUrl: string;
  pollIntervalMs: number;
  heartbeatIntervalMs: number;
  offlineAfterMs: number;
  authTimeoutMs: number;
  pendingTimeoutMs: number;
  sweepSchedule: string;
  /** The MasterCap owner's key: enables the on-chain status mirror. */
  signer?: Signer;
  /** Routes of later parts (status page, downloads), built with the running pieces. */
  /** Kubeconfig for executing owners' Kubernetes API requests (K3S_KUBECONFIG). */
  kubeconfigPath?: string;
  /** Retry pacing of `record_api_result` (tests shorten it). */
  requestReportBackoff?: { baseMs: number; capMs: number };
  /** How long shutdown waits for a Kubernetes request in flight (default 10 s); one still running is reported failed on the next start. */
  requestStopGraceMs?: number;
  extraRoutes?: (parts: { store: PoolStore; feed: PoolFeed; isConnected: (nodeId: string) => boolean }) => readonly HttpRoute[];
}

export interface RunningMaster {
  url: string;
  store: PoolStore;
  agents: AgentServer;
  watcher: ChainWatcher;
  feed: PoolFeed;
  statusPage: ReturnType<typeof statusPageRoutes>;
  /** Null without the MasterCap owner's key. */
  requests: RequestExecutor | null;
  close(): Promise<void>;
}

/** Opens the pool, starts every loop and the listener; resolves when serving. Throws DaasError on a bad database or address. */
export async function startMaster(o: MasterOptions): Promise<RunningMaster> {
  const log = o.logger;
  let mirror: StatusMirror | null = null;
  let requests: RequestExecutor | null = null;
  let metrics: MasterMetrics | null = null;
  const feed = new PoolFeed();
  const onTransition = (t: Transition) => {
    if (t.to === null) heartbeats.forget(t.nodeId);
    feed.emit('transition', t);
    log.info({ nodeId: t.nodeId, from: t.from, to: t.to, reason: t.reason, source: t.source }, formatTransition(t));
    metrics?.transition(t.to);
    // busy → active only ends a request: the chain already holds `active`, so nothing to mirror.
    if (mirror && t.source === 'master' && (t.to === 'active' || t.to === 'offline') && t.from !== 'busy') mirror.enqueue(t.nodeId, t.to);
  };
  const db = openPoolDb(o.dbPath);
  const store = new PoolStore({ db, clock: o.clock, onTransition });
  const checkpointer = o.dbPath === ':memory:' ? null : new WalCheckpointer({ db, path: o.dbPath, logger: log });
  const heartbeats = new HeartbeatBuffer(store, { persistEveryMs: persistEveryFor(o.offlineAfterMs, o.heartbeatIntervalMs) });
  // What the API and the status page read: the pool with the buffered heartbeats on top.
  const live = new LivePoolReader(store, heartbeats);
  // For the sweeper: a sign of life the store does not hold yet (a buffered beat, the open session's admission).
  const lastSeen = (nodeId: string): number | null => {
    const seen = [heartbeats.latestAt(nodeId), agents.admittedAt(nodeId)].filter((at): at is number => at != null);
    return seen.length > 0 ? Math.max(...seen) : null;
  };

  let agents!: AgentServer;
  const pool = new AgentPool({ store, heartbeats, feed, clock: o.clock, logger: log, onHeartbeat: () => metrics?.heartbeat() });
  const waiter = new RegistrationWaiter((nodeId) => pool.worker(nodeId), o.pendingTimeoutMs);
  const watcher = new ChainWatcher({
    chain: o.chain,
    events: o.chainEvents,
    store,
    clock: o.clock,
    logger: log,
    pollIntervalMs: o.pollIntervalMs,
    onApplied: (events) => {
      onChainEvents(events);
      requests?.onEvents(events);
    },
    onPollError: () => metrics?.pollError(),
  });
  metrics = new MasterMetrics({ store, connections: () => agents.connections, lastChainSuccessAt: () => watcher.lastSuccessAt });
  const m = metrics;

  agents = new AgentServer({
    masterId: o.masterId,
    logger: log,
    clock: o.clock,
    limiter: new AuthFailureLimiter({ clock: o.clock }),
    tokens: o.tokens,
    serverUrl: o.serverUrl,
    heartbeatIntervalMs: o.heartbeatIntervalMs,
    offlineAfterMs: o.offlineAfterMs,
    authTimeoutMs: o.authTimeoutMs,
    onAuthFailure: (reason) => m.authFailure(reason),
    registrations: {
      fastPath: async (digest) => void (await watcher.applyTransaction(digest)),
      waitFor: (nodeId, signal) => waiter.waitFor(nodeId, signal),
    },
    pool,
  });

  function onChainEvents(events: readonly ChainEvent[]): void {
    for (const e of events) {
      m.eventsApplied(moduleOf(e), 1);
      if (e.kind === 'WorkerRegistered') waiter.registered(e.nodeId);
      else if (e.kind === 'SealKeyRotated') agents.reauthenticate(e.nodeId);
      else if (e.kind === 'WorkerSlashed' || e.kind === 'WorkerDeregistered') {
        agents.revoke(e.nodeId, e.kind === 'WorkerSlashed' ? 'slashed' : 'deregistered');
        o.tokens.revoke(e.nodeId).catch((err: Error) => log.warn({ nodeId: e.nodeId, err: err.message }, 'could not revoke the join token'));
      }
    }
  }

  if (o.signer) {
    const capId = await o.chain.findMasterCap(o.signer.toSuiAddress()).catch(() => null);
    if (capId) {
      mirror = new StatusMirror({ chain: o.chain, signer: o.signer, masterCapId: capId, clock: o.clock, logger: log });
      log.info({ masterCapId: capId }, 'on-chain status mirror enabled');
      requests = createRequestExecutor({
        store,
        chain: o.chain,
        signer: o.signer,
        masterCapId: capId,
        kube: kubeClientFromKubeconfig({ kubeconfigPath: o.kubeconfigPath ?? DEFAULT_KUBECONFIG }),
        clock: o.clock,
        logger: log,
        reportBackoff: o.requestReportBackoff,
      });
    } else {
      log.warn({ address: o.signer.toSuiAddress() }, 'the configured key does not hold the MasterCap: worker status is not mirrored on chain');
    }
  }

  const sweeper = new OfflineSweeper({ store, clock: o.clock, logger: log, offlineAfterMs: o.offlineAfterMs, lastSeen, schedule: o.sweepSchedule });
  const flushTimer = setInterval(() => {
    heartbeats.writeDue().catch((err: Error) => log.error({ err: err.message }, 'heartbeat write failed'));
  }, WRITE_TICK_MS);

  const isConnected = (nodeId: string) => agents.isConnected(nodeId);
  const statusPage = statusPageRoutes({ store: live, feed, isConnected, clock: o.clock, metrics: m, logger: log });
  const handler = createHttpHandler({
    store: live,
    metrics: m,
    clock: o.clock,
    logger: log,
    isConnected,
    lastChainSuccessAt: () => watcher.lastSuccessAt,
    readyWithinMs: 3 * o.pollIntervalMs + 5_000,
    extraRoutes: [...statusPage, ...(requests?.routes() ?? []), ...(o.extraRoutes?.({ store, feed, isConnected }) ?? [])],
  });
  const server: Server = createMasterServer({ handler, tls: o.tls });
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://x').pathname === AGENT_PATH) agents.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  const address = await listen(server, o.listen.host, o.listen.port);
  const url = baseUrl(address, Boolean(o.tls));

  await requests?.recover();
  // Catch up with the chain before serving agents' auth: a restart sees its pool complete.
  await watcher.pollOnce().catch((err: Error) => log.warn({ err: err.message }, 'first chain poll failed; retrying in the background'));
  watcher.start();
  sweeper.start();
  mirror?.start();
  log.info({ url, masterId: o.masterId, agentPath: AGENT_PATH }, `🚀 K8s-DaaS master serving on ${url}`);

  let closing: Promise<void> | null = null;
  return {
    url,
    store,
    agents,
    watcher,
    feed,
    statusPage,
    requests,
    close: () =>
      (closing ??= (async () => {
        agents.close();
        pool.close();
        statusPage.close();
        sweeper.stop();
        clearInterval(flushTimer);
        await watcher.stop();
        if (requests) {
          const grace = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), o.requestStopGraceMs ?? 10_000).unref());
          if ((await Promise.race([requests.stop(), grace])) === 'timeout') {
            log.warn('a Kubernetes API request is still in flight at shutdown; the next start reports it as failed');
          }
        }
        await mirror?.stop();
        await closeServer(server).catch(() => undefined);
        heartbeats.flush();
        await checkpointer?.stop();
        store.close();
        log.info('master stopped');
      })()),
  };
}
