/**
 * The one seam between the agent and the k3s process (k3s's own `executor.Executor` idea): the
 * supervisor starts and stops processes through `K3sRunner`; tests hand in the real fake-k3s
 * executable through the process runner, or a fake runner.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { systemClock, type Clock } from '../../shared/clock.ts';

export interface K3sSpec {
  /** Arguments after the binary, e.g. from buildK3sAgentArgs. Never the token itself. */
  args: readonly string[];
  /** Extra environment for the child (merged over the agent's own). */
  env?: Readonly<Record<string, string>>;
  /** Called with every stdout/stderr line, in order, until the process has exited. */
  onLine?: (line: string) => void;
}

export interface K3sExit {
  /** Exit code, or null when killed by a signal or never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all: the errno (e.g. ENOENT) and the message. */
  spawnError?: { errno?: string; message: string };
}

export interface K3sProcess {
  /** Undefined when spawning failed. */
  readonly pid: number | undefined;
  /** Resolves (never rejects) once the process is gone and its output has been delivered. */
  readonly exited: Promise<K3sExit>;
  /** SIGTERM, then SIGKILL once `graceMs` has passed; resolves when the process is gone. */
  stop(graceMs: number): Promise<void>;
}

export interface K3sRunner {
  /** Starts the process; never throws for a missing binary (that surfaces as `exited.spawnError`). */
  start(spec: K3sSpec): K3sProcess;
}

export interface ProcessRunnerOptions {
  /** The k3s executable (K3S_BIN), default `k3s` on PATH. */
  bin?: string;
  clock?: Clock;
  /** How long to wait, after exit, for output still buffered in the pipes; default 500 ms. */
  drainMs?: number;
}

// Children still running; sent SIGTERM when the agent exits, so k3s never outlives it (a graceful
// stop has stopped them already; this covers process.exit on a fatal error).
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killLiveOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGTERM');
  });
}

/**
 * A runner on node:child_process: spawns `bin` with the agent's environment plus `spec.env`, hands
 * stdout and stderr lines to `onLine`, and stops it with signals. (execa did this before; it cost
 * the long-running agent ~6 MiB of resident memory for features the agent does not use.)
 */
export function createProcessRunner(options: ProcessRunnerOptions = {}): K3sRunner {
  const bin = options.bin ?? 'k3s';
  const clock = options.clock ?? systemClock;
  const drainMs = options.drainMs ?? 500;
  return {
    start(spec) {
      const child = spawn(bin, [...spec.args], {
        env: spec.env ? { ...process.env, ...spec.env } : process.env,
        stdio: ['ignore', 'pipe', 'pipe'], // k3s logs forever: lines are handed on, never kept
      });
      const linesDone = Promise.all([pipeLines(child.stdout, spec.onLine), pipeLines(child.stderr, spec.onLine)]);
      // 'exit' fires even when a grandchild keeps the pipes open; 'error' without a pid is a failed spawn.
      const exitOrSpawnError = new Promise<K3sExit>((resolve) => {
        child.once('exit', (code, signal) => resolve({ code, signal }));
        child.on('error', (err: NodeJS.ErrnoException) => {
          if (child.pid === undefined) resolve({ code: null, signal: null, spawnError: { errno: err.code, message: err.message } });
        });
      });
      const exited = exitOrSpawnError.then(async (exit) => {
        live.delete(child);
        await raceSleep(clock, drainMs, linesDone);
        return exit;
      });
      if (child.pid !== undefined) {
        live.add(child);
        killLiveOnExit();
      }
      let gone = false;
      void exited.then(() => (gone = true));
      return {
        pid: child.pid,
        exited,
        async stop(graceMs) {
          if (gone || child.pid === undefined) return void (await exited);
          child.kill('SIGTERM');
          if (!(await raceSleep(clock, graceMs, exited))) child.kill('SIGKILL');
          await exited;
        },
      };
    },
  };
}

function pipeLines(stream: NodeJS.ReadableStream | null, onLine?: (line: string) => void): Promise<void> {
  if (!stream) return Promise.resolve();
  stream.on('error', () => undefined); // a pipe error ends the lines; the exit is what counts
  const reader = createInterface({ input: stream, crlfDelay: Infinity });
  if (onLine) reader.on('line', (line) => onLine(line));
  return new Promise((resolve) => reader.once('close', () => resolve()));
}

/** Waits for `promise` at most `ms`; true when it settled in time. Cancels the timer either way. */
async function raceSleep(clock: Clock, ms: number, promise: Promise<unknown>): Promise<boolean> {
  const abort = new AbortController();
  const timeout = clock.sleep(ms, abort.signal).then(
    () => false,
    () => false,
  );
  const done = promise.then(() => true);
  const won = await Promise.race([done, timeout]);
  abort.abort();
  return won;
}
