/**
 * Server-Sent Events framing (WHATWG HTML, "server-sent events"). Data is one line of JSON: JSON
 * escapes every newline inside strings, so a value can never end a frame or forge a field.
 */
import { toJson } from '../http/respond.ts';

/** Response headers of an event stream: never cached, never buffered by a proxy. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no',
  'x-content-type-options': 'nosniff',
};

/** One named event carrying `data` as JSON (bigints as decimal strings). */
export function sseEvent(event: string, data: unknown): string {
  if (!/^[a-z][a-z-]*$/.test(event)) throw new Error(`bad event name: ${event}`);
  return `event: ${event}\ndata: ${toJson(data)}\n\n`;
}

/** A comment line: keeps proxies and the browser from timing the stream out; pages never see it. */
export const SSE_PING = ': ping\n\n';

/** Tells EventSource how long to wait before reconnecting on its own. */
export function sseRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.floor(ms))}\n\n`;
}
