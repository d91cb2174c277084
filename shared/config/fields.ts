/**
 * zod field builders for configuration values. Every value arrives as a string (flag, environment
 * or env file); each builder trims it, converts it and, on failure, reports one "must be …" phrase
 * that `resolveConfig` prefixes with the variable name and suffixes with the value it got.
 */
import { z } from 'zod';

/** A string field converted by `parse`; `undefined` from `parse` means invalid, reported as `message`. */
export function parsedField<T>(message: string, parse: (raw: string) => T | undefined) {
  return z.string().transform((raw, ctx): T => {
    const value = parse(raw.trim());
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return value;
  });
}

/** An integer > 0 (safe integer range). */
export const positiveInt = () =>
  parsedField('must be a positive integer', (s) =>
    /^\d+$/.test(s) && isSafe(s) && Number(s) > 0 ? Number(s) : undefined,
  );

/** An integer ≥ 0 (safe integer range). */
export const nonNegativeInt = () =>
  parsedField('must be a non-negative integer', (s) => (/^\d+$/.test(s) && isSafe(s) ? Number(s) : undefined));

/** A non-negative integer of any size, e.g. an amount in MIST (u64). */
export const bigUint = () =>
  parsedField('must be a non-negative integer', (s) => (/^\d+$/.test(s) ? BigInt(s) : undefined));

/** A non-empty string, trimmed. */
export const text = () => parsedField('must not be empty', (s) => (s.length > 0 ? s : undefined));

/** One of a fixed set of words. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return parsedField(`must be one of ${values.join(', ')}`, (s) =>
    (values as readonly string[]).includes(s) ? (s as T[number]) : undefined,
  );
}

/** `1/true/yes/on` or `0/false/no/off`. */
export const flag = () =>
  parsedField('must be 1 or 0 (true/false)', (s) => {
    const v = s.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    return undefined;
  });

/** An absolute http:// or https:// URL, returned as written (trimmed). */
export const httpUrl = () =>
  parsedField('must be an http:// or https:// URL', (s) => {
    if (!URL.canParse(s)) return undefined;
    const { protocol, hostname } = new URL(s);
    return (protocol === 'http:' || protocol === 'https:') && hostname !== '' ? s : undefined;
  });

/** A Sui object id or address: 0x and 1–64 hex digits, normalized to 0x + 64 lowercase digits. */
export const suiId = () =>
  parsedField('must be a Sui object id (0x followed by up to 64 hex digits)', (s) =>
    /^0x[0-9a-fA-F]{1,64}$/.test(s) ? `0x${s.slice(2).toLowerCase().padStart(64, '0')}` : undefined,
  );

function isSafe(digits: string): boolean {
  return Number.isSafeInteger(Number(digits));
}
