import { describe, expect, it } from 'vitest';
import { bigUint, flag, httpUrl, nonNegativeInt, oneOf, positiveInt, suiId, text } from './fields.ts';

const ok = (schema: { safeParse(v: unknown): { success: boolean; data?: unknown } }, v: string) =>
  schema.safeParse(v).data;
const bad = (
  schema: { safeParse(v: unknown): { success: boolean; error?: { issues: Array<{ message: string }> } } },
  v: string,
) => schema.safeParse(v).error?.issues[0]?.message;

describe('config fields', () => {
  it('positiveInt / nonNegativeInt', () => {
    expect(ok(positiveInt(), ' 1000 ')).toBe(1000);
    for (const v of ['0', '-1', '1.5', 'abc', '', '1e3', '99999999999999999999']) {
      expect(bad(positiveInt(), v)).toBe('must be a positive integer');
    }
    expect(ok(nonNegativeInt(), '0')).toBe(0);
    expect(bad(nonNegativeInt(), '-1')).toBe('must be a non-negative integer');
  });

  it('bigUint keeps u64 precision', () => {
    expect(ok(bigUint(), '18446744073709551615')).toBe(18446744073709551615n);
  });

  it('oneOf, flag, text', () => {
    expect(ok(oneOf(['grpc', 'graphql'] as const), 'graphql')).toBe('graphql');
    expect(bad(oneOf(['grpc', 'graphql'] as const), 'json-rpc')).toBe('must be one of grpc, graphql');
    expect(ok(flag(), 'YES')).toBe(true);
    expect(ok(flag(), '0')).toBe(false);
    expect(bad(flag(), 'maybe')).toMatch(/must be 1 or 0/);
    expect(bad(text(), '   ')).toBe('must not be empty');
  });

  it('httpUrl', () => {
    expect(ok(httpUrl(), 'http://127.0.0.1:9000')).toBe('http://127.0.0.1:9000');
    expect(ok(httpUrl(), 'https://fullnode.testnet.sui.io:443')).toBe('https://fullnode.testnet.sui.io:443');
    for (const v of ['ftp://x', 'localhost:9000', 'not a url']) expect(bad(httpUrl(), v)).toMatch(/http/);
  });

  it('suiId normalizes to 64 lowercase hex digits', () => {
    expect(ok(suiId(), '0x2')).toBe(`0x${'0'.repeat(63)}2`);
    expect(ok(suiId(), `0x${'AB'.repeat(32)}`)).toBe(`0x${'ab'.repeat(32)}`);
    for (const v of ['2', '0x', `0x${'a'.repeat(65)}`, '0xzz']) expect(bad(suiId(), v)).toMatch(/Sui object id/);
  });
});
