/**
 * The one seam between the agent and the k3s process (k3s's own `executor.Executor` idea): the
 * supervisor starts and stops processes through `K3sRunner`; tests hand in the real fake-k3s
 * executable through the execa runner, or a fake runner.
 */
import { createInterface } from 'node:readline';
import { execa } from 'execa';
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

export interface ExecaRunnerOptions {
  /** The k3s executable (K3S_BIN), default `k3s` on PATH. */
  bin?: string;
  clock?: Clock;
  /** How long to wait, after exit, for output still buffered in the pipes; default 500 ms. */
  drainMs?: number;
}

/** A runner that spawns `bin` with execa, merges stdout and stderr into lines, and stops it with signals. */
export function createExecaRunner(options: ExecaRunnerOptions = {}): K3sRunner {
  const bin = options.bin ?? 'k3s';
  const clock = options.clock ?? systemClock;
  const drainMs = options.drainMs ?? 500;
  return {
    start(spec) {
      const child = execa(bin, [...spec.args], {
        env: spec.env ? { ...spec.env } : undefined,
        stdin: 'ignore',
        all: true,
        buffer: false, // k3s logs forever: never keep its output in memory
        reject: false,
        forceKillAfterDelay: false, // stop() owns the SIGKILL timing
        cleanup: true, // do not leave k3s running when the agent itself dies
      });
      const linesDone = pipeLines(child.all, spec.onLine);
      const exitEvent = new Promise<K3sExit>((resolve) => {
        child.once('exit', (code, signal) => resolve({ code, signal }));
      });
      const settled = child.then((result): K3sExit => {
        const spawnFailed = result.exitCode === undefined && result.signal === undefined;
        return {
          code: result.exitCode ?? null,
          signal: (result.signal as NodeJS.Signals | undefined) ?? null,
          ...(spawnFailed && { spawnError: { errno: errnoOf(result.cause), message: result.shortMessage ?? 'spawn failed' } }),
        };
      });
      // 'exit' fires even when a grandchild keeps the pipes open; `settled` covers spawn failures.
      const exited = Promise.race([exitEvent, settled]).then(async (exit) => {
        await raceSleep(clock, drainMs, linesDone);
        return exit;
      });
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

function pipeLines(stream: NodeJS.ReadableStream | undefined, onLine?: (line: string) => void): Promise<void> {
  if (!stream) return Promise.resolve();
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

function errnoOf(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
