/**
 * Runs the startup step (prepare.ts) in a child process: this same program — `node <entry>
 * __prepare`, with the node flags and `--env-file` the agent got — with an IPC channel for the
 * answer ('advanced' serialization: bigints and byte arrays cross as they are). The child inherits
 * stdout and stderr, so its log lines and its error message reach the operator unchanged.
 */
import { spawn } from 'node:child_process';
import type { StaticHostFacts } from '../metrics/static-facts.ts';
// Types only: importing prepare.ts itself would load what the child is there to keep out.
import type { PreparedAgent, PrepareMessage } from './prepare.ts';

/** The internal command that runs the step (main.ts dispatches it to prepare.ts). */
export const PREPARE_COMMAND = '__prepare';

/** The step ended without an answer; the child has said why. Exit with `exitCode`. */
export class PrepareFailed extends Error {
  constructor(
    readonly exitCode: number,
    readonly signal: NodeJS.Signals | null,
  ) {
    super(signal ? `the startup step was killed by ${signal}` : `the startup step exited with code ${exitCode}`);
    this.name = 'PrepareFailed';
  }
}

export interface Prepared extends PreparedAgent {
  /** The host's static facts; they may come after the rest, and reject if the child died first. */
  facts: Promise<StaticHostFacts>;
}

/** Starts the step; resolves once it registered, rejects with PrepareFailed when it failed (or with a spawn error). */
export function prepareInChild(args: readonly string[] = []): Promise<Prepared> {
  const entry = process.argv[1];
  const child = spawn(process.execPath, [...process.execArgv, entry, PREPARE_COMMAND, ...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  let settleFacts!: { resolve: (f: StaticHostFacts) => void; reject: (e: Error) => void };
  const facts = new Promise<StaticHostFacts>((resolve, reject) => (settleFacts = { resolve, reject }));
  facts.catch(() => undefined); // the collector reports it when it asks
  return new Promise<Prepared>((resolve, reject) => {
    child.on('message', (message: PrepareMessage) => {
      if (message.type === 'prepared') resolve({ ...message.prepared, facts });
      else if (message.type === 'facts') settleFacts.resolve(message.facts);
    });
    child.once('error', (err) => {
      reject(err);
      settleFacts.reject(err);
    });
    // 'close', not 'exit': it comes after the IPC channel has delivered everything the child sent.
    child.once('close', (code, signal) => {
      const failed = new PrepareFailed(code ?? 1, signal);
      reject(failed); // no-op once resolved
      settleFacts.reject(failed);
    });
  });
}
