/**
 * The page's static files (`assets/`), read once when the routes are built: a missing file fails the
 * master's start, not a visitor's request. Served with a strict Content-Security-Policy: the page
 * loads only its own script and stylesheet and talks only to its own origin.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../package-root.ts';

/** One file ready to send. */
export interface Asset {
  contentType: string;
  body: string;
}

/** URL path → asset. The page refers to its files by relative URLs, so a path prefix on a proxy works. */
export const ASSET_PATHS = {
  page: '/',
  script: '/assets/status.js',
  style: '/assets/status.css',
} as const;

/** Sent with every asset. `img-src data:` is for the empty inline favicon. */
export const ASSET_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

/**
 * Reads the three files.
 * @throws the file system's error when a file is missing (a broken install).
 */
export function loadAssets(dir: URL = pathToFileURL(join(packageRoot(), 'master/status-page/assets/'))): Record<keyof typeof ASSET_PATHS, Asset> {
  const read = (name: string) => readFileSync(new URL(name, dir), 'utf8');
  return {
    page: { contentType: 'text/html; charset=utf-8', body: read('index.html') },
    script: { contentType: 'text/javascript; charset=utf-8', body: read('status.js') },
    style: { contentType: 'text/css; charset=utf-8', body: read('status.css') },
  };
}
