/** grpc-web framing and the HTTP surface, checked with raw requests (no SDK in between). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GrpcTypes } from '@mysten/sui/grpc';
import { decodeBase64Chunks, decodeFrames, encodeFrame, encodeTrailer, FLAG_DATA, FLAG_TRAILER } from './transport/grpc-web.ts';
import { applyReadMask } from './render/read-mask.ts';
import { startLocalChain, type LocalChain } from './index.ts';

let chain: LocalChain;
beforeAll(async () => {
  chain = await startLocalChain({ port: 0, maxBodyBytes: 4096 });
});
afterAll(() => chain.close());

async function call(path: string, message: Uint8Array, format: 'text' | 'binary' = 'text', body?: string | Uint8Array) {
  const frame = encodeFrame(FLAG_DATA, message);
  const res = await fetch(`${chain.info.rpcUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': format === 'text' ? 'application/grpc-web-text' : 'application/grpc-web+proto', 'x-grpc-web': '1' },
    body: body ?? (format === 'text' ? frame.toString('base64') : frame),
  });
  const raw = Buffer.from(await res.arrayBuffer());
  const frames = decodeFrames(format === 'text' ? decodeBase64Chunks(raw.toString('ascii')) : raw);
  const trailer = frames.find((f) => f.flag === FLAG_TRAILER);
  return { res, data: frames.filter((f) => f.flag === FLAG_DATA), trailer: Buffer.from(trailer!.payload).toString('ascii') };
}

describe('grpc-web framing', () => {
  it('encodes trailers with lowercase keys, CRLF and a percent-encoded message', () => {
    const t = encodeTrailer(5, 'Object 0x1 not found');
    expect(t[0]).toBe(FLAG_TRAILER);
    expect(t.subarray(5).toString('ascii')).toBe('grpc-status:5\r\ngrpc-message:Object%200x1%20not%20found\r\n');
  });

  it('decodes base64 sent in several padded chunks, and refuses truncated frames', () => {
    const a = encodeFrame(FLAG_DATA, new Uint8Array([1]));
    const b = encodeFrame(FLAG_DATA, new Uint8Array([2, 3]));
    const joined = decodeBase64Chunks(a.toString('base64') + b.toString('base64'));
    expect(decodeFrames(joined).map((f) => Array.from(f.payload))).toEqual([[1], [2, 3]]);
    expect(() => decodeFrames(a.subarray(0, 4))).toThrow(/truncated/);
  });

  it('applies read masks through nested and repeated fields', () => {
    const msg = { digest: 'd', effects: { status: { success: true }, changedObjects: [{ objectId: 'a', objectType: 't', inputVersion: 1n }] }, events: { events: [] } };
    expect(applyReadMask(msg, ['digest', 'effects.changed_objects.object_type'], [])).toEqual({ digest: 'd', effects: { changedObjects: [{ objectType: 't' }] } });
    expect(applyReadMask(msg, undefined, ['digest'])).toEqual({ digest: 'd' });
  });
});

describe('HTTP surface', () => {
  it('answers a unary call with one data frame and an OK trailer, in text and binary', async () => {
    const req = GrpcTypes.GetEpochRequest.toBinary(GrpcTypes.GetEpochRequest.create({ readMask: { paths: ['reference_gas_price'] } }));
    for (const format of ['text', 'binary'] as const) {
      const { res, data, trailer } = await call('/sui.rpc.v2.LedgerService/GetEpoch', req, format);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(format === 'text' ? 'application/grpc-web-text+proto' : 'application/grpc-web+proto');
      expect(data).toHaveLength(1);
      expect(GrpcTypes.GetEpochResponse.fromBinary(data[0].payload).epoch?.referenceGasPrice).toBe(1000n);
      expect(trailer).toBe('grpc-status:0\r\n');
    }
  });

  it('answers unknown services and methods with UNIMPLEMENTED (12) in a trailer-only body', async () => {
    for (const path of ['/sui.rpc.v2.LedgerService/NoSuchMethod', '/sui.rpc.v2.NameService/LookupName', '/foo.Bar/Baz']) {
      const { res, data, trailer } = await call(path, new Uint8Array());
      expect(res.status).toBe(200);
      expect(data).toHaveLength(0);
      expect(trailer).toMatch(/^grpc-status:12\r\ngrpc-message:.+\r\n$/);
    }
  });

  it('answers malformed request bytes with INVALID_ARGUMENT (3)', async () => {
    const { trailer } = await call('/sui.rpc.v2.LedgerService/GetObject', new Uint8Array([0x0a, 0x50, 0x01]));
    expect(trailer).toMatch(/^grpc-status:3\r\n/);
    const notBase64 = await call('/sui.rpc.v2.LedgerService/GetEpoch', new Uint8Array(), 'text', '%%%not base64%%%');
    expect(notBase64.trailer).toMatch(/^grpc-status:3\r\n/);
  });

  it('refuses bodies over the limit with RESOURCE_EXHAUSTED (8)', async () => {
    const { res, trailer } = await call('/sui.rpc.v2.LedgerService/GetEpoch', new Uint8Array(8000));
    expect(res.status).toBe(200);
    expect(trailer).toMatch(/^grpc-status:8\r\n/);
  });

  it('streams ListEvents as data frames plus one trailer', async () => {
    const req = GrpcTypes.ListEventsRequest.toBinary(GrpcTypes.ListEventsRequest.create({ options: { limit: 5 } }));
    const { data, trailer } = await call('/sui.rpc.v2.LedgerService/ListEvents', req);
    expect(trailer).toBe('grpc-status:0\r\n');
    expect(data).toHaveLength(1);
    const end = GrpcTypes.ListEventsResponse.fromBinary(data[0].payload);
    expect(end.event).toBeUndefined();
    expect(end.end?.reason).toBe(GrpcTypes.QueryEndReason.LEDGER_TIP);
  });

  it('serves a health check, refuses other paths, and the faucet refuses non-JSON', async () => {
    expect(await (await fetch(`${chain.info.rpcUrl}/health`)).text()).toBe('OK');
    expect((await fetch(`${chain.info.rpcUrl}/nope`)).status).toBe(404);
    const faucet = await fetch(`${chain.info.faucetUrl}/v2/gas`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(faucet.status).toBe(400);
    expect(await faucet.json()).toMatchObject({ status: { Failure: { internal: expect.any(String) } } });
  });
});
