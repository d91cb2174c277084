/**
 * The agent's run lifecycle once the startup step (startup/prepare.ts) has registered it: keep a
 * session with the master, run `k3s agent` with the join token the master hands out, and report
 * host metrics. run.ts builds the real adapters; tests hand in fakes.
 */
import type { Logger } from 'pino';
import type { Clock } from '../shared/clock.ts';
import type { WorkerRegistration } from './registration/register-once.ts';
import type { RunConfig } from './config/schema.ts';
import { buildK3sAgentArgs, OWNER_LABEL, STAKE_LABEL } from './k3s/args.ts';
import type { K3sRunner } from './k3s/runner.ts';
import { K3sSupervisor, type K3sStatus } from './k3s/supervisor.ts';
import { writeTokenFile } from './k3s/token-file.ts';
import type { MetricsSource } from './session/heartbeat.ts';
import type { SealSigner } from './session/seal-signer.ts';
import { MasterSession } from './session/session.ts';
import { writeAgentStatus } from './status-file.ts';
import type { Welcome } from '../shared/protocol/messages.ts';

export const AGENT_VERSION = '0.1.0';

export interface AgentDeps {
  config: RunConfig;
  /** What registration did or found; null when the worker was registered from a wallet (no owner key). */
  registration: WorkerRegistration | null;
  /** The seal key that answers the master's challenge. */
  sealKey: SealSigner;
  runner: K3sRunner;
  metrics: MetricsSource;
  clock: Clock;
  logger: Logger;
  k3sEnv?: Readonly<Record<string, string>>;
  /** Overrides for tests (short timeouts). */
  sessionTimeouts?: ConstructorParameters<typeof MasterSession>[0]['timeouts'];
}

export interface RunningAgent {
  registration: WorkerRegistration | null;
  session: MasterSession;
  k3s(): K3sStatus;
  stop(): Promise<void>;
}

const STOPPED: K3sStatus = { state: 'stopped', pid: null, restarts: 0, lastError: null };

/** Connects and keeps k3s running until stop(). */
export async function startAgent(deps: AgentDeps): Promise<RunningAgent> {
  const { config, registration, logger: log } = deps;
  let supervisor: K3sSupervisor | null = null;
  let current: { serverUrl: string; joinToken: string } | null = null;
  let stopping = false;
  const k3s = () => supervisor?.status() ?? STOPPED;

  const onWelcome = async (welcome: Welcome) => {
    if (stopping) return;
    if (current && current.serverUrl === welcome.serverUrl && current.joinToken === welcome.joinToken && supervisor) return;
    await supervisor?.stop();
    const tokenFile = await writeTokenFile({ dir: config.stateDir, token: welcome.joinToken });
    // stop() began meanwhile: it has stopped (or will stop) the supervisor it saw; a new k3s now would outlive the agent.
    if (stopping) return;
    // The master states owner and stake (it read them on chain); the agent renders them as labels.
    const { [OWNER_LABEL]: owner, [STAKE_LABEL]: stake, ...labels } = welcome.labels;
    const args = buildK3sAgentArgs({
      serverUrl: welcome.serverUrl,
      tokenFile,
      nodeId: config.nodeId,
      ownerAddress: owner ?? registration?.owner ?? '',
      stakeMist: stake ?? registration?.stakeMist ?? 0n,
      labels,
      extraArgs: config.k3sExtraArgs,
    });
    supervisor = new K3sSupervisor({ runner: deps.runner, args, env: deps.k3sEnv, clock: deps.clock, logger: log, context: { serverUrl: welcome.serverUrl, nodeName: config.nodeId, bin: config.k3sBin } });
    current = { serverUrl: welcome.serverUrl, joinToken: welcome.joinToken };
    log.info({ nodeId: config.nodeId, serverUrl: welcome.serverUrl }, `🚀 Starting k3s agent for ${config.nodeId}`);
    supervisor.start();
  };

  const session = new MasterSession({
    url: config.masterUrl,
    nodeId: config.nodeId,
    sealKey: deps.sealKey,
    agentVersion: AGENT_VERSION,
    registrationDigest: registration?.digest ?? undefined,
    pinSha256: config.masterCaSha256,
    clock: deps.clock,
    logger: log,
    metrics: deps.metrics,
    k3sStatus: k3s,
    onWelcome,
    onRevoke: async (reason) => {
      log.warn({ nodeId: config.nodeId, reason }, `⛔ Worker ${config.nodeId} revoked by the master (${reason}); stopping k3s`);
      await supervisor?.stop();
      current = null;
    },
    timeouts: deps.sessionTimeouts,
  });
  session.start();

  const writeStatus = () =>
    writeAgentStatus(config.stateDir, { nodeId: config.nodeId, registration, session: session.status(), k3s: k3s(), updatedAt: deps.clock.now() }).catch((err: Error) =>
      log.debug({ err: err.message }, 'could not write the status file'),
    );
  void writeStatus();
  const statusTimer = setInterval(writeStatus, 5_000);

  return {
    registration,
    session,
    k3s,
    async stop() {
      stopping = true;
      clearInterval(statusTimer);
      // Both at once: k3s must not wait for the master to answer the close (up to closeMs) — a
      // service manager that loses patience kills the agent, and k3s with it only by luck.
      await Promise.all([session.stop(), supervisor?.stop()]);
      await writeStatus();
    },
  };
}
