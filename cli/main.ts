/**
 * `k8s-daas request …`: the owner's CLI for Kubernetes API requests through the chain. Parses,
 * validates and wires; the only place real adapters are built.
 */
import { systemClock } from '../shared/clock.ts';
import { createSuiClient } from '../shared/chain/sui-client.ts';
import { signerFromKey } from '../shared/chain/signer.ts';
import { WorkerChain } from '../shared/chain/worker-chain.ts';
import { loadEnvFile } from '../shared/config/env-file.ts';
import { loadSigningKey } from '../shared/config/signing-key.ts';
import { DaasError } from '../shared/errors.ts';
import { USAGE, parseRequestArgs } from './args.ts';
import { loadCliConfig } from './config.ts';
import { runRequestCommand } from './run.ts';

function fail(lines: string[], code: number): never {
  for (const line of lines) process.stderr.write(`k8s-daas: ${line}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseRequestArgs(argv);
  if (!parsed.ok) fail([parsed.message, 'run `k8s-daas --help` for usage'], 2);
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const cmd = parsed.command;
  const loaded = loadCliConfig({ env: process.env, envFile: cmd.envFile ? loadEnvFile(cmd.envFile) : undefined });
  if (!loaded.ok) fail(loaded.errors.map((e) => e.message), 2);
  const c = loaded.config;
  const signer = signerFromKey(loadSigningKey(c));
  const chain = new WorkerChain({
    client: createSuiClient({ url: c.SUI_RPC_URL, transport: c.SUI_RPC_TRANSPORT }),
    ids: { packageId: c.K8S_DAAS_PACKAGE_ID, registryId: c.K8S_DAAS_REGISTRY_ID, schedulerId: c.K8S_DAAS_SCHEDULER_ID },
  });
  return runRequestCommand(cmd, { chain, signer, clock: systemClock, out: process.stdout, err: process.stderr, masterUrl: c.K8S_DAAS_MASTER_URL });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof DaasError) fail([err.message], err.code === 'CONFIG' ? 2 : 1);
    process.stderr.write(`k8s-daas: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
