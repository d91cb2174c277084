import { describe, expect, it } from 'vitest';
import { captureLogger } from '../../test/fixtures/fake-k3s-harness.ts';
import { ManualClock, settle } from '../../test/fixtures/manual-clock.ts';
import { DaasError } from '../../shared/errors.ts';
import { createBackoff } from './backoff.ts';
import type { K3sExit, K3sProcess, K3sRunner, K3sSpec } from './runner.ts';
import { K3sSupervisor, type K3sStatus } from './supervisor.ts';

const T = 'time="2026-05-06T11:05:04Z"';
const READY = `${T} level=info msg="Remotedialer connected to proxy" url="wss://10.0.0.1:6443/v1-k3s/connect"`;
const UNAUTHORIZED = `${T} level=info msg="Waiting to retrieve agent configuration; server is not ready: failed to retrieve configuration from server: https://127.0.0.1:6444/v1-k3s/config: 401 Unauthorized"`;
const BAD_FLAG = `${T} level=fatal msg="flag provided but not defined: -xyz"`;

/** A process that does what the test says: print lines, exit, and exit 0 on stop like k3s on SIGTERM. */
class FakeProcess implements K3sProcess {
  readonly exited: Promise<K3sExit>;
  stops: number[] = [];
  private finish!: (exit: K3sExit) => void;
  constructor(
    readonly pid: number | undefined,
    private readonly spec: K3sSpec,
  ) {
    this.exited = new Promise((resolve) => (this.finish = resolve));
  }
  print(line: string) {
    this.spec.onLine?.(line);
  }
  exit(exit: K3sExit) {
    this.finish(exit);
  }
  async stop(graceMs: number) {
    this.stops.push(graceMs);
    this.finish({ code: 0, signal: null });
    await this.exited;
  }
}

class FakeRunner implements K3sRunner {
  procs: FakeProcess[] = [];
  spawnFails = false;
  start(spec: K3sSpec): FakeProcess {
    const proc = new FakeProcess(this.spawnFails ? undefined : 4000 + this.procs.length, spec);
    this.procs.push(proc);
    if (this.spawnFails) proc.exit({ code: null, signal: null, spawnError: { errno: 'ENOENT', message: 'spawn k3s ENOENT' } });
    return proc;
  }
  get current(): FakeProcess {
    return this.procs.at(-1)!;
  }
}

function setup(overrides: { stableAfterMs?: number } = {}) {
  const clock = new ManualClock();
  const runner = new FakeRunner();
  const { logger, records } = captureLogger();
  const changes: K3sStatus[] = [];
  const supervisor = new K3sSupervisor({
    runner,
    args: ['agent', '--server', 'https://10.0.0.1:6443'],
    clock,
    logger,
    context: { serverUrl: 'https://10.0.0.1:6443', nodeName: 'w1' },
    backoff: createBackoff({ name: 'k3s-restart', baseMs: 1000, maxMs: 30_000, jitter: 0 }),
    assumeReadyAfterMs: 30_000,
    stableAfterMs: overrides.stableAfterMs ?? 60_000,
    onChange: (s) => changes.push(s),
  });
  const moves = () => records.filter((r) => r.msg === 'k3s agent state changed').map((r) => `${r.from}→${r.to}`);
  return { clock, runner, supervisor, records, changes, moves };
}

describe('K3sSupervisor state machine', () => {
  it('goes stopped → starting → running on the ready line, logging each move once', async () => {
    const { runner, supervisor, moves, changes } = setup();
    expect(supervisor.status()).toEqual({ state: 'stopped', pid: null, restarts: 0, lastError: null });
    supervisor.start();
    expect(supervisor.status()).toMatchObject({ state: 'starting', pid: 4000 });
    runner.current.print(READY);
    runner.current.print(READY);
    expect(supervisor.status()).toEqual({ state: 'running', pid: 4000, restarts: 0, lastError: null });
    await supervisor.stop();
    expect(moves()).toEqual(['stopped→starting', 'starting→running', 'running→stopped']);
    expect(changes.map((c) => c.state)).toEqual(['starting', 'running', 'stopped']);
    expect(runner.current.stops).toEqual([10_000]);
  });

  it('assumes running after assumeReadyAfterMs without a ready line, but not while a failure shows', async () => {
    const { clock, runner, supervisor } = setup();
    supervisor.start();
    await clock.advance(29_999);
    expect(supervisor.status().state).toBe('starting');
    await clock.advance(1);
    expect(supervisor.status().state).toBe('running');
    await supervisor.stop();

    supervisor.start();
    runner.current.print(UNAUTHORIZED);
    await clock.advance(60_000);
    expect(supervisor.status()).toMatchObject({ state: 'starting', lastError: expect.stringContaining('401 Unauthorized') });
    await supervisor.stop();
  });

  it('restarts a crashed k3s with a doubling, capped backoff and counts restarts', async () => {
    const { clock, runner, supervisor, records } = setup();
    supervisor.start();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      runner.current.print(`${T} level=error msg="kubelet exited: boom ${i}"`);
      runner.current.exit({ code: 1, signal: null });
      await settle();
      expect(supervisor.status()).toMatchObject({ state: 'crashed', pid: null, restarts: i + 1, lastError: `k3s agent exited with code 1: kubelet exited: boom ${i}` });
      const [delay] = clock.pending();
      delays.push(delay);
      await clock.advance(delay);
      expect(supervisor.status().state).toBe('starting');
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(runner.procs).toHaveLength(8);
    expect(records.filter((r) => r.msg === 'k3s agent restart scheduled').map((r) => r.delayMs)).toEqual(delays);
    await supervisor.stop();
  });

  it('resets the backoff after a stable run', async () => {
    const { clock, runner, supervisor } = setup({ stableAfterMs: 60_000 });
    supervisor.start();
    for (const _ of [1, 2, 3]) {
      runner.current.exit({ code: 1, signal: null });
      await settle();
      await clock.advance(clock.pending()[0]);
    }
    runner.current.print(READY);
    await clock.advance(60_000);
    runner.current.exit({ code: 2, signal: null });
    await settle();
    expect(clock.pending()[0]).toBe(1000);
    await supervisor.stop();
  });

  it('logs a repeated failure once, and waits the capped delay when a retry cannot help', async () => {
    const { clock, runner, supervisor, records } = setup();
    supervisor.start();
    for (let i = 0; i < 5; i++) runner.current.print(UNAUTHORIZED);
    runner.current.exit({ code: 1, signal: null });
    await settle();
    await clock.advance(clock.pending()[0]);
    runner.current.print(UNAUTHORIZED); // the same failure after a restart is not news either
    runner.current.print(BAD_FLAG);
    runner.current.exit({ code: 1, signal: null });
    await settle();
    const recognised = records.filter((r) => r.msg === 'k3s agent failure recognised').map((r) => r.code);
    expect(recognised).toEqual(['K3S_TOKEN_REJECTED', 'K3S_BAD_FLAG']);
    expect(supervisor.failure()?.code).toBe('K3S_BAD_FLAG');
    expect(supervisor.status().lastError).toMatch(/--xyz.*K3S_EXTRA_ARGS/);
    expect(clock.pending()).toEqual([30_000]);
    await supervisor.stop();
  });

  it('diagnoses a missing k3s binary', async () => {
    const { runner, supervisor } = setup();
    runner.spawnFails = true;
    supervisor.start();
    await settle();
    expect(supervisor.status()).toMatchObject({ state: 'crashed', restarts: 1, lastError: expect.stringMatching(/could not be started \(ENOENT\).*K3S_BIN/) });
    expect(supervisor.failure()?.code).toBe('K3S_NOT_FOUND');
    await supervisor.stop();
  });

  it('stops during the backoff wait without starting k3s again, and can start again', async () => {
    const { clock, runner, supervisor, moves } = setup();
    supervisor.start();
    runner.current.exit({ code: 1, signal: null });
    await settle();
    await supervisor.stop();
    await clock.advance(60_000);
    expect(runner.procs).toHaveLength(1);
    expect(supervisor.status().state).toBe('stopped');
    supervisor.start();
    expect(runner.procs).toHaveLength(2);
    await supervisor.stop();
    await supervisor.stop(); // idempotent
    expect(moves()).toEqual(['stopped→starting', 'starting→crashed', 'crashed→stopped', 'stopped→starting', 'starting→stopped']);
  });

  it('refuses to start twice', () => {
    const { supervisor } = setup();
    supervisor.start();
    const err = (() => {
      try {
        supervisor.start();
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DaasError);
    expect((err as DaasError).code).toBe('K3S_ILLEGAL_STATE');
    expect((err as Error).message).toContain('starting');
    return supervisor.stop();
  });
});
