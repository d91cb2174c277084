/**
 * The command line of k8s-daas-localchain, parsed and validated into one options object.
 * Errors are CliError with a one-line message; main.ts prints it and exits 2.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_FAUCET_AMOUNT } from './index.ts';

export const USAGE = `Usage: k8s-daas-localchain [--port N] [--host 127.0.0.1] [--out FILE] [--state FILE] [--faucet-amount MIST]

A local Sui full node emulator for K8s-DaaS: serves the sui.rpc.v2 gRPC-web API and the faucet
(POST /v2/gas) on one port, with the k8s_daas package published at genesis.

  --port N             port to listen on; 0 or absent picks a free port
  --host ADDR          interface to listen on (default 127.0.0.1)
  --out FILE           also write the connection info JSON to FILE (mode 0600)
  --state FILE         keep the chain in FILE across restarts (created when missing; mode 0600)
  --faucet-amount MIST MIST per faucet request (default ${DEFAULT_FAUCET_AMOUNT}, i.e. 100 SUI)
  --help               show this help

When listening it prints one JSON line to stdout:
  {"rpcUrl","faucetUrl","packageId","registryId","schedulerId","masterCapId","masterPrivateKey"}
Logs go to stderr (LOG_LEVEL, default info).`;

export class CliError extends Error {}

export interface CliOptions {
  help: boolean;
  port: number;
  host: string;
  out?: string;
  stateFile?: string;
  faucetAmountMist: bigint;
}

/** The options `argv` asks for; throws CliError on an unknown flag or a bad value. */
export function parseCli(argv: string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        out: { type: 'string' },
        state: { type: 'string' },
        'faucet-amount': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new CliError((err as Error).message.split('\n')[0]);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!/^\d+$/.test(values.port ?? '0') || port > 65535) throw new CliError(`--port: expected a port number 0-65535, got ${JSON.stringify(values.port)}`);
  const amount = values['faucet-amount'];
  if (amount !== undefined && (!/^\d+$/.test(amount) || BigInt(amount) === 0n || BigInt(amount) >= 1n << 64n)) {
    throw new CliError(`--faucet-amount: expected a positive amount of MIST, got ${JSON.stringify(amount)}`);
  }
  for (const flag of ['host', 'out', 'state'] as const) {
    if (values[flag] === '') throw new CliError(`--${flag}: must not be empty`);
  }
  return {
    help: values.help ?? false,
    port,
    host: values.host ?? '127.0.0.1',
    out: values.out,
    stateFile: values.state,
    faucetAmountMist: amount === undefined ? DEFAULT_FAUCET_AMOUNT : BigInt(amount),
  };
}
