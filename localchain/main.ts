/**
 * k8s-daas-localchain: parse the flags, start the chain, print its connection info as one JSON
 * line (and to --out), stop cleanly on SIGINT/SIGTERM. Everything else lives in index.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { createLogger } from '../shared/logging/logger.ts';
import { stopOnSignals } from '../shared/process/stop-on-signals.ts';
import { CliError, USAGE, parseCli, type CliOptions } from './cli-args.ts';
import { startLocalChain } from './index.ts';

function writeInfo(file: string, json: string): void {
  // Same directory + rename: a reader never sees half a file; 0600: it holds the master's key.
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, `${json}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    process.stderr.write(`k8s-daas-localchain: ${err.message} (see --help)\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const level = (process.env.LOG_LEVEL ?? 'info') as 'info';
  const logger = createLogger({ level, name: 'k8s-daas-localchain', destination: pino.destination({ fd: 2, sync: true }) });
  const chain = await startLocalChain({
    port: options.port,
    host: options.host,
    stateFile: options.stateFile,
    faucetAmountMist: options.faucetAmountMist,
    logger,
  });
  const json = JSON.stringify(chain.info);
  if (options.out) writeInfo(options.out, json);
  process.stdout.write(`${json}\n`);

  stopOnSignals({ signals: ['SIGINT', 'SIGTERM'], logger, message: 'stopping', stop: () => chain.close() });
}

main().catch((err: unknown) => {
  process.stderr.write(`k8s-daas-localchain: ${(err as Error).message}\n`);
  process.exit(1);
});
