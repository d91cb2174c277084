/**
 * `npm run build:master [-- --out FILE]`: bundles the master (master/main.ts and the project's own
 * modules) into one ES module, `dist/master/k8s-daas-master.mjs` by default: the file the systemd
 * unit runs. Packages are not inlined: they load from the checkout's node_modules as Node loads
 * them (better-sqlite3 is a native addon and could not be inlined anyway), so the bundle must stay
 * inside the checkout, as dist/ is.
 *
 * Why a bundle and not `bin/k8s-daas-master.mjs` (tsx): tsx compiles the sources at every start and
 * keeps each module's source text and source map in the heap for the life of the process. That is
 * tens of megabytes of old generation for V8 to mark again and again while 10,000 agents beat, and
 * it showed in the master's ack latency and throughput (bench/README.md, "Master load").
 * The bundle is run once (`help`) before it replaces the previous one.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { asciiComments, writeAtomically } from './build-agent-bundle.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const MASTER_BUNDLE = join(ROOT, 'dist/master/k8s-daas-master.mjs');

/** One Node.js program and the project's modules it imports as one ES module; packages stay imports. */
export async function bundleProgram(entry: string): Promise<string> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // ASCII only: one character outside Latin-1 makes V8 hold the whole source two bytes per character.
    charset: 'ascii',
    legalComments: 'eof',
    write: false,
    logLevel: 'warning',
  });
  return asciiComments(result.outputFiles[0].text);
}

/** Writes `code` to `file` (and its directory) by rename, so a running master's file is never half-written. */
export function writeModule(file: string, code: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeAtomically(file, code);
}

/**
 * Bundles master/main.ts, checks that the result starts (`help`), and installs it as `out`.
 * @throws when esbuild fails, `out` is outside the checkout, or the bundle does not run.
 */
export async function buildMasterBundle(out: string = MASTER_BUNDLE): Promise<{ file: string; bytes: number }> {
  const file = resolve(out);
  if (relative(ROOT, file).startsWith('..')) throw new Error(`${file} is outside the checkout ${ROOT}: the bundle loads its packages from the checkout's node_modules`);
  const code = await bundleProgram('master/main.ts');
  const trial = `${file}.trial-${process.pid}.mjs`;
  writeModule(trial, code);
  try {
    const usage = execFileSync(process.execPath, [trial, 'help'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    if (!usage.includes('k8s-daas-master')) throw new Error(`the bundled master printed ${JSON.stringify(usage.slice(0, 200))} for help`);
    renameSync(trial, file);
  } catch (err) {
    rmSync(trial, { force: true });
    throw err;
  }
  return { file, bytes: Buffer.byteLength(code) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const r = await buildMasterBundle(values.out);
  process.stdout.write(`${relative(process.cwd(), r.file) || r.file}: k8s-daas-master, ${r.bytes} bytes\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`build-master-bundle: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
