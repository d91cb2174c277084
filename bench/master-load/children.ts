/**
 * The runner's side of its child processes: forks a TypeScript entry point under tsx with an IPC
 * channel, its output appended to a log file, and turns "send a command, await the one reply of a
 * given type" into a promise that also fails when the child dies or takes too long.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

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

/** Forks `script` as `node --import tsx <script> <json arg>` from the repository root. */
export function forkChild(o: ForkOptions): Child {
  const fd = openSync(o.logFile, 'a');
  const proc = fork(fileURLToPath(new URL(o.script, import.meta.url)), [JSON.stringify(o.arg)], {
    cwd: REPO_ROOT,
    execArgv: ['--import', 'tsx', ...(o.nodeFlags ?? [])],
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
