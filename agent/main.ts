/**
 * `k8s-daas-agent [run|register|status|seal-pubkey|new-seal-token] [--env-file FILE]`: parses the
 * command line and hands over. Each command's code is imported only when that command runs, so the
 * long-running `run` never loads what the one-shot commands and the startup step need (the Sui SDK,
 * the configuration schemas, systeminformation): in the bundle (scripts/build-agent-bundle.ts) such
 * a dynamic import stays a module that is evaluated on first use.
 */
import { parseArgs } from 'node:util';
import { DaasError } from '../shared/errors.ts';
import type { AgentConfigSources } from './config/load.ts';
import { PREPARE_COMMAND } from './startup/prepare-child.ts';

const USAGE = `usage: k8s-daas-agent [command] [--env-file FILE]
commands:
  run             register once if needed, connect to the master, run k3s (default)
  register        register only; print the transaction digest and StakeProof id
  status          what this host's agent knows: node id, registration, master session, k3s
  seal-pubkey     print the seal public key of K8S_DAAS_SEAL_TOKEN(_FILE), for registering from a wallet
  new-seal-token  print a fresh random seal token`;
const DEFAULT_ENV_FILE = '/etc/k8s-daas/agent.env';

function fail(message: string, code = 1): never {
  process.stderr.write(`k8s-daas-agent: ${message.replace(/\n/g, '\nk8s-daas-agent: ')}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { 'env-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: false });
  const command = positionals[0] ?? 'run';
  if (values.help || command === 'help') return void process.stdout.write(`${USAGE}\n`);
  const envFile = values['env-file'] as string | undefined;
  const sources: AgentConfigSources = { env: process.env, envFilePath: envFile ?? DEFAULT_ENV_FILE, envFileOptional: !envFile };
  switch (command) {
    case 'new-seal-token':
      return void process.stdout.write(`${(await import('./commands.ts')).newSealToken()}\n`);
    case 'seal-pubkey':
      return (await import('./commands.ts')).sealPubkey(sources);
    case 'status':
      return (await import('./commands.ts')).status(sources);
    case 'register':
      return (await import('./commands.ts')).register(sources);
    case 'run':
      // The startup step runs in a child (startup/prepare.ts); it must find the same env file.
      return (await import('./run.ts')).run(envFile ? ['--env-file', envFile] : []);
    case PREPARE_COMMAND:
      return (await import('./startup/prepare.ts')).prepareChild(sources);
    default:
      fail(`unknown command "${command}"\n${USAGE}`, 2);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof DaasError) fail(err.message, err.code === 'CONFIG' ? 2 : 1);
  process.stderr.write(`k8s-daas-agent: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
