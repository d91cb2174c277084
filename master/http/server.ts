/**
 * The master's one listening socket: plain HTTP, or HTTPS when a certificate is configured
 * (K8S_DAAS_TLS_CERT / K8S_DAAS_TLS_KEY). Requests go to the handler from `createHttpHandler`;
 * WebSocket upgrades are left to whoever listens for the server's `upgrade` event (the agent server).
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { DaasError } from '../../shared/errors.ts';
import type { HttpHandler } from './api.ts';

export interface MasterServerOptions {
  handler: HttpHandler;
  /** PEM certificate chain and key; absent → plain HTTP (loopback, or behind a TLS proxy). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Longest a client may take to send a whole request (default 30 s): slow clients cannot hold sockets. */
  requestTimeoutMs?: number;
}

/** An HTTP(S) server around `handler`, not yet listening. */
export function createMasterServer(options: MasterServerOptions): Server {
  const timeouts = { requestTimeout: options.requestTimeoutMs ?? 30_000, headersTimeout: 10_000 };
  const server = options.tls
    ? createHttpsServer({ ...timeouts, cert: options.tls.cert, key: options.tls.key }, options.handler)
    : createHttpServer(timeouts, options.handler);
  return server;
}

/**
 * Starts listening; resolves with the bound address (port 0 picks a free port).
 * @throws DaasError `HTTP_LISTEN` (e.g. address in use, permission denied), with the system error as cause.
 */
export function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        new DaasError('HTTP_LISTEN', `cannot listen on ${host}:${port}: ${err.code ?? err.message}`, { cause: err }),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Stops accepting, drops idle keep-alive connections, and resolves once in-flight requests are done. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeIdleConnections();
  });
}

/** The base URL of a bound address, for logs and the CLI (`http://127.0.0.1:8080`). */
export function baseUrl(address: AddressInfo, tls: boolean): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${tls ? 'https' : 'http'}://${host}:${address.port}`;
}
