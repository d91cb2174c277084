import { describe, expect, it } from 'vitest';
import { bcs } from '@mysten/sui/bcs';
import { decodePure, encodePure } from './pure.ts';

describe('pure values', () => {
  it('round-trips every type the package uses', () => {
    const addr = `0x${'ab'.repeat(32)}`;
    const cases: Array<[Parameters<typeof decodePure>[0], unknown]> = [
      ['string', 'my-worker-001'],
      ['u64', 18446744073709551615n],
      ['u8', 255],
      ['bool', true],
      ['address', addr],
      ['vector<u8>', new Uint8Array([1, 2, 3])],
      ['vector<string>', ['a', 'b']],
    ];
    for (const [type, value] of cases) expect(decodePure(type, encodePure(type, value))).toEqual(value);
  });

  it('refuses trailing bytes, short input and invalid UTF-8 like Move does', () => {
    expect(() => decodePure('u64', new Uint8Array(9))).toThrow();
    expect(() => decodePure('u64', new Uint8Array(7))).toThrow();
    expect(() => decodePure('string', new Uint8Array([2, 0xc3, 0x28]))).toThrow();
    expect(() => decodePure('bool', new Uint8Array([2]))).toThrow();
    expect(decodePure('string', bcs.string().serialize('é').toBytes())).toBe('é');
  });
});
