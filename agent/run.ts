/**
 * `k8s-daas-agent run`, the long-running process. The one-off work — configuration, registration,
 * the host's static facts — runs first in a child process (startup/prepare.ts); this process then
 * holds only what it needs for the rest of its life: the session with the master (ws), the k3s
 * supervisor (node:child_process), the host readings (/proc on Linux) and the seal key (node:crypto).
 * Issue 4's budget is bare node + 30 MiB, and every module imported here counts against it for as
 * long as the agent runs: keep heavy imports out of this file's import graph.
 */
import { systemClock } from '../shared/clock.ts';
import { createLogger } from '../shared/logging/logger.ts';
import { stopOnSignals } from '../shared/process/stop-on-signals.ts';
import { startAgent } from './agent.ts';
import { createProcessRunner } from './k3s/runner.ts';
import { createHostMetricsCollector, type SystemInfoApi } from './metrics/collector.ts';
import { createLinuxHostApi } from './metrics/linux-host.ts';
import { staticHostApiOf, type StaticHostFacts } from './metrics/static-facts.ts';
import { sealSignerOf } from './session/seal-signer.ts';
import { PrepareFailed, prepareInChild } from './startup/prepare-child.ts';

/** The signals that stop the agent, and k3s with it. */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** `prepareArgs`: the flags the startup step needs to find the same configuration (`--env-file FILE`). */
export async function run(prepareArgs: readonly string[]): Promise<void> {
  let prepared;
  try {
    prepared = await prepareInChild(prepareArgs);
  } catch (err) {
    if (!(err instanceof PrepareFailed)) throw err;
    // The step printed its own error (stderr is shared); only a signal leaves it unsaid.
    if (err.signal) process.stderr.write(`k8s-daas-agent: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  const { config: c, registration } = prepared;
  const logger = createLogger({ level: c.logLevel, name: 'k8s-daas-agent' });
  const metrics = createHostMetricsCollector({ si: await hostApi(prepared.facts), clock: systemClock, logger });
  void metrics.start();
  const agent = await startAgent({
    config: c,
    registration,
    sealKey: sealSignerOf(c.sealToken),
    runner: createProcessRunner({ bin: c.k3sBin }),
    metrics,
    clock: systemClock,
    logger,
  });
  // A second signal during the shutdown must not kill the agent with k3s still up: stopOnSignals absorbs it.
  stopOnSignals({ signals: STOP_SIGNALS, logger, message: 'agent shutting down', stop: () => agent.stop() });
}

/** The static facts from the startup step, the rest read live: from /proc on Linux, else by systeminformation. */
async function hostApi(facts: Promise<StaticHostFacts>): Promise<SystemInfoApi> {
  const live = process.platform === 'linux' ? createLinuxHostApi() : await import('systeminformation');
  const { mem, fsSize, currentLoad, networkStats } = live;
  return { ...staticHostApiOf(facts), mem, fsSize, currentLoad, networkStats };
}
