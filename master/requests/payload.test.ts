import { describe, expect, it } from 'vitest';
import { RequestRefusedError } from './errors.ts';
import { mergePatchFor, objectForWrite, parsePayload, type PayloadContext } from './payload.ts';
import { RESOURCES } from './resources.ts';

const ctx: PayloadContext = { info: RESOURCES.deployments, name: '', namespace: 'production', clusterNamespace: 'o-1-production' };

describe('parsePayload', () => {
  it('reads JSON and single-document YAML', () => {
    expect(parsePayload('{"metadata":{"name":"a"}}')).toEqual({ metadata: { name: 'a' } });
    expect(parsePayload('---\nkind: Pod\nmetadata:\n  name: a\n---\n')).toEqual({ kind: 'Pod', metadata: { name: 'a' } });
  });

  it('refuses empty, multi-document, non-mapping and broken payloads', () => {
    for (const bad of ['', '  ', 'a: 1\n---\nb: 2', '[1, 2]', '"text"', 'a: [1', '42']) {
      expect(() => parsePayload(bad), JSON.stringify(bad)).toThrow(RequestRefusedError);
    }
  });
});

describe('objectForWrite', () => {
  it('fills in the header, the name and the cluster namespace', () => {
    expect(objectForWrite({ metadata: { name: 'web' }, spec: {} }, ctx, { nameRequired: false })).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'o-1-production' },
      spec: {},
    });
    expect(objectForWrite({ metadata: { namespace: 'production' } }, { ...ctx, name: 'web' }, { nameRequired: true }).metadata).toEqual({ name: 'web', namespace: 'o-1-production' });
    expect(objectForWrite({ metadata: { generateName: 'web-' } }, ctx, { nameRequired: false }).metadata).toEqual({ generateName: 'web-', namespace: 'o-1-production' });
  });

  it('refuses a payload that contradicts the request', () => {
    const refuse = (payload: Record<string, unknown>, c: Partial<PayloadContext> = {}, nameRequired = false) =>
      expect(() => objectForWrite(payload, { ...ctx, ...c }, { nameRequired })).toThrow(RequestRefusedError);
    refuse({ kind: 'Pod', metadata: { name: 'a' } });
    refuse({ apiVersion: 'extensions/v1beta1', metadata: { name: 'a' } });
    refuse({ metadata: { name: 'a', namespace: 'staging' } });
    refuse({ metadata: { name: 'a', namespace: 'o-1-production' } });
    refuse({ metadata: { name: 'a' } }, { name: 'b' });
    refuse({ metadata: {} });
    refuse({ metadata: { generateName: 'x-' } }, {}, true);
    refuse({ metadata: [] });
  });
});

describe('mergePatchFor', () => {
  it('names the object and keeps the patch', () => {
    expect(mergePatchFor({ spec: { replicas: 3 } }, { ...ctx, name: 'web' })).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'o-1-production' },
      spec: { replicas: 3 },
    });
    expect(() => mergePatchFor({ spec: {} }, ctx)).toThrow('PATCH needs the name');
  });
});
