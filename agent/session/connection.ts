/**
 * One WebSocket connection to the master, and nothing else: open, parse every frame with the
 * protocol schemas, send, watch for silence, close, and say why it ended. It never reconnects and
 * knows no protocol states; session.ts drives it (Tailscale's split of single calls vs. loops).
 *
 * Why it ended is decided here, where the evidence is (errors.ts): the first end decided wins, so
 * "we closed with 4400 because the frame was malformed" is not later mistaken for "the master said
 * 4400" when the master echoes the close code.
 */
import type { Logger } from 'pino';
import WebSocket, { type ClientOptions } from 'ws';
import type { Clock } from '../../shared/clock.ts';
import { DaasError } from '../../shared/errors.ts';
import { CLOSE_CODES, MAX_FRAME_BYTES, parseMasterFrame, type MasterMessage } from '../../shared/protocol/messages.ts';
import { classifyClose, classifyConnectError, classifyHttpStatus, SESSION_ERRORS } from './errors.ts';
import { pinnedTlsOptions, type Sha256Pin } from './pinning.ts';

/** Builds the client socket; tests may wrap it, main.ts never passes one. */
export type WsFactory = (url: string, options: ClientOptions) => WebSocket;

export const defaultWsFactory: WsFactory = (url, options) => new WebSocket(url, options);

/**
 * `<base>/v1/agent` for a base URL `wss://host:port` (a path prefix is kept; a base already ending
 * in /v1/agent is taken as is). Throws DaasError `SESSION_CONFIG` for a non-ws(s) URL, or a pin on ws://.
 */
export function agentEndpoint(base: string, pin?: Sha256Pin): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new DaasError('SESSION_CONFIG', `K8S_DAAS_MASTER_URL is not a URL: ${base}`);
  }
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') {
    throw new DaasError('SESSION_CONFIG', `K8S_DAAS_MASTER_URL must start with wss:// (got ${url.protocol}//)`);
  }
  if (pin && url.protocol === 'ws:') {
    throw new DaasError('SESSION_CONFIG', 'K8S_DAAS_MASTER_CA_SHA256 is set but K8S_DAAS_MASTER_URL is plain ws://: a pin needs wss://');
  }
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/v1/agent') ? path : `${path}/v1/agent`;
  return url.toString();
}

/** The ws client options: 64 KiB frames, no compression, no redirects, the pin when set. */
export function socketOptions(options: { agentVersion: string; pin?: Sha256Pin; handshakeTimeoutMs: number }): ClientOptions {
  const tls = pinnedTlsOptions(options.pin);
  return {
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    followRedirects: false,
    handshakeTimeout: options.handshakeTimeoutMs,
    headers: { 'User-Agent': `k8s-daas-agent/${options.agentVersion}` },
    // @types/ws types checkServerIdentity and createConnection more narrowly than Node accepts them.
    ...(tls as unknown as Pick<ClientOptions, 'checkServerIdentity' | 'createConnection'>),
  };
}

export interface MasterConnectionOptions {
  url: string;
  wsOptions: ClientOptions;
  factory: WsFactory;
  clock: Clock;
  logger: Logger;
  /** After a close frame, how long the master gets to answer before the socket is destroyed. */
  closeTimeoutMs: number;
  /** After a silence, how long a ping gets for its pong. */
  probeTimeoutMs: number;
}

export interface ConnectionHandlers {
  onOpen(): void;
  /** A frame that passed parseMasterFrame. */
  onMessage(msg: MasterMessage): void;
}

type Watch = { kind: 'deadline' | 'silence'; ms: number; what: string };

export class MasterConnection {
  /** Resolves once, when the socket is closed, with why. Never rejects. */
  readonly ended: Promise<DaasError>;
  private readonly life = new AbortController();
  private readonly ws: WebSocket | null;
  private end: DaasError | null = null;
  private watch: Watch | null = null;
  private watchTimer: AbortController | null = null;
  private opened = false;

  constructor(
    private readonly options: MasterConnectionOptions,
    private readonly handlers: ConnectionHandlers,
  ) {
    let resolve!: (end: DaasError) => void;
    this.ended = new Promise((r) => (resolve = r));
    let ws: WebSocket;
    try {
      ws = options.factory(options.url, options.wsOptions);
    } catch (err) {
      this.ws = null;
      this.life.abort();
      resolve(classifyConnectError(err));
      return;
    }
    this.ws = ws;
    ws.on('open', () => {
      this.opened = true;
      handlers.onOpen();
    });
    ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    ws.on('pong', () => this.heard());
    ws.on('unexpected-response', (_req, res) => {
      this.decide(classifyHttpStatus(res.statusCode ?? 0));
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err) => {
      this.decide(
        this.opened
          ? new DaasError(SESSION_ERRORS.protocol, `WebSocket error: ${err.message}`, { retryable: true, cause: err })
          : classifyConnectError(err),
      );
    });
    ws.on('close', (code, reason) => {
      this.life.abort();
      resolve(this.end ?? classifyClose(code, reason.toString('utf8')));
    });
  }

  /** Aborted once the socket is closed: heartbeats and timers of this connection tie to it. */
  get signal(): AbortSignal {
    return this.life.signal;
  }

  /** True while frames may still be sent and handled (open, and no end decided yet). */
  get usable(): boolean {
    return this.end === null && this.ws?.readyState === WebSocket.OPEN;
  }

  /** Sends one text frame; false when the connection is no longer usable. */
  send(frame: string): boolean {
    if (!this.usable) return false;
    this.ws!.send(frame);
    return true;
  }

  /** Closes with `code` (open) or aborts the handshake (connecting); `end` is the recorded cause. */
  close(code: number, reason: string, end: DaasError): void {
    this.decide(end);
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    if (ws.readyState !== WebSocket.OPEN) return ws.terminate();
    ws.close(code, Buffer.from(reason).subarray(0, 123).toString('utf8'));
    // ws waits up to 30 s for the master's close frame; we do not need that long.
    this.options.clock.sleep(this.options.closeTimeoutMs, this.life.signal).then(() => ws.terminate(), () => undefined);
  }

  /** A hard deadline: unless re-armed or replaced first, the socket is destroyed when `ms` pass. */
  deadline(ms: number, what: string): void {
    this.arm({ kind: 'deadline', ms, what });
  }

  /** A silence limit: any frame re-arms it; when it fires a ping is sent, and no pong ends the socket. */
  silence(ms: number, what: string): void {
    this.arm({ kind: 'silence', ms, what });
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.end) return; // closing: what the master still says no longer matters
    this.heard();
    if (isBinary) return this.malformed('binary frame (protocol v1 uses JSON text frames)');
    const parsed = parseMasterFrame(data);
    if (!parsed.ok) return this.malformed(parsed.reason);
    this.handlers.onMessage(parsed.msg);
  }

  private malformed(reason: string): void {
    this.options.logger.warn({ reason }, 'malformed frame from the master; closing with 4400');
    this.close(CLOSE_CODES.malformed, reason, new DaasError(SESSION_ERRORS.protocol, `malformed frame from the master: ${reason}`, { retryable: true }));
  }

  private heard(): void {
    if (this.watch?.kind === 'silence') this.arm(this.watch);
  }

  private arm(watch: Watch, probing = false): void {
    this.watchTimer?.abort();
    if (this.life.signal.aborted) return;
    const timer = new AbortController();
    this.watch = watch;
    this.watchTimer = timer;
    const ms = probing ? this.options.probeTimeoutMs : watch.ms;
    this.options.clock.sleep(ms, AbortSignal.any([timer.signal, this.life.signal])).then(
      () => this.fired(watch, probing),
      () => undefined,
    );
  }

  private fired(watch: Watch, probing: boolean): void {
    if (this.end || !this.ws) return;
    if (watch.kind === 'silence' && !probing) {
      this.ws.ping();
      return this.arm(watch, true);
    }
    const end = new DaasError(SESSION_ERRORS.silent, `the master went silent: ${watch.what} (after ${watch.ms} ms)`, { retryable: true });
    this.options.logger.warn({ what: watch.what, afterMs: watch.ms }, 'master silent; dropping the connection');
    this.decide(end);
    this.ws.terminate();
  }

  private decide(end: DaasError): void {
    this.end ??= end;
  }
}
