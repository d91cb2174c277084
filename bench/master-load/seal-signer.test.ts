import { describe, expect, it } from 'vitest';
import { deriveSealKey, signAuth, verifyAuth } from '../../shared/chain/seal-key.ts';
import { fastBenchSealKey } from './seal-signer.ts';
import { benchSealToken } from './workers.ts';

describe('fastBenchSealKey', () => {
  it('is the key deriveSealKey derives and signs byte-identically through signAuth', async () => {
    const nonce = Buffer.alloc(32, 9).toString('base64');
    for (const index of [0, 1, 9_999]) {
      const fast = fastBenchSealKey(index);
      const slow = deriveSealKey(benchSealToken(index));
      expect(fast.getPublicKey().toRawBytes()).toEqual(slow.getPublicKey().toRawBytes());
      const signature = await signAuth(fast, 'bench-master', `bench-w-${index}`, nonce);
      expect(signature).toBe(await signAuth(slow, 'bench-master', `bench-w-${index}`, nonce));
      expect(await verifyAuth(slow.getPublicKey().toRawBytes(), signature, 'bench-master', `bench-w-${index}`, nonce)).toBe(true);
    }
  });
});
