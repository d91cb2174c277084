/**
 * The checkout the master runs from, found by walking up to the k8s-daas package.json: the same
 * answer whether this code runs from its TypeScript sources (master/…) or from the bundle that
 * `npm run build:master` writes to dist/master/, where paths relative to the module would miss.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'k8s-daas';

/**
 * @throws when no k8s-daas package.json encloses `from` (the master was copied out of its checkout).
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) throw new Error(`no ${PACKAGE_NAME} package.json above ${from}: run the master from its checkout (README "Running the master as a service")`);
  }
}
