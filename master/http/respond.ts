/**
 * Writing HTTP responses: JSON (bigint as decimal strings, never cached) and plain text. Extra
 * routes registered by later parts use these too, so every answer of the master looks alike.
 */
import type { ServerResponse } from 'node:http';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** JSON.stringify that writes every bigint as its decimal string (JSON has no 64-bit integers). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Sends `body` as JSON with `cache-control: no-store`. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, JSON_CONTENT_TYPE, `${toJson(body)}\n`, headers);
}

/** Sends `{ "error": message }` with `status`. */
export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: message }, headers);
}

/** Sends a body of the given content type, uncached. */
export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  // Node drops the body of a HEAD response by itself; the headers stay those of a GET.
  res.end(body);
}
