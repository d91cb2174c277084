import { describe, expect, it } from 'vitest';
import { REDACTED, TRUNCATION_FIELD, chainOutput, cutUtf8, kubectlShape, redactSecrets, summarize } from './output.ts';
import { RESOURCES } from './resources.ts';

describe('kubectlShape and redactSecrets', () => {
  it('gives list items their apiVersion and kind', () => {
    expect(kubectlShape({ apiVersion: 'apps/v1', kind: 'DeploymentList', items: [{ metadata: { name: 'a' } }] }, RESOURCES.deployments)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'DeploymentList',
      items: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a' } }],
    });
  });

  it('redacts Secret values, in objects and lists, and nothing else', () => {
    const secret = { kind: 'Secret', metadata: { name: 's' }, data: { a: 'aGk=' }, stringData: { b: 'hi' }, type: 'Opaque' };
    expect(redactSecrets(secret)).toEqual({ ...secret, data: { a: REDACTED }, stringData: { b: REDACTED } });
    expect(redactSecrets({ kind: 'SecretList', items: [secret] }).items).toEqual([{ ...secret, data: { a: REDACTED }, stringData: { b: REDACTED } }]);
    const cm = { kind: 'ConfigMap', data: { a: '1' } };
    expect(redactSecrets(cm)).toEqual(cm);
  });
});

describe('chainOutput', () => {
  it('keeps an output that fits, and cuts a larger one to a valid, marked summary', () => {
    expect(chainOutput('{"a":1}', 'r')).toBe('{"a":1}');
    const pods = Array.from({ length: 100 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p${i}`, namespace: 'prod', creationTimestamp: '2024-01-01T00:00:00Z', annotations: { big: 'x'.repeat(500) } },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx', env: [{ name: 'A', value: 'b' }] }] },
      status: { phase: 'Running', podIP: '10.0.0.1', containerStatuses: [{ name: 'c', ready: true, restartCount: 0, state: { running: {} }, imageID: 'sha' }] },
    }));
    const full = JSON.stringify({ apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '9' }, items: pods });
    const out = chainOutput(full, 'r-7', 4096);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(4096);
    const parsed = JSON.parse(out);
    expect(parsed[TRUNCATION_FIELD]).toEqual({ totalBytes: Buffer.byteLength(full), omittedItems: 100 - parsed.items.length, fullOutput: '/api/v1/requests/r-7' });
    expect(parsed.items.length).toBeGreaterThan(10);
    expect(parsed.items[0]).toEqual(summarize(pods[0]));
    expect(parsed.items[0].metadata.annotations).toBeUndefined();
  });

  it('summarizes a large single object, and cuts non-JSON text', () => {
    const big = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'prod' }, data: { a: 'x'.repeat(10_000), b: 'y' } };
    const parsed = JSON.parse(chainOutput(JSON.stringify(big), 'r', 4096));
    expect(parsed).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '', b: '' }, [TRUNCATION_FIELD]: { omittedItems: 0 } });
    expect(Buffer.byteLength(chainOutput('é'.repeat(5000), 'r', 100))).toBeLessThanOrEqual(100);
  });
});

describe('cutUtf8', () => {
  it('cuts at a character boundary with an ellipsis', () => {
    expect(cutUtf8('abc', 3)).toBe('abc');
    expect(cutUtf8('abcdef', 5)).toBe('ab…');
    expect(cutUtf8('ééé', 5)).toBe('é…');
  });
});
