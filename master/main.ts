/**
 * `k8s-daas-master [serve|workers] [--env-file FILE]`: parses, validates and wires. The only place
 * real adapters are built; everything else receives them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { systemClock } from '../shared/clock.ts';
import { createSuiClient } from '../shared/chain/sui-client.ts';
import { signerFromKey } from '../shared/chain/signer.ts';
import { WorkerChain } from '../shared/chain/worker-chain.ts';
import { EventsThread } from '../shared/chain/events-thread.ts';
import { loadEnvFile } from '../shared/config/env-file.ts';
import { loadSigningKey } from '../shared/config/signing-key.ts';
import { DaasError } from '../shared/errors.ts';
import { createLogger } from '../shared/logging/logger.ts';
import { stopOnSignals } from '../shared/process/stop-on-signals.ts';
import { startMaster } from './app.ts';
import { defaultDownloadPaths, downloadRoutes, downloadsProblem } from './downloads/routes.ts';
import { WORKERS_USAGE, localMasterUrl, parseWorkersArgs, runWorkersCommand } from './cli/workers.ts';
import { loadMasterConfig } from './config.ts';
import { tuneHeapGrowth } from './heap-tuning.ts';
import { bootstrapTokenProvider, execaK3sCli, nodeTokenProvider } from './tokens/join-tokens.ts';

const USAGE = `usage: k8s-daas-master [serve] [--env-file FILE]
       k8s-daas-master workers [--url http://127.0.0.1:8080] [--env-file FILE]`;
const DEFAULT_ENV_FILE = '/etc/k8s-daas/master.env';

function fail(lines: string[], code = 2): never {
  for (const line of lines) process.stderr.write(`k8s-daas-master: ${line}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  const command = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'serve';
  const rest = command === argv[0] ? argv.slice(1) : argv;
  if (command === 'help' || rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { envFile, args } = takeEnvFile(rest);
  if (command === 'workers') {
    const parsed = parseWorkersArgs(args, urlFromConfig(envFile));
    if (!parsed.ok) fail([parsed.message]);
    if (parsed.help) return void process.stdout.write(`${WORKERS_USAGE}\n`);
    process.exitCode = await runWorkersCommand({ url: parsed.url, out: process.stdout, err: process.stderr });
    return;
  }
  if (command !== 'serve') fail([`unknown command "${command}"`, USAGE]);
  if (args.length > 0) fail([`unexpected argument ${JSON.stringify(args[0])}`, USAGE]);
  await serve(envFile);
}

/** Splits `--env-file FILE` / `--env-file=FILE` off the arguments. */
function takeEnvFile(argv: string[]): { envFile?: string; args: string[] } {
  const { values, tokens } = parseArgs({ args: argv, options: { 'env-file': { type: 'string' } }, strict: false, tokens: true });
  const used = new Set(tokens.filter((t) => t.kind === 'option' && t.name === 'env-file').flatMap((t) => [t.index, ...(t.kind === 'option' && t.inlineValue === false ? [t.index + 1] : [])]));
  return { envFile: values['env-file'] as string | undefined, args: argv.filter((_, i) => !used.has(i)) };
}

function sources(envFile: string | undefined) {
  const file = envFile ?? (existsSync(DEFAULT_ENV_FILE) ? DEFAULT_ENV_FILE : undefined);
  return { env: process.env, envFile: file ? loadEnvFile(file) : undefined };
}

function urlFromConfig(envFile: string | undefined): string {
  const env = { ...sources(envFile).envFile, ...process.env };
  return localMasterUrl(env.K8S_DAAS_LISTEN ?? '127.0.0.1:8080', Boolean(env.K8S_DAAS_TLS_CERT));
}

async function serve(envFile: string | undefined): Promise<void> {
  const loaded = loadMasterConfig(sources(envFile));
  if (!loaded.ok) fail(loaded.errors.map((e) => e.message));
  const c = loaded.config;
  const logger = createLogger({ level: c.LOG_LEVEL, name: 'k8s-daas-master' });
  const heapFlag = tuneHeapGrowth();
  logger.debug({ flag: heapFlag ?? 'set by the operator' }, 'V8 heap growth');
  const signer = c.SUI_PRIVATE_KEY || c.SUI_KEYSTORE ? signerFromKey(loadSigningKey(c)) : undefined;
  const rpc = { url: c.SUI_RPC_URL, transport: c.SUI_RPC_TRANSPORT };
  const chainEvents = new EventsThread(rpc);
  const chain = new WorkerChain({
    client: createSuiClient(rpc),
    ids: { packageId: c.K8S_DAAS_PACKAGE_ID, registryId: c.K8S_DAAS_REGISTRY_ID, schedulerId: c.K8S_DAAS_SCHEDULER_ID },
  });
  const tokens =
    c.K3S_TOKEN_MODE === 'bootstrap'
      ? bootstrapTokenProvider({ cli: execaK3sCli(c.K3S_BIN), ttl: c.K3S_TOKEN_TTL, logger })
      : nodeTokenProvider({ file: c.K3S_TOKEN_FILE, logger });
  const downloads = defaultDownloadPaths();
  const problem = downloadsProblem(downloads);
  if (problem) logger.warn({ problem }, 'worker installs from this master will fail');
  const master = await startMaster({
    masterId: c.K8S_DAAS_MASTER_ID,
    chain,
    chainEvents,
    tokens,
    clock: systemClock,
    logger,
    dbPath: c.K8S_DAAS_DB,
    listen: c.K8S_DAAS_LISTEN,
    tls: c.K8S_DAAS_TLS_CERT && c.K8S_DAAS_TLS_KEY ? { cert: readFileSync(c.K8S_DAAS_TLS_CERT), key: readFileSync(c.K8S_DAAS_TLS_KEY) } : undefined,
    serverUrl: c.K3S_SERVER_URL,
    pollIntervalMs: c.K8S_DAAS_POLL_INTERVAL_MS,
    heartbeatIntervalMs: c.K8S_DAAS_HEARTBEAT_INTERVAL_MS,
    offlineAfterMs: c.K8S_DAAS_OFFLINE_AFTER_MS,
    authTimeoutMs: c.K8S_DAAS_AUTH_TIMEOUT_MS,
    pendingTimeoutMs: c.K8S_DAAS_PENDING_TIMEOUT_MS,
    sweepSchedule: c.K8S_DAAS_SWEEP_SCHEDULE,
    signer,
    kubeconfigPath: c.K3S_KUBECONFIG,
    extraRoutes: () => downloadRoutes(downloads),
  });
  const stop = async () => {
    await master.close();
    await chainEvents.close();
  };
  stopOnSignals({ signals: ['SIGTERM', 'SIGINT'], logger, message: 'shutting down', stop });
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof DaasError) fail([err.message], 1);
  process.stderr.write(`k8s-daas-master: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
