/**
 * Resolves one configuration object from its layers: flags > environment > env file > the schema's
 * defaults. The schema's keys are the variable names (`K8S_DAAS_POLL_INTERVAL_MS`); the CLI layer maps
 * its flags onto those names. Secrets may come from `<NAME>_FILE`. Nothing here reads `process.env`:
 * main.ts hands the layers in.
 */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { SECRET_KEYS } from './secret-keys.ts';

type Layer = Readonly<Record<string, string | undefined>>;

/** The layers, highest precedence first. An empty value counts as unset, so a template may leave lines blank. */
export interface ConfigSources {
  flags?: Layer;
  env?: Layer;
  envFile?: Layer;
}

export interface ResolveOptions {
  /** Names whose values are secrets: `<NAME>_FILE` accepted, value never echoed. Default SECRET_KEYS. */
  secretKeys?: readonly string[];
}

export type ResolveResult<T> = { ok: true; config: T } | { ok: false; errors: ConfigError[] };

/**
 * The validated configuration.
 * @throws ConfigError for the first problem (variable order of the schema).
 */
export function resolveConfig<S extends z.ZodObject>(
  schema: S,
  sources: ConfigSources,
  options: ResolveOptions = {},
): z.output<S> {
  const result = tryResolveConfig(schema, sources, options);
  if (!result.ok) throw result.errors[0];
  return result.config;
}

/** Like `resolveConfig`, but returns every problem (one per variable) for a validate-config report. */
export function tryResolveConfig<S extends z.ZodObject>(
  schema: S,
  sources: ConfigSources,
  options: ResolveOptions = {},
): ResolveResult<z.output<S>> {
  const keys = Object.keys(schema.shape);
  const secrets = new Set(options.secretKeys ?? SECRET_KEYS);
  const layers = [sources.flags, sources.env, sources.envFile].filter((l): l is Layer => l !== undefined);
  const raw: Record<string, string | undefined> = {};
  const errors = new Map<string, ConfigError>();

  for (const key of keys) {
    // A schema that declares `<KEY>_FILE` itself (K3S_TOKEN_FILE is a path) keeps that name for its own use.
    const fileKey = secrets.has(key) && !keys.includes(`${key}_FILE`) ? `${key}_FILE` : undefined;
    try {
      raw[key] = pick(layers, key, fileKey);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      errors.set(key, err);
    }
  }

  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '');
      if (errors.has(key)) continue;
      errors.set(key, describe(key, issue.message, raw[key], secrets.has(key)));
    }
  }
  if (errors.size > 0) {
    const ordered = [...errors.entries()].sort(([a], [b]) => keys.indexOf(a) - keys.indexOf(b));
    return { ok: false, errors: ordered.map(([, e]) => e) };
  }
  return { ok: true, config: parsed.data as z.output<S> };
}

// The first layer that sets the variable (directly or through its _FILE twin) wins.
function pick(layers: Layer[], key: string, fileKey: string | undefined): string | undefined {
  for (const layer of layers) {
    const direct = nonEmpty(layer[key]);
    const file = fileKey ? nonEmpty(layer[fileKey]) : undefined;
    if (direct !== undefined && file !== undefined) {
      throw new ConfigError(key, `set either ${key} or ${fileKey}, not both`);
    }
    if (direct !== undefined) return direct;
    if (file !== undefined) return readSecretFile(fileKey!, file);
  }
  return undefined;
}

/**
 * Reads a secret from a file that only its owner can read, trimmed.
 * @throws ConfigError naming `variable` when the file is missing, empty or readable by others.
 */
export function readSecretFile(variable: string, path: string): string {
  try {
    const mode = statSync(path).mode & 0o777;
    if ((mode & ~0o600) !== 0) {
      const octal = mode.toString(8).padStart(4, '0');
      throw new ConfigError(variable, `${path} has mode ${octal}, wider than 0600; run: chmod 600 ${path}`);
    }
    const value = readFileSync(path, 'utf8').trim();
    if (value === '') throw new ConfigError(variable, `${path} is empty`);
    return value;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(variable, `cannot read ${path} (${code})`);
  }
}

function describe(key: string, message: string, raw: string | undefined, secret: boolean): ConfigError {
  if (raw === undefined) {
    const how = secret ? `set ${key} or ${key}_FILE` : `set ${key}`;
    return new ConfigError(key, `is required; ${how} in the environment or the env file`);
  }
  // Secrets are never echoed, not even when they are wrong.
  const got = secret ? '' : ` (got ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw)})`;
  return new ConfigError(key, `${message}${got}`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
