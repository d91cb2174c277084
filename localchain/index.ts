/**
 * k8s-daas-localchain as a library: `startLocalChain` opens (or creates) a chain and serves it
 * over HTTP — the sui.rpc.v2 gRPC-web services an unmodified SuiGrpcClient talks to, and the
 * faucet's `/v2/gas` — until `close()`.
 */
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { systemClock, type Clock } from '../shared/clock.ts';
import { createGenesis } from './chain/genesis.ts';
import { Ledger } from './chain/ledger.ts';
import { loadLedger } from './chain/persistence.ts';
import { createFaucet } from './faucet.ts';
import { LocalNode } from './node.ts';
import { buildRouter } from './services/index.ts';
import { createHttpServer } from './transport/http-server.ts';

export const DEFAULT_FAUCET_AMOUNT = 100_000_000_000n;
/** Largest request body (grpc-web-text is base64, so about 6 MiB of protobuf). */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface LocalChainOptions {
  /** 0 or absent: any free port. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Persist the chain here (created when missing); absent: memory only. */
  stateFile?: string;
  /** MIST per faucet grant; default 100 SUI. */
  faucetAmountMist?: bigint;
  /** Default: silent. */
  logger?: Logger;
  /** Checkpoint timestamps; default the system clock. */
  clock?: Clock;
  maxBodyBytes?: number;
}

/** What clients need: printed by the CLI as one JSON line. */
export interface LocalChainInfo {
  rpcUrl: string;
  faucetUrl: string;
  packageId: string;
  registryId: string;
  schedulerId: string;
  masterCapId: string;
  /** `suiprivkey1…` of the publisher, who holds the MasterCap. */
  masterPrivateKey: string;
}

export interface LocalChain {
  info: LocalChainInfo;
  node: LocalNode;
  /** Stops serving, saves the state. Idempotent. */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Opens the chain and listens; rejects when the state file is unreadable or the port is taken. */
export async function startLocalChain(opts: LocalChainOptions = {}): Promise<LocalChain> {
  const logger = opts.logger ?? pino({ level: 'silent' });
  const clock = opts.clock ?? systemClock;
  const saved = opts.stateFile ? loadLedger(opts.stateFile) : null;
  const ledger = new Ledger(saved ?? createGenesis({ timestampMs: BigInt(Math.floor(clock.now())) }), clock);
  const node = new LocalNode({ ledger, logger: logger.child({ component: 'node' }), stateFile: opts.stateFile });
  // Written at once: a new chain exists on disk from the start, an old file gets mode 0600.
  node.persist();

  const server = createHttpServer({
    router: buildRouter(node),
    faucet: createFaucet({ node, amountMist: opts.faucetAmountMist ?? DEFAULT_FAUCET_AMOUNT, logger: logger.child({ component: 'faucet' }) }),
    logger: logger.child({ component: 'http' }),
    maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${urlHost(host)}:${port}`;
  const d = ledger.data;
  const info: LocalChainInfo = {
    rpcUrl: url,
    faucetUrl: url,
    packageId: d.packageId,
    registryId: d.registryId,
    schedulerId: d.schedulerId,
    masterCapId: d.masterCapId,
    masterPrivateKey: d.masterPrivateKey,
  };
  logger.info({ rpcUrl: url, packageId: d.packageId, resumed: saved !== null, checkpoint: Number(ledger.latestCheckpoint.sequenceNumber) }, 'local chain listening');

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }).then(() => node.persist()));
  return { info, node, close };
}

export type { LocalNode };
