/**
 * The bundled (no tsx) agent to measure beside the tsx one. By default it is built fresh from the
 * sources with the project's own build (`scripts/build-agent-bundle.ts`, i.e. `npm run build:agent`)
 * into a temporary directory — dist/ is left alone. `--bundle PATH` takes an existing build instead:
 * the .tgz that build writes, a directory it was unpacked into, or the .mjs itself.
 *
 * The archive holds k8s-daas-agent/bin/k8s-daas-agent (a sh wrapper doing `exec node lib/agent.mjs`)
 * and k8s-daas-agent/lib/agent.mjs; we run `node lib/agent.mjs` directly, which is the process the
 * wrapper execs into (same pid, same code).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const BUILD_SCRIPT = 'scripts/build-agent-bundle.ts';
export const BUNDLE_NAME = 'k8s-daas-agent.tgz';

export interface Bundle {
  /** Where it came from (for the report). */
  source: string;
  /** The file `node` runs. */
  entry: string;
  /** Working directory for the process. */
  cwd: string;
  /** k8s-daas-agent/VERSION when present. */
  version?: string;
}

/** The agent entry inside an unpacked tree: <dir>/[k8s-daas-agent/]lib/agent.mjs. */
function entryOfTree(dir: string, source: string): Bundle {
  for (const root of [join(dir, 'k8s-daas-agent'), dir]) {
    const entry = join(root, 'lib', 'agent.mjs');
    if (existsSync(entry)) {
      const versionFile = join(root, 'VERSION');
      const version = existsSync(versionFile) ? readFileSync(versionFile, 'utf8').trim() : undefined;
      return { source, entry, cwd: root, ...(version && { version }) };
    }
  }
  throw new Error(`${source}: no k8s-daas-agent/lib/agent.mjs or lib/agent.mjs in it`);
}

function unpack(tgz: string, source: string): Bundle {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-daas-agent-bundle-'));
  execFileSync('tar', ['-xzf', tgz, '-C', dir]);
  return entryOfTree(dir, source);
}

/** An existing build: a .tgz, an unpacked directory, or the .mjs. */
export function bundleFromPath(repoRoot: string, spec: string): Bundle {
  const path = resolve(repoRoot, spec);
  if (!existsSync(path)) throw new Error(`--bundle ${spec}: no such file or directory`);
  if (statSync(path).isDirectory()) return entryOfTree(path, spec);
  if (/\.(tgz|tar\.gz)$/.test(path)) return unpack(path, spec);
  if (/\.m?js$/.test(path)) return { source: spec, entry: path, cwd: dirname(path) };
  throw new Error(`--bundle ${spec}: expected the .tgz, a directory it was unpacked into, or the .mjs`);
}

/** Builds the bundle from the current sources into a temporary directory; null when the project has no build script. */
export function buildBundle(repoRoot: string): Bundle | null {
  if (!existsSync(join(repoRoot, BUILD_SCRIPT))) return null;
  const out = mkdtempSync(join(tmpdir(), 'k8s-daas-agent-build-'));
  execFileSync(process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), BUILD_SCRIPT, '--out-dir', out], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  return unpack(join(out, BUNDLE_NAME), `${BUILD_SCRIPT} --out-dir ${out} (built now from the working tree)`);
}
