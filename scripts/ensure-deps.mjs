#!/usr/bin/env node
// Makes a fresh clone runnable: installs the locked npm dependencies when node_modules is missing
// or older than package-lock.json. Plain JS with no dependencies, because it runs before any exist.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.k8s-daas-lock-hash');
const hash = createHash('sha256').update(readFileSync(lock)).digest('hex');

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) process.exit(0);

// A fresh clone gets exactly the lockfile (npm ci). An existing tree is only topped up (npm install
// with the lockfile), never wiped: a demo started while tests run must not pull node_modules away.
const fresh = !existsSync(join(root, 'node_modules'));
const args = fresh ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund', '--no-save'];
console.error(`ensure-deps: installing npm dependencies (npm ${args[0]})…`);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, args, { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error(`ensure-deps: \`npm ${args[0]}\` failed; fix the error above and run the command again`);
  process.exit(result.status ?? 1);
}
mkdirSync(dirname(stamp), { recursive: true });
writeFileSync(stamp, hash);
