/**
 * The chain watcher's `listEvents` calls, made from a worker thread with a client of its own.
 * One call through the SDK's gRPC-web transport (fetch, web streams, protobuf) costs the caller
 * ~3.5 ms of CPU even when no event is new, and the master polls two modules every second: on the
 * master's event loop that is time in which no agent's heartbeat is acknowledged. Here the loop
 * only posts the query and receives the page; decoding, de-duplication and the database stay with
 * the caller (EventReader, ChainWatcher), so nothing about ordering or crash safety changes.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ClientWithCoreApi } from '@mysten/sui/client';
import type { EventsClient } from './event-reader.ts';
import { networkOf, type SuiClientOptions } from './sui-client.ts';

type ListEvents = ClientWithCoreApi['core']['listEvents'];
type Query = Parameters<ListEvents>[0];
type Page = Awaited<ReturnType<ListEvents>>;

/** An error as it crossed the thread boundary: what decodeChainError looks at, causes included. */
interface PlainError {
  name: string;
  message: string;
  code?: unknown;
  cause?: PlainError;
}

type Reply = { id: number; ok: true; page: Page } | { id: number; ok: false; error: PlainError };

// CommonJS, run with `eval`: no file of its own to ship next to the bundle or to resolve under tsx.
// The client is built as createSuiClient (sui-client.ts) builds it, which the thread cannot import.
const THREAD_SOURCE = `
const { parentPort, workerData: w } = require('node:worker_threads');
const client = import(w.moduleUrl).then((m) =>
  w.transport === 'graphql' ? new m.SuiGraphQLClient({ url: w.url, network: w.network }) : new m.SuiGrpcClient({ baseUrl: w.url, network: w.network }));
const plain = (e, depth) => {
  if (!(e instanceof Error) || depth > 4) return { name: 'Error', message: String(e) };
  return { name: e.name, message: e.message, code: typeof e.code === 'string' || typeof e.code === 'number' ? e.code : undefined, cause: e.cause === undefined ? undefined : plain(e.cause, depth + 1) };
};
parentPort.on('message', (m) => {
  client.then((c) => c.core.listEvents(m.query)).then(
    (page) => parentPort.postMessage({ id: m.id, ok: true, page }),
    (err) => parentPort.postMessage({ id: m.id, ok: false, error: plain(err, 0) }),
  );
});
`;

export class EventsThread implements EventsClient {
  readonly #workerData: Record<string, string>;
  readonly #calls = new Map<number, { resolve: (p: Page) => void; reject: (e: Error) => void }>();
  #worker: Worker | null = null;
  #nextId = 1;
  #closed = false;

  constructor(options: SuiClientOptions) {
    const entry = options.transport === 'graphql' ? '@mysten/sui/graphql' : '@mysten/sui/grpc';
    const moduleUrl = pathToFileURL(createRequire(import.meta.url).resolve(entry)).href;
    this.#workerData = {
      moduleUrl,
      url: options.url,
      transport: options.transport ?? 'grpc',
      network: options.network ?? networkOf(options.url),
    };
  }

  readonly core = {
    listEvents: (query: Query): Promise<Page> => {
      if (this.#closed) return Promise.reject(new Error('the chain events thread was stopped'));
      const worker = (this.#worker ??= this.#spawn());
      const id = this.#nextId++;
      // An AbortSignal cannot cross the boundary (and EventReader passes none).
      const { signal: _signal, ...rest } = query;
      return new Promise<Page>((resolve, reject) => {
        this.#calls.set(id, { resolve, reject });
        try {
          worker.postMessage({ id, query: rest });
        } catch (err) {
          this.#calls.delete(id);
          reject(err as Error);
        }
      });
    },
  };

  /** Stops the thread; calls still waiting are rejected. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#lost(worker, new Error('the chain events thread was stopped'));
    await worker?.terminate();
  }

  /** Started on the first call, and again on the next call after it died. */
  #spawn(): Worker {
    const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: this.#workerData });
    // Idle between polls: it must not keep a stopping process alive.
    worker.unref();
    worker.on('message', (r: Reply) => {
      const call = this.#calls.get(r.id);
      if (!call) return;
      this.#calls.delete(r.id);
      if (r.ok) call.resolve(r.page);
      else call.reject(revive(r.error));
    });
    worker.on('error', (err) => this.#lost(worker, new Error(`the chain events thread failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => this.#lost(worker, new Error(`the chain events thread exited (code ${code})`)));
    return worker;
  }

  #lost(worker: Worker | null, err: Error): void {
    if (worker === null || this.#worker !== worker) return;
    this.#worker = null;
    for (const call of this.#calls.values()) call.reject(err);
    this.#calls.clear();
  }
}

/** An Error with the same name, message, code and causes, so decodeChainError reads it as it would the original. */
function revive(p: PlainError): Error {
  const err = new Error(p.message, p.cause ? { cause: revive(p.cause) } : undefined);
  err.name = p.name;
  if (p.code !== undefined) Object.assign(err, { code: p.code });
  return err;
}
