/**
 * The one HTTP listener: grpc-web calls (any POST with a grpc-web content-type), the faucet's
 * `POST /v2/gas`, and a plain `GET /health`. Bodies are capped so a client cannot make the
 * node buffer without bound; every gRPC reply, error or not, is HTTP 200 as grpc-web requires.
 */
import http from 'node:http';
import type { Logger } from 'pino';
import { readRequestMessage, encodeResponseBody, requestFormat, responseContentType, type WireFormat } from './grpc-web.ts';
import type { GrpcRouter } from './router.ts';
import { GrpcError, GrpcStatusCode } from './status.ts';

export interface FaucetHandler {
  /** Answers a parsed JSON body with an HTTP status and a JSON value. */
  (body: unknown): Promise<{ status: number; json: unknown }>;
}

export interface HttpServerOptions {
  router: GrpcRouter;
  faucet: FaucetHandler;
  logger: Logger;
  /** Largest request body accepted, in bytes (after base64 for grpc-web-text). */
  maxBodyBytes: number;
}

// Browsers (a status page, a wallet) need these; Node clients ignore them.
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, GET, OPTIONS',
  'access-control-allow-headers': 'content-type, x-grpc-web, x-user-agent, x-sui-client-protocol-version, grpc-timeout',
  'access-control-expose-headers': 'grpc-status, grpc-message',
};

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendGrpc(res: http.ServerResponse, format: WireFormat, body: Buffer, close = false): void {
  res.writeHead(200, {
    ...CORS_HEADERS,
    'content-type': responseContentType(format),
    'content-length': body.length,
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

async function serveGrpc(opts: HttpServerOptions, req: http.IncomingMessage, res: http.ServerResponse, format: WireFormat): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  let raw: Buffer;
  try {
    raw = await readBody(req, opts.maxBodyBytes);
  } catch (err) {
    if (!(err instanceof BodyTooLarge)) throw err;
    const msg = `request body exceeds ${opts.maxBodyBytes} bytes`;
    return sendGrpc(res, format, encodeResponseBody([], format, GrpcStatusCode.RESOURCE_EXHAUSTED, msg), true);
  }
  try {
    let payload: Uint8Array;
    try {
      payload = readRequestMessage(raw, format);
    } catch (err) {
      throw new GrpcError(GrpcStatusCode.INVALID_ARGUMENT, `malformed grpc-web request: ${(err as Error).message}`);
    }
    const messages = await opts.router.dispatch(path, payload);
    sendGrpc(res, format, encodeResponseBody(messages, format));
  } catch (err) {
    const grpc = err instanceof GrpcError ? err : new GrpcError(GrpcStatusCode.INTERNAL, `internal error: ${(err as Error).message}`);
    if (!(err instanceof GrpcError)) opts.logger.error({ err, path }, 'grpc handler failed');
    else opts.logger.debug({ path, code: GrpcStatusCode[grpc.code], message: grpc.message }, 'grpc call refused');
    sendGrpc(res, format, encodeResponseBody([], format, grpc.code, grpc.message));
  }
}

function sendJson(res: http.ServerResponse, status: number, value: unknown, close = false): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { ...CORS_HEADERS, 'content-type': 'application/json', 'content-length': body.length, ...(close ? { connection: 'close' } : {}) });
  res.end(body);
}

async function serveFaucet(opts: HttpServerOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  let raw: Buffer;
  try {
    raw = await readBody(req, 64 * 1024);
  } catch (err) {
    if (!(err instanceof BodyTooLarge)) throw err;
    return sendJson(res, 413, { status: { Failure: { internal: 'request body too large' } }, coins_sent: null }, true);
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return sendJson(res, 400, { status: { Failure: { internal: 'request body is not JSON' } }, coins_sent: null });
  }
  const reply = await opts.faucet(body);
  sendJson(res, reply.status, reply.json);
}

/** An http.Server (not yet listening) serving grpc-web, the faucet and health. */
export function createHttpServer(opts: HttpServerOptions): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const format = requestFormat(req.headers['content-type']);
    const work = (async () => {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, CORS_HEADERS);
        return void res.end();
      }
      if (req.method === 'POST' && format) return serveGrpc(opts, req, res, format);
      if (req.method === 'POST' && path === '/v2/gas') return serveFaucet(opts, req, res);
      if (req.method === 'GET' && (path === '/' || path === '/health')) {
        res.writeHead(200, { ...CORS_HEADERS, 'content-type': 'text/plain' });
        return void res.end('OK');
      }
      if (req.method === 'POST' && path.startsWith('/sui.')) {
        res.writeHead(415, { ...CORS_HEADERS, 'content-type': 'text/plain' });
        return void res.end('expected content-type application/grpc-web or application/grpc-web-text');
      }
      res.writeHead(404, { ...CORS_HEADERS, 'content-type': 'text/plain' });
      res.end('not found');
    })();
    work.catch((err: unknown) => {
      opts.logger.error({ err, path }, 'http request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end();
    });
  });
}
