import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = path.join(ROOT, 'scripts', 'check-move-syntax.mjs');
const CONTRACTS = path.join(ROOT, 'contracts');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** The .move files the script is expected to parse (it skips build/, node_modules/ and dot dirs). */
function moveFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.')) return [];
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'build' || e.name === 'node_modules' ? [] : moveFiles(abs);
    return e.isFile() && e.name.endsWith('.move') ? [abs] : [];
  });
}

describe('scripts/check-move-syntax.mjs', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'move-syntax-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('parses every .move file of the real package', () => {
    const files = moveFiles(CONTRACTS);
    expect(files.length).toBeGreaterThanOrEqual(4);
    const { status, output } = run();
    expect(status, output).toBe(0);
    expect(output).toContain(`move syntax: ${files.length} files parsed`);
  });

  it('fails and names the file when a .move file does not parse', () => {
    const source = fs.readFileSync(path.join(CONTRACTS, 'sources', 'k8s_scheduler.move'), 'utf8');
    // Drop the closing parenthesis of a parameter list.
    const broken = source.replace('(scheduler: &K8sScheduler): (u64, u64) {', '(scheduler: &K8sScheduler: (u64, u64) {');
    expect(broken).not.toBe(source);
    fs.writeFileSync(path.join(tmp, 'ok.move'), source);
    fs.writeFileSync(path.join(tmp, 'broken_scheduler.move'), broken);

    const { status, output } = run(tmp);
    expect(status).not.toBe(0);
    expect(output).toContain('broken_scheduler.move: syntax error');
    expect(output).not.toContain('files parsed');
  });
});
