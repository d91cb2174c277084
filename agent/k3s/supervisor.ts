/**
 * Keeps `k3s agent` running and says how it is doing, for heartbeats.
 *
 * States (a documented string union with one transition function, as in Temporal's worker):
 *
 *   stopped ──start()──▶ starting ──ready line, or up `assumeReadyAfterMs` without a failure──▶ running
 *   starting|running ──process exited──▶ crashed ──backoff elapsed──▶ starting
 *   any ──stop()──▶ stopped
 *
 * Every move is logged once at info. A failure recognised in k3s's output (diagnose.ts) is logged
 * once per distinct failure, however often k3s repeats the line, and becomes `lastError`.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.ts';
import { DaasError } from '../../shared/errors.ts';
import { createBackoff, type Backoff } from './backoff.ts';
import { diagnoseK3sLine, diagnoseSpawnError, isK3sReadyLine, parseLogrusLine, type DiagnoseContext, type K3sDiagnosis } from './diagnose.ts';
import type { K3sExit, K3sProcess, K3sRunner } from './runner.ts';

export type K3sState = 'stopped' | 'starting' | 'running' | 'crashed';

/** The `k3s` object of a heartbeat (DESIGN.md, protocol step 5). */
export interface K3sStatus {
  state: K3sState;
  pid: number | null;
  restarts: number;
  lastError: string | null;
}

export interface K3sSupervisorOptions {
  runner: K3sRunner;
  /** argv after the binary (buildK3sAgentArgs). */
  args: readonly string[];
  env?: Readonly<Record<string, string>>;
  clock: Clock;
  logger: Logger;
  /** Named in diagnoses. */
  context?: DiagnoseContext;
  /** Restart backoff; default "k3s-restart", 1 s → 30 s. */
  backoff?: Backoff;
  /** `running` after this long up without a ready line or a failure; default 30 s. */
  assumeReadyAfterMs?: number;
  /** A run this long resets the backoff; default 60 s. */
  stableAfterMs?: number;
  /** Default grace for stop(): SIGTERM, then SIGKILL after this long; default 10 s. */
  stopGraceMs?: number;
  /** Called after every state change, e.g. to send a heartbeat at once. */
  onChange?: (status: K3sStatus) => void;
}

const ALLOWED: Record<K3sState, readonly K3sState[]> = {
  stopped: ['starting'],
  starting: ['running', 'crashed', 'stopped'],
  running: ['crashed', 'stopped'],
  crashed: ['starting', 'stopped'],
};

interface Run {
  proc: K3sProcess;
  startedAt: number;
  diagnosis: K3sDiagnosis | null;
  lastErrorLine: string | null;
}

/** Runs one `k3s agent` at a time through the runner, restarting it with backoff until stop(). */
export class K3sSupervisor {
  private state: K3sState = 'stopped';
  private restarts = 0;
  private lastError: string | null = null;
  private lastFailure: K3sDiagnosis | null = null;
  private loggedFailure: string | null = null;
  private run: Run | null = null;
  private loop: Promise<void> | null = null;
  private stopping: AbortController | null = null;
  private readonly log: Logger;
  private readonly backoff: Backoff;

  constructor(private readonly options: K3sSupervisorOptions) {
    this.log = options.logger.child({ component: 'k3s-supervisor' });
    this.backoff = options.backoff ?? createBackoff({ name: 'k3s-restart', baseMs: 1000, maxMs: 30_000 });
  }

  /** For heartbeats: state, current pid, restarts so far, the last failure sentence. */
  status(): K3sStatus {
    const pid = this.state === 'starting' || this.state === 'running' ? (this.run?.proc.pid ?? null) : null;
    return { state: this.state, pid, restarts: this.restarts, lastError: this.lastError };
  }

  /** The last recognised failure with its code (for callers that branch), or null. */
  failure(): K3sDiagnosis | null {
    return this.lastFailure;
  }

  /** Starts k3s and keeps it running. Throws DaasError `K3S_ILLEGAL_STATE` unless stopped. */
  start(): void {
    if (this.state !== 'stopped' || this.loop) {
      throw new DaasError('K3S_ILLEGAL_STATE', `k3s supervisor cannot start while ${this.state}`);
    }
    this.stopping = new AbortController();
    this.loop = this.superviseLoop(this.stopping.signal).catch((err: unknown) => {
      this.log.error({ err }, 'k3s supervisor loop failed');
    });
  }

  /** Stops k3s (SIGTERM, SIGKILL after the grace) and the restart loop; idempotent. */
  async stop(graceMs = this.options.stopGraceMs ?? 10_000): Promise<void> {
    if (!this.loop) return;
    this.stopping?.abort(new DaasError('K3S_STOPPED', 'k3s supervisor stopped'));
    await this.run?.proc.stop(graceMs);
    await this.loop;
    this.loop = null;
    if (this.state !== 'stopped') this.transition('stopped');
  }

  private async superviseLoop(stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      const run = this.spawn();
      const exit = await run.proc.exited;
      if (stop.aborted) return;
      this.onExit(run, exit);
      const delay = run.diagnosis && !run.diagnosis.retryable ? this.backoff.max() : this.backoff.next();
      this.log.info({ backoff: this.backoff.name, delayMs: delay, restarts: this.restarts }, 'k3s agent restart scheduled');
      try {
        await this.options.clock.sleep(delay, stop);
      } catch {
        return; // stop() aborted the wait
      }
    }
  }

  private spawn(): Run {
    this.transition('starting');
    const run: Run = { proc: undefined as unknown as K3sProcess, startedAt: this.options.clock.now(), diagnosis: null, lastErrorLine: null };
    this.run = run;
    run.proc = this.options.runner.start({
      args: this.options.args,
      env: this.options.env,
      onLine: (line) => this.onLine(run, line),
    });
    this.log.info({ pid: run.proc.pid ?? null, args: this.options.args }, 'k3s agent process started');
    void this.assumeReadyLater(run);
    return run;
  }

  private onLine(run: Run, line: string): void {
    if (run !== this.run) return; // output of an earlier process
    this.log.debug({ line }, 'k3s output');
    const parsed = parseLogrusLine(line);
    if (parsed && (parsed.level === 'error' || parsed.level === 'fatal')) run.lastErrorLine = parsed.msg;
    const diagnosis = diagnoseK3sLine(line, this.options.context);
    if (diagnosis) return this.recordFailure(run, diagnosis, line);
    if (this.state === 'starting' && isK3sReadyLine(line)) {
      this.loggedFailure = null; // a later recurrence is news again
      this.transition('running');
    }
  }

  private recordFailure(run: Run, diagnosis: K3sDiagnosis, line: string): void {
    run.diagnosis = diagnosis;
    this.lastFailure = diagnosis;
    this.lastError = diagnosis.cause;
    if (this.loggedFailure === diagnosis.code) return; // k3s repeats its retry lines every few seconds
    this.loggedFailure = diagnosis.code;
    this.log.error({ code: diagnosis.code, cause: diagnosis.cause, line }, 'k3s agent failure recognised');
  }

  private async assumeReadyLater(run: Run): Promise<void> {
    const wait = this.options.assumeReadyAfterMs ?? 30_000;
    const gone = new AbortController();
    void run.proc.exited.then(() => gone.abort());
    try {
      await this.options.clock.sleep(wait, AbortSignal.any([gone.signal, this.stopping!.signal]));
    } catch {
      return;
    }
    if (run === this.run && this.state === 'starting' && run.diagnosis === null) {
      this.log.info({ afterMs: wait }, 'no k3s ready line recognised; assuming k3s agent is running');
      this.transition('running');
    }
  }

  private onExit(run: Run, exit: K3sExit): void {
    this.restarts++;
    if (exit.spawnError) {
      this.recordFailure(run, diagnoseSpawnError(exit.spawnError.errno, { bin: 'k3s', ...this.options.context }), exit.spawnError.message);
    } else if (run.diagnosis === null) {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      this.lastError = `k3s agent ${how}${run.lastErrorLine ? `: ${run.lastErrorLine}` : ''}`;
      this.lastFailure = null;
    }
    const ranMs = this.options.clock.now() - run.startedAt;
    if (ranMs >= (this.options.stableAfterMs ?? 60_000)) this.backoff.reset();
    this.transition('crashed', { code: exit.code, signal: exit.signal, ranMs });
  }

  private transition(to: K3sState, fields: Record<string, unknown> = {}): void {
    const from = this.state;
    if (!ALLOWED[from].includes(to)) {
      throw new DaasError('K3S_ILLEGAL_STATE', `k3s supervisor cannot move from ${from} to ${to}`);
    }
    this.state = to;
    const status = this.status();
    this.log.info({ from, to, ...fields, pid: status.pid, restarts: status.restarts, lastError: status.lastError }, 'k3s agent state changed');
    this.options.onChange?.(status);
  }
}
