/**
 * The grpc-web wire format as @protobuf-ts/grpcweb-transport (used by SuiGrpcClient) speaks it:
 * `[flag u8][len u32 BE][payload]` frames, flag 0x00 = protobuf message, 0x80 = trailers.
 * grpc-web-text is the same bytes in base64. Details that break the client if wrong (see
 * shared/notes/sui-grpc-web.md §1): trailer keys lowercase, lines end in CRLF, the response
 * content-type has no parameters, errors are HTTP 200 with a trailer-only body.
 */

export const FLAG_DATA = 0x00;
export const FLAG_TRAILER = 0x80;

export type WireFormat = 'text' | 'binary';

export interface Frame {
  flag: number;
  payload: Uint8Array;
}

/** The request's wire format from its content-type, or null when it is not grpc-web. */
export function requestFormat(contentType: string | undefined): WireFormat | null {
  const base = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (base === 'application/grpc-web-text' || base === 'application/grpc-web-text+proto') return 'text';
  if (base === 'application/grpc-web' || base === 'application/grpc-web+proto') return 'binary';
  return null;
}

/** The exact content-type the client accepts for a reply in `format` (no parameters allowed). */
export function responseContentType(format: WireFormat): string {
  return format === 'text' ? 'application/grpc-web-text+proto' : 'application/grpc-web+proto';
}

export function encodeFrame(flag: number, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + payload.length);
  out[0] = flag;
  out.writeUInt32BE(payload.length, 1);
  out.set(payload, 5);
  return out;
}

/** A trailer frame; the message is percent-encoded as gRPC requires (the SDK decodes it). */
export function encodeTrailer(code: number, message?: string): Buffer {
  let text = `grpc-status:${code}\r\n`;
  if (message) text += `grpc-message:${encodeURIComponent(message)}\r\n`;
  return encodeFrame(FLAG_TRAILER, Buffer.from(text, 'ascii'));
}

/** Splits a body into frames; throws on a truncated frame. */
export function decodeFrames(body: Uint8Array): Frame[] {
  const frames: Frame[] = [];
  const view = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let offset = 0;
  while (offset < view.length) {
    if (view.length - offset < 5) throw new Error('truncated grpc-web frame header');
    const flag = view[offset];
    const length = view.readUInt32BE(offset + 1);
    const start = offset + 5;
    if (view.length - start < length) throw new Error('truncated grpc-web frame');
    frames.push({ flag, payload: new Uint8Array(view.subarray(start, start + length)) });
    offset = start + length;
  }
  return frames;
}

/**
 * grpc-web-text bodies may be several base64 chunks, each with its own padding, so a single
 * base64 decode would stop at the first '='. Decode chunk by chunk; reject anything not base64.
 */
export function decodeBase64Chunks(text: string): Buffer {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/=]*$/.test(clean) || clean.length % 4 !== 0) throw new Error('body is not base64');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const quad = clean.slice(i, i + 4);
    const pad = quad.indexOf('=');
    if (pad !== -1) {
      if (pad < 2 || !/^=+$/.test(quad.slice(pad))) throw new Error('body is not base64');
      parts.push(Buffer.from(clean.slice(start, i + 4), 'base64'));
      start = i + 4;
    }
  }
  if (start < clean.length) parts.push(Buffer.from(clean.slice(start), 'base64'));
  return Buffer.concat(parts);
}

/**
 * The single request message of a unary or server-streaming call. A body with no frame is the
 * empty message; a compressed frame or more than one data frame is refused.
 */
export function readRequestMessage(raw: Buffer, format: WireFormat): Uint8Array {
  const bytes = format === 'text' ? decodeBase64Chunks(raw.toString('ascii')) : raw;
  const frames = decodeFrames(bytes).filter((f) => f.flag !== FLAG_TRAILER);
  if (frames.length === 0) return new Uint8Array(0);
  if (frames.length > 1) throw new Error('more than one request message');
  if (frames[0].flag !== FLAG_DATA) throw new Error(`unsupported frame flag 0x${frames[0].flag.toString(16)} (compression is not supported)`);
  return frames[0].payload;
}

/** The whole response body: data frames then the OK trailer, base64 for grpc-web-text. */
export function encodeResponseBody(messages: Uint8Array[], format: WireFormat, status = 0, message?: string): Buffer {
  const body = Buffer.concat([...messages.map((m) => encodeFrame(FLAG_DATA, m)), encodeTrailer(status, message)]);
  return format === 'text' ? Buffer.from(body.toString('base64'), 'ascii') : body;
}
