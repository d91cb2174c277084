/**
 * The runner's side of its child processes: forks an entry point with an IPC channel, its output
 * appended to a log file, and turns "send a command, await the one reply of a given type" into a
 * promise that also fails when the child dies or takes too long. Children run bundled, as the
 * installed master runs (`npm run build:master`), unless the runner asks for tsx.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleProgram, writeModule } from '../../scripts/build-master-bundle.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Inside the checkout: the bundles load their packages from its node_modules.
const BUNDLE_DIR = join(REPO_ROOT, 'dist/bench');
const bundles = new Map<string, string>();

/**
 * Bundles each script (path relative to bench/master-load/) with the master's own build, so that
 * no child carries tsx's loader, compiled sources and source maps in its heap: the servers are
 * measured as they run installed, and the load generators' garbage collector disturbs the
 * latencies they measure less.
 */
export async function bundleChildren(scripts: readonly string[]): Promise<void> {
  for (const script of scripts) {
    const file = join(BUNDLE_DIR, basename(script).replace(/\.ts$/, '.mjs'));
    writeModule(file, await bundleProgram(fileURLToPath(new URL(script, import.meta.url))));
    bundles.set(script, file);
  }
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  name: string;
  /** Sends `msg` and resolves with the next message of `type`. Rejects on exit or after `timeoutMs`. */
  request<T extends { type: string }>(msg: object | null, type: T['type'], timeoutMs: number): Promise<T>;
  /** Resolves once the process has exited (kills it with SIGKILL after `graceMs`). */
  ended(graceMs: number): Promise<void>;
}

export interface ForkOptions {
  name: string;
  /** Path relative to bench/master-load/. */
  script: string;
  arg: unknown;
  logFile: string;
  nodeFlags?: string[];
  env?: NodeJS.ProcessEnv;
}

/** Forks `script`'s bundle, or `node --import tsx <script>` when it was not bundled, with `<json arg>`, from the repository root. */
export function forkChild(o: ForkOptions): Child {
  const fd = openSync(o.logFile, 'a');
  const bundle = bundles.get(o.script);
  const proc = fork(bundle ?? fileURLToPath(new URL(o.script, import.meta.url)), [JSON.stringify(o.arg)], {
    cwd: REPO_ROOT,
    execArgv: [...(bundle ? [] : ['--import', 'tsx']), ...(o.nodeFlags ?? [])],
    env: { ...process.env, ...o.env },
    stdio: ['ignore', fd, fd, 'ipc'],
  });
  closeSync(fd);
  let exited: { code: number | null; signal: string | null } | null = null;
  const exitWaiters: Array<() => void> = [];
  proc.once('exit', (code, signal) => {
    exited = { code, signal };
    for (const w of exitWaiters.splice(0)) w();
  });
  const onExit = (cb: () => void) => (exited ? cb() : exitWaiters.push(cb));

  return {
    proc,
    pid: proc.pid!,
    name: o.name,
    request<T extends { type: string }>(msg: object | null, type: string, timeoutMs: number): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const done = (err: Error | null, value?: T) => {
          clearTimeout(timer);
          proc.off('message', onMessage);
          if (err) reject(err);
          else resolve(value!);
        };
        const onMessage = (m: { type?: string }) => m.type === type && done(null, m as T);
        const timer = setTimeout(() => done(new Error(`${o.name}: no "${type}" within ${timeoutMs} ms (log: ${o.logFile})`)), timeoutMs);
        proc.on('message', onMessage);
        onExit(() => done(new Error(`${o.name} exited (${JSON.stringify(exited)}) before "${type}" (log: ${o.logFile})`)));
        if (msg) proc.send(msg);
      });
    },
    ended(graceMs: number): Promise<void> {
      return new Promise((resolve) => {
        const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        onExit(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
