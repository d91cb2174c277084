import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { DaasError } from '../errors.ts';
import { decodeChainError } from './chain-errors.ts';
import { createSuiClient } from './sui-client.ts';

/** What the real gRPC-web client throws when nothing listens at the node's address. */
async function refusedByTransport(): Promise<unknown> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r)); // the port is free again: nothing listens there
  const client = createSuiClient({ url: `http://127.0.0.1:${port}` });
  return client.core.getBalance({ owner: `0x${'1'.repeat(64)}` }).then(() => new Error('no error'), (err: unknown) => err);
}

/** The transport's error class, as the client throws it (not a declared dependency of ours). */
function rpcError(message: string, code: string): Error {
  return Object.assign(new Error(message), { name: 'RpcError', code });
}

describe('decodeChainError', () => {
  it('calls a refused connection through the real client retryable', async () => {
    const err = await refusedByTransport();
    expect((err as Error).name).toBe('RpcError');
    const d = decodeChainError(err);
    expect(d.code).toBe('CHAIN_UNAVAILABLE');
    expect(d.retryable).toBe(true);
  });

  it('calls a cut connection retryable, however the transport wraps it', () => {
    const undici = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9000'), { code: 'ECONNREFUSED' }) });
    for (const err of [undici, rpcError('fetch failed', 'INTERNAL'), rpcError('terminated', 'INTERNAL'), rpcError('node down', 'UNAVAILABLE')]) {
      const d = decodeChainError(err);
      expect(d).toBeInstanceOf(DaasError);
      expect(d.code).toBe('CHAIN_UNAVAILABLE');
      expect(d.retryable).toBe(true);
    }
  });

  it('does not retry what a node answered: an internal error of its own, or a bad request', () => {
    for (const err of [rpcError('object not found', 'INTERNAL'), rpcError('bad digest', 'INVALID_ARGUMENT'), new Error('something else')]) {
      const d = decodeChainError(err);
      expect(d.code).toBe('CHAIN_ERROR');
      expect(d.retryable).toBeFalsy();
    }
  });
});
