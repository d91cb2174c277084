/**
 * The env file the installer writes: `KEY=VALUE` lines, the subset that both a shell (`. file`) and
 * systemd's `EnvironmentFile=` read the same way. Errors point at `file:line` and never echo a value,
 * since the file holds secrets.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.ts';

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads and parses an env file. A missing file is an error unless `optional` (then `{}`).
 * @throws ConfigError naming `file` or `file:line`.
 */
export function loadEnvFile(path: string, options: { optional?: boolean } = {}): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && options.optional) return {};
    throw new ConfigError(path, `cannot read the env file (${code ?? String(err)})`);
  }
  return parseEnvFile(text, path);
}

/**
 * Parses env-file text: blank lines and `#` comments are skipped, `export ` is tolerated, values may
 * be bare, 'single-quoted' (literal) or "double-quoted" (\n \" \\ \$ escapes); a later line wins.
 * @throws ConfigError naming `<source>:<line>`.
 */
export function parseEnvFile(text: string, source = 'env file'): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${source}:${i + 1}`;
    const body = line.replace(/^export\s+/, '');
    const eq = body.indexOf('=');
    if (eq <= 0) throw new ConfigError(where, 'expected KEY=VALUE');
    const key = body.slice(0, eq).trim();
    if (!KEY.test(key)) throw new ConfigError(where, `"${key.slice(0, 64)}" is not a valid variable name`);
    out[key] = parseValue(body.slice(eq + 1).trimStart(), key, where);
  });
  return out;
}

function parseValue(rest: string, key: string, where: string): string {
  const quote = rest[0];
  if (quote !== '"' && quote !== "'") return stripComment(rest);
  const { value, end } = quote === "'" ? singleQuoted(rest) : doubleQuoted(rest);
  if (end < 0) throw new ConfigError(where, `${key}: unterminated ${quote === '"' ? 'double' : 'single'} quote`);
  const trailing = rest.slice(end + 1).trim();
  if (trailing !== '' && !trailing.startsWith('#')) {
    throw new ConfigError(where, `${key}: unexpected text after the closing quote`);
  }
  return value;
}

// As in a shell, `#` starts a comment only after whitespace, so `a#b` stays one value.
function stripComment(rest: string): string {
  const hash = rest.search(/\s#/);
  return (hash < 0 ? rest : rest.slice(0, hash)).trim();
}

function singleQuoted(rest: string): { value: string; end: number } {
  const end = rest.indexOf("'", 1);
  return { value: end < 0 ? '' : rest.slice(1, end), end };
}

function doubleQuoted(rest: string): { value: string; end: number } {
  const escapes: Record<string, string> = { n: '\n', '"': '"', '\\': '\\', $: '$' };
  let value = '';
  for (let i = 1; i < rest.length; i++) {
    const c = rest[i];
    if (c === '"') return { value, end: i };
    if (c === '\\' && i + 1 < rest.length) {
      const next = rest[++i];
      value += escapes[next] ?? `\\${next}`;
    } else {
      value += c;
    }
  }
  return { value, end: -1 };
}
