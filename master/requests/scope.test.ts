import { describe, expect, it } from 'vitest';
import { RequestRefusedError } from './errors.ts';
import { OWNER_LABEL, OwnerScope } from './scope.ts';
import { base32 } from '../../shared/chain/owner-label.ts';

const ADDR = '0x1a2b3c4d5e6f00000000000000000000000000000000000000000000000000ff';

describe('OwnerScope', () => {
  const s = new OwnerScope(ADDR);

  it('derives the prefix, a lossless label value and namespace names', () => {
    expect(s.prefix).toBe('o-1a2b3c4d5e');
    expect(s.labelValue).toHaveLength(52);
    expect(s.labelValue).toMatch(/^[a-z2-7]+$/);
    expect(Buffer.from(decodeBase32(s.labelValue)).toString('hex')).toBe(ADDR.slice(2));
    expect(s.clusterNamespace('production')).toBe('o-1a2b3c4d5e-production');
    expect(s.clusterNamespace('')).toBe('o-1a2b3c4d5e-default');
    expect(s.shortName('o-1a2b3c4d5e-production')).toBe('production');
    expect(s.shortName('o-ffffffffff-production')).toBeNull();
    expect(s.namespaceLabels()).toEqual({ [OWNER_LABEL]: s.labelValue, 'k8s-daas.io/owner-prefix': 'o-1a2b3c4d5e' });
    expect(new OwnerScope('0x2').owner).toBe(`0x${'0'.repeat(63)}2`);
  });

  it('refuses names that are not DNS labels or that make the namespace longer than 63', () => {
    expect(s.clusterNamespace('a'.repeat(50))).toHaveLength(63);
    for (const bad of ['a'.repeat(51), 'Prod', 'a.b', '-a', 'a-', 'a_b', ' a']) {
      expect(() => s.clusterNamespace(bad), bad).toThrow(RequestRefusedError);
    }
    expect(() => new OwnerScope('alice')).toThrow(RequestRefusedError);
  });

  it('hides the prefix everywhere and drops the k8s-daas.io labels', () => {
    const out = s.hidePrefix({
      metadata: { name: 'o-1a2b3c4d5e-prod', labels: { 'k8s-daas.io/owner': 'x', 'kubernetes.io/metadata.name': 'o-1a2b3c4d5e-prod' }, annotations: { 'k8s-daas.io/owner-address': ADDR } },
      items: [{ message: 'namespaces "o-1a2b3c4d5e-prod" not found', n: 3 }],
    });
    expect(out).toEqual({ metadata: { name: 'prod', labels: { 'kubernetes.io/metadata.name': 'prod' }, annotations: {} }, items: [{ message: 'namespaces "prod" not found', n: 3 }] });
    expect(s.hidePrefix('pods "x" not found in o-1a2b3c4d5e-a')).toBe('pods "x" not found in a');
  });
});

describe('base32', () => {
  it('encodes as RFC 4648 (lowercase, no padding)', () => {
    expect(base32(Buffer.from('foobar'))).toBe('mzxw6ytboi');
    expect(base32(Buffer.from('f'))).toBe('my');
    expect(base32(new Uint8Array())).toBe('');
  });
});

function decodeBase32(s: string): number[] {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of s) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return out;
}
