/**
 * What a worker host downloads from the master: the installer (`GET /install.sh`) and the agent
 * bundle it installs (`GET /dist/k8s-daas-agent.tgz` and its `.sha256`, built by `npm run
 * build:agent`). Three fixed paths, each mapped to one file, so no request path ever reaches the
 * file system. Files are read per request (a rebuild shows up without a restart) and streamed from
 * one open descriptor, so a rebuild that renames a new file in place never mixes two versions.
 */
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { HttpRoute } from '../http/api.ts';
import { sendError } from '../http/respond.ts';
import { packageRoot } from '../package-root.ts';

export const BUNDLE_FILE = 'k8s-daas-agent.tgz';

export interface DownloadOptions {
  /** Where `npm run build:agent` wrote the bundle (the repository's `dist/` by default). */
  distDir: string;
  /** The installer script to serve (the repository's `scripts/install.sh` by default). */
  installScript: string;
}

/** The repository's own `dist/` and `scripts/install.sh`, as the master runs from a checkout. */
export function defaultDownloadPaths(): DownloadOptions {
  const root = packageRoot();
  return { distDir: join(root, 'dist'), installScript: join(root, 'scripts/install.sh') };
}

/** A line for the master's startup log when installs would fail (bundle or script missing), else null. */
export function downloadsProblem(options: DownloadOptions): string | null {
  if (!existsSync(options.installScript)) return `the installer ${options.installScript} is missing: GET /install.sh answers 404`;
  if (!existsSync(join(options.distDir, BUNDLE_FILE))) return `the agent bundle is not built: GET /dist/${BUNDLE_FILE} answers 404 until \`npm run build:agent\` writes it to ${options.distDir}`;
  return null;
}

/** `GET /install.sh`, `GET /dist/k8s-daas-agent.tgz`, `GET /dist/k8s-daas-agent.tgz.sha256` (HEAD too). Never throws. */
export function downloadRoutes(options: DownloadOptions): HttpRoute[] {
  const bundleMissing = `the agent bundle has not been built on this master: run \`npm run build:agent\` in its checkout`;
  return [
    fileRoute('/install.sh', options.installScript, 'text/x-shellscript; charset=utf-8', 'the installer script is missing from this master'),
    fileRoute(`/dist/${BUNDLE_FILE}`, join(options.distDir, BUNDLE_FILE), 'application/gzip', bundleMissing),
    fileRoute(`/dist/${BUNDLE_FILE}.sha256`, join(options.distDir, `${BUNDLE_FILE}.sha256`), 'text/plain; charset=utf-8', bundleMissing),
  ];
}

function fileRoute(path: string, file: string, contentType: string, missing: string): HttpRoute {
  return { method: 'GET', path, handle: (req, res) => sendFile(req, res, file, contentType, missing) };
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, contentType: string, missing: string): Promise<void> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return sendError(res, 404, missing);
    throw err;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return sendError(res, 404, missing);
    res.writeHead(200, {
      'content-type': contentType,
      'content-length': stat.size,
      // Installers must see a rebuild at once; the checksum file is what makes a download trustworthy.
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') return void res.end();
    const stream = handle.createReadStream();
    handle = undefined; // the stream closes the descriptor when it ends or fails
    await new Promise<void>((resolve) => {
      stream.once('error', () => {
        res.destroy(); // headers are out: cutting the response short is the only honest answer
        resolve();
      });
      res.once('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(res);
    });
  } finally {
    await handle?.close();
  }
}
