/**
 * The one root logger of a program, built in main.ts; modules take `logger.child({ component })`.
 * Secrets are redacted by key, wherever they sit in the first three levels of a logged object, so a
 * config dump or a protocol frame logged whole never shows them.
 */
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import { SECRET_KEYS } from '../config/secret-keys.ts';

/** Field names that hold secrets in code (the config's SECRET_KEYS cover the environment names). */
export const SECRET_FIELDS = ['sealToken', 'privateKey', 'joinToken', 'token', 'signature'] as const;

export const REDACTED = '[redacted]';

export interface LoggerOptions {
  level: Level | 'silent';
  /** The program, e.g. `k8s-daas-master`; appears as `name` on every line. */
  name: string;
  /** Where lines go; stdout when absent. */
  destination?: DestinationStream;
}

/** The root pino logger with redaction. Throws only on an unknown level (pino's own error). */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    name: options.name,
    level: options.level,
    redact: { paths: redactPaths([...SECRET_KEYS, ...SECRET_FIELDS]), censor: REDACTED },
  };
  // pino's default destination writes stdout synchronously, so the last lines before a crash survive.
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** A token shortened for logs: at most its first 20 characters, and never more than half of it, then "…". */
export function tokenPreview(token: string | null | undefined): string {
  if (!token) return '(none)';
  // A short token shown to 20 characters would be shown whole; half of it is still enough to tell tokens apart.
  return `${token.slice(0, Math.min(20, Math.floor(token.length / 2)))}…`;
}

// pino matches exact paths; `*` stands for one level, so each key is listed at depths 1–3.
function redactPaths(keys: readonly string[]): string[] {
  return keys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
}
