/**
 * `npm run build:agent [-- --out-dir DIR]`: bundles the agent (agent/main.ts and every dependency)
 * into one ES module and packs the tree the installer installs:
 *
 *   k8s-daas-agent/bin/k8s-daas-agent   #!/bin/sh wrapper: exec node lib/agent.mjs "$@"
 *   k8s-daas-agent/lib/agent.mjs        the bundle (Node.js >= 20.19, no node_modules needed)
 *   k8s-daas-agent/VERSION              <package version>+<first 12 hex of the bundle's sha256>
 *
 * as `<out>/k8s-daas-agent.tgz` and `<out>/k8s-daas-agent.tgz.sha256` (sha256sum format). The
 * archive is reproducible: sorted entries, owner 0:0, mtime SOURCE_DATE_EPOCH (default 0) and a
 * fixed gzip header, so the same sources and toolchain give the same bytes, and an unchanged agent
 * keeps its hash (the installer then skips the download). Both files are written by rename, the
 * checksum last. The bundle is run once (`new-seal-token`) before anything is written.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE_NAME = 'k8s-daas-agent.tgz';
const TOP = 'k8s-daas-agent';

/** ws loads these native speed-ups when present and works without them; everything else is inlined. */
const OPTIONAL_NATIVE = ['bufferutil', 'utf-8-validate'];
/** Master-only dependencies: if one of these shows up in the agent's bundle, an import went astray. */
const MASTER_ONLY = ['better-sqlite3', '@kubernetes/client-node', 'node-cron', 'prom-client'];

// CommonJS dependencies (systeminformation, pino, ws) call require(); an ES module has none.
const BANNER = [
  "import { createRequire as __k8sDaasCreateRequire } from 'node:module';",
  'const require = __k8sDaasCreateRequire(import.meta.url);',
].join('\n');

const WRAPPER = `#!/bin/sh
# k8s-daas-agent: runs the bundled agent (lib/agent.mjs) with Node.js >= 20.19 from PATH,
# or with the node given in K8S_DAAS_NODE. Follows symlinks to find its own directory.
set -e
self=$0
while [ -L "$self" ]; do
    link=$(readlink "$self")
    case $link in
        /*) self=$link ;;
        *) self=$(dirname "$self")/$link ;;
    esac
done
here=$(cd "$(dirname "$self")/.." && pwd -P)
exec "\${K8S_DAAS_NODE:-node}" "$here/lib/agent.mjs" "$@"
`;

interface Entry {
  path: string;
  mode: number;
  body?: Buffer;
}

/** The bundle's bytes. Throws when esbuild fails or a master-only dependency was pulled in. */
export async function bundleAgent(): Promise<Buffer> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['agent/main.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: OPTIONAL_NATIVE,
    banner: { js: BANNER },
    legalComments: 'eof',
    // ASCII, non-ASCII characters as \u escapes: V8 keeps a module's source text in the heap for as
    // long as the process runs, and one character outside Latin-1 (zod's locales carry hundreds)
    // makes the whole text two bytes per character — 3 MB more resident memory for the agent.
    charset: 'ascii',
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  const stray = masterOnlyInputs(result.metafile);
  if (stray.length > 0) throw new Error(`the agent bundle pulled in master-only packages: ${stray.join(', ')}`);
  return Buffer.from(asciiComments(result.outputFiles[0].text), 'utf8');
}

/**
 * esbuild's ASCII charset escapes strings, regular expressions and identifiers but leaves the
 * comments it keeps (doc comments inside classes, licences) as written, and one `⋅` there is enough
 * to make V8 hold the whole source in two-byte form. With code already escaped, what is left is
 * comment text: written out as `\u{…}`, it reads the same to a person and to no program.
 */
export function asciiComments(code: string): string {
  return code.replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

function masterOnlyInputs(meta: Metafile): string[] {
  const found = new Set<string>();
  for (const input of Object.keys(meta.inputs)) {
    for (const pkg of MASTER_ONLY) if (input.includes(`node_modules/${pkg}/`)) found.add(pkg);
  }
  return [...found];
}

/** The archive's entries, parents before children, sorted. */
export function bundleEntries(agent: Buffer, version: string): Entry[] {
  const entries: Entry[] = [
    { path: `${TOP}/`, mode: 0o755 },
    { path: `${TOP}/VERSION`, mode: 0o644, body: Buffer.from(`${version}\n`) },
    { path: `${TOP}/bin/`, mode: 0o755 },
    { path: `${TOP}/bin/k8s-daas-agent`, mode: 0o755, body: Buffer.from(WRAPPER) },
    { path: `${TOP}/lib/`, mode: 0o755 },
    { path: `${TOP}/lib/agent.mjs`, mode: 0o644, body: agent },
  ];
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A POSIX ustar archive of `entries` (owner root:root, one fixed mtime), padded to 10 KiB records as tar does. */
export function tarArchive(entries: readonly Entry[], mtime: number): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    blocks.push(tarHeader(e, mtime));
    if (e.body) blocks.push(e.body, Buffer.alloc((512 - (e.body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const size = blocks.reduce((n, b) => n + b.length, 0);
  blocks.push(Buffer.alloc((10240 - (size % 10240)) % 10240));
  return Buffer.concat(blocks);
}

function tarHeader(e: Entry, mtime: number): Buffer {
  if (Buffer.byteLength(e.path) > 100) throw new Error(`tar path too long: ${e.path}`);
  const h = Buffer.alloc(512);
  const octal = (value: number, offset: number, width: number) => h.write(`${value.toString(8).padStart(width - 1, '0')}\0`, offset, 'ascii');
  h.write(e.path, 0, 'utf8');
  octal(e.mode, 100, 8);
  octal(0, 108, 8); // uid
  octal(0, 116, 8); // gid
  octal(e.body?.length ?? 0, 124, 12);
  octal(mtime, 136, 12);
  h.write(e.body ? '0' : '5', 156, 'ascii'); // regular file or directory
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  h.fill(' ', 148, 156); // the checksum is computed with its own field as spaces
  const sum = h.reduce((n, byte) => n + byte, 0);
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** gzip with a fixed header: no name, mtime 0 (zlib's default) and OS = Unix whatever the build host. */
export function reproducibleGzip(data: Buffer): Buffer {
  const out = gzipSync(data, { level: 9 });
  out[9] = 3;
  return out;
}

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Runs `node agent.mjs new-seal-token` on the bundle; throws unless it prints a token. */
export function smokeTest(agent: Buffer): void {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-daas-agent-smoke-'));
  try {
    const file = join(dir, 'agent.mjs');
    writeFileSync(file, agent);
    const out = execFileSync(process.execPath, [file, 'new-seal-token'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } }).trim();
    if (out.length < 32) throw new Error(`the bundled agent printed ${JSON.stringify(out)} for new-seal-token`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes `data` to `file` by rename: a reader (a running master, a download) never sees half a file. */
export function writeAtomically(file: string, data: Buffer | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode: 0o644 });
  renameSync(tmp, file);
}

/** Builds, checks and writes the bundle; returns the archive's path and sha256. */
export async function buildAgentBundle(outDir: string): Promise<{ file: string; sha256: string; version: string; bytes: number }> {
  const agent = await bundleAgent();
  smokeTest(agent);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const version = `${pkg.version}+${sha256(agent).slice(0, 12)}`;
  const mtime = Number(process.env.SOURCE_DATE_EPOCH ?? 0);
  if (!Number.isInteger(mtime) || mtime < 0) throw new Error('SOURCE_DATE_EPOCH must be whole seconds since 1970');
  const tgz = reproducibleGzip(tarArchive(bundleEntries(agent, version), mtime));
  const hash = sha256(tgz);
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, BUNDLE_NAME);
  writeAtomically(file, tgz);
  writeAtomically(`${file}.sha256`, `${hash}  ${BUNDLE_NAME}\n`);
  return { file, sha256: hash, version, bytes: tgz.length };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } } });
  const outDir = resolve(values['out-dir'] ?? join(ROOT, 'dist'));
  const r = await buildAgentBundle(outDir);
  const rel = relative(process.cwd(), r.file);
  const shown = rel.startsWith('..') ? r.file : rel;
  process.stdout.write(`${shown}: k8s-daas-agent ${r.version}, ${r.bytes} bytes\nsha256 ${r.sha256}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`build-agent-bundle: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
