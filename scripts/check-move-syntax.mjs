#!/usr/bin/env node
// Parses every .move file under a directory (default: contracts/) with prettier and
// @mysten/prettier-plugin-move, to catch Move SYNTAX errors where the Move compiler is not
// available (CI has no `sui` binary and no move-check cache; see shared/tools/move-check).
//
// A file that does not parse (prettier's exit-2 case) fails the run and is named. A file that
// parses but is not formatted as prettier would format it (prettier's exit-1 case) is only
// reported as a note: formatting is not what this check is for.
//
// Usage: node scripts/check-move-syntax.mjs [dir]
// Exit code: 0 when every file parses, 1 when at least one does not, 2 on a usage error.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SKIP_DIRS = new Set(['build', 'node_modules']);
// The settings Mysten recommends for Move, used when no prettier config applies to a file.
const MOVE_DEFAULTS = { printWidth: 100, tabWidth: 4, autoGroupImports: 'module' };
// Resolved from this repository, so a directory outside it (e.g. a temp copy) works too.
const PLUGIN = createRequire(import.meta.url).resolve('@mysten/prettier-plugin-move');

function moveFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const abs = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) out.push(...moveFiles(abs));
    } else if (entry.isFile() && entry.name.endsWith('.move')) {
      out.push(abs);
    }
  }
  return out.sort();
}

/** 'ok' | 'unformatted' | { error } for one file. */
async function checkFile(file) {
  const text = fs.readFileSync(file, 'utf8');
  const config = (await prettier.resolveConfig(file)) ?? MOVE_DEFAULTS;
  try {
    const formatted = await prettier.check(text, { ...config, filepath: file, plugins: [PLUGIN] });
    return formatted ? 'ok' : 'unformatted';
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

async function main() {
  if (process.argv.length > 3) {
    console.error('usage: node scripts/check-move-syntax.mjs [dir]');
    return 2;
  }
  const dir = path.resolve(process.argv[2] ?? path.join(ROOT, 'contracts'));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    console.error(`move syntax: ${dir} is not a directory`);
    return 2;
  }
  const files = moveFiles(dir);
  if (files.length === 0) {
    console.error(`move syntax: no .move files under ${dir}`);
    return 1;
  }

  const broken = [];
  const unformatted = [];
  for (const file of files) {
    const rel = displayPath(file);
    const result = await checkFile(file);
    if (result === 'unformatted') unformatted.push(rel);
    else if (result !== 'ok') broken.push({ rel, error: result.error });
  }

  for (const { rel, error } of broken) {
    console.error(`move syntax: ${rel}: syntax error\n${indent(error)}`);
  }
  if (unformatted.length > 0) {
    console.log(
      `move syntax: note: ${unformatted.length} file(s) parse but differ from prettier's formatting ` +
        `(not a failure): ${unformatted.join(', ')}`,
    );
  }
  if (broken.length > 0) {
    console.error(`move syntax: FAIL: ${broken.length} of ${files.length} files do not parse: ${broken.map((b) => b.rel).join(', ')}`);
    return 1;
  }
  console.log(`move syntax: ${files.length} files parsed`);
  return 0;
}

/** Relative to the working directory when inside it, else absolute. */
function displayPath(file) {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function indent(text) {
  const lines = String(text).trim().split('\n');
  const shown = lines.slice(0, 12).map((line) => `    ${line}`);
  if (lines.length > 12) shown.push(`    ... (${lines.length - 12} more lines)`);
  return shown.join('\n');
}

process.exitCode = await main();
