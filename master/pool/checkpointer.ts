/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit
 * pushes the WAL past 1,000 pages, on the connection that made it, and (synchronous=NORMAL) ends
 * with an fsync of the database file: 10-25 ms during which the master acknowledges no heartbeat.
 * Here a worker thread with its own connection runs PASSIVE checkpoints on a timer (in WAL mode
 * they never block the master's writers) and the master's connection stops checkpointing itself.
 * If the thread fails, the connection checkpoints automatically again, so the WAL cannot grow
 * without bound.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { PoolDb } from './db.ts';

const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

// CommonJS, run with `eval`: no file of its own to ship or to resolve under tsx.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const run = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ type: 'checkpoint', walFrames: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ type: 'error', message: err.message });
  }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'now') return run();
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface CheckpointResult {
  /** Frames in the WAL, and how many of them are now in the database file. */
  walFrames: number;
  checkpointed: number;
}

export interface WalCheckpointerOptions {
  /** The master's connection: its automatic checkpoint is turned off while the thread runs. */
  db: PoolDb;
  path: string;
  logger: Logger;
  /** Default 2 s. */
  intervalMs?: number;
  /** Each completed checkpoint (tests, metrics). */
  onCheckpoint?: (r: CheckpointResult) => void;
}

export class WalCheckpointer {
  readonly #o: WalCheckpointerOptions;
  readonly #worker: Worker;
  #stopping = false;

  constructor(options: WalCheckpointerOptions) {
    this.#o = options;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path: options.path, intervalMs: options.intervalMs ?? 2_000 } });
    this.#worker.unref();
    options.db.pragma('wal_autocheckpoint = 0');
    this.#worker.on('message', (m: { type: 'checkpoint'; walFrames: number; checkpointed: number } | { type: 'error'; message: string }) => {
      if (m.type === 'checkpoint') this.#o.onCheckpoint?.({ walFrames: m.walFrames, checkpointed: m.checkpointed });
      else this.#o.logger.warn({ err: m.message }, 'WAL checkpoint failed; retrying on the next tick');
    });
    this.#worker.on('error', (err) => this.#fallBack(err.message));
    this.#worker.on('exit', (code) => {
      if (!this.#stopping) this.#fallBack(`checkpoint thread exited with code ${code}`);
    });
  }

  /** Asks for a checkpoint now (it still runs on the thread). */
  checkpointNow(): void {
    this.#worker.postMessage('now');
  }

  /** Stops the thread and closes its connection; call before closing the master's connection. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    // Held (ref) from here on: a process whose only work left is this shutdown must wait for it.
    this.#worker.ref();
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.postMessage('stop');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((resolve) => (timer = setTimeout(resolve, 2_000)))]);
    clearTimeout(timer);
    await this.#worker.terminate();
  }

  #fallBack(why: string): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#o.logger.warn({ err: why }, 'WAL checkpoint thread failed; the pool database checkpoints on its own again');
    try {
      this.#o.db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    } catch {
      // the connection is already closed: nothing left to checkpoint
    }
  }
}
