import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestMaster, type TestMaster } from '../http/testing.ts';
import { BUNDLE_FILE, defaultDownloadPaths, downloadRoutes, downloadsProblem } from './routes.ts';

let dir: string;
let withBundle: TestMaster;
let withoutBundle: TestMaster;
const SCRIPT = '#!/bin/sh\nset -e\necho installer\n';
const BUNDLE = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) % 256));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'k8s-daas-downloads-'));
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'install.sh'), SCRIPT);
  writeFileSync(join(dir, 'dist', BUNDLE_FILE), BUNDLE);
  writeFileSync(join(dir, 'dist', `${BUNDLE_FILE}.sha256`), `${'ab'.repeat(32)}  ${BUNDLE_FILE}\n`);
  writeFileSync(join(dir, 'secret.txt'), 'not for download');
  withBundle = await startTestMaster({ extraRoutes: downloadRoutes({ distDir: join(dir, 'dist'), installScript: join(dir, 'install.sh') }) });
  withoutBundle = await startTestMaster({ extraRoutes: downloadRoutes({ distDir: join(dir, 'missing'), installScript: join(dir, 'install.sh') }) });
});
afterAll(async () => {
  await withBundle?.close();
  await withoutBundle?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw request: the path goes out exactly as written (fetch would normalize `..`). */
function get(base: string, path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('download routes', () => {
  it('serves the installer as a shell script, uncached', async () => {
    const r = await get(withBundle.url, '/install.sh');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/x-shellscript; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body.toString()).toBe(SCRIPT);
  });

  it('streams the bundle and its checksum byte for byte, with their length', async () => {
    const tgz = await get(withBundle.url, `/dist/${BUNDLE_FILE}`);
    expect(tgz.status).toBe(200);
    expect(tgz.headers['content-type']).toBe('application/gzip');
    expect(Number(tgz.headers['content-length'])).toBe(BUNDLE.length);
    expect(tgz.body.equals(BUNDLE)).toBe(true);
    const sum = await get(withBundle.url, `/dist/${BUNDLE_FILE}.sha256`);
    expect(sum.status).toBe(200);
    expect(sum.body.toString()).toBe(`${'ab'.repeat(32)}  ${BUNDLE_FILE}\n`);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const r = await get(withBundle.url, `/dist/${BUNDLE_FILE}`, 'HEAD');
    expect(r.status).toBe(200);
    expect(Number(r.headers['content-length'])).toBe(BUNDLE.length);
    expect(r.body.length).toBe(0);
  });

  it('says how to build the bundle when it is missing', async () => {
    for (const path of [`/dist/${BUNDLE_FILE}`, `/dist/${BUNDLE_FILE}.sha256`]) {
      const r = await get(withoutBundle.url, path);
      expect(r.status).toBe(404);
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(r.body.toString()).error).toContain('npm run build:agent');
    }
    expect((await get(withoutBundle.url, '/install.sh')).status).toBe(200);
  });

  it('serves nothing but its three files: no traversal, no listing', async () => {
    for (const path of ['/dist/../secret.txt', '/dist/%2e%2e/secret.txt', '/dist/', '/dist', '/install.sh/../secret.txt', `/dist/${BUNDLE_FILE}/x`, '/secret.txt']) {
      const r = await get(withBundle.url, path);
      expect({ path, status: r.status }).toEqual({ path, status: 404 });
      expect(r.body.toString()).not.toContain('not for download');
    }
    expect((await get(withBundle.url, '/install.sh', 'POST')).status).toBe(405);
  });

  it('names what is missing, for the startup log', () => {
    expect(downloadsProblem({ distDir: join(dir, 'dist'), installScript: join(dir, 'install.sh') })).toBeNull();
    expect(downloadsProblem({ distDir: join(dir, 'missing'), installScript: join(dir, 'install.sh') })).toContain('npm run build:agent');
    expect(downloadsProblem({ distDir: join(dir, 'dist'), installScript: join(dir, 'nope.sh') })).toContain('installer');
  });

  it('defaults to the checkout: dist/ and scripts/install.sh', () => {
    const paths = defaultDownloadPaths();
    expect(paths.installScript).toMatch(/\/scripts\/install\.sh$/);
    expect(paths.distDir).toMatch(/\/dist\/?$/);
  });
});
