import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError, readManifest } from './manifest.ts';

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'manifest-')), 'm.yaml');
  writeFileSync(path, text);
  return path;
}

describe('readManifest', () => {
  it('turns every document into a request, namespace from the object, then -n, then default', () => {
    const objs = readManifest(file('kind: Deployment\nmetadata: {name: web, namespace: apps}\n---\nkind: Service\nmetadata: {name: web}\n---\n'), null);
    expect(objs.map((o) => [o.info.resource, o.name, o.namespace])).toEqual([['deployments', 'web', 'apps'], ['services', 'web', 'default']]);
    expect(JSON.parse(objs[0].payload)).toEqual({ kind: 'Deployment', metadata: { name: 'web', namespace: 'apps' } });
    expect(readManifest(file('{"kind":"ConfigMap","metadata":{"name":"c"}}'), 'prod')[0]).toMatchObject({ namespace: 'prod' });
    expect(readManifest('-', null, () => 'kind: List\nitems: [{kind: Pod, metadata: {name: a}}, {kind: Secret, metadata: {name: b}}]').map((o) => o.name)).toEqual(['a', 'b']);
  });

  it('refuses what cannot be sent', () => {
    const bad = (text: string, ns: string | null = null) => expect(() => readManifest(file(text), ns)).toThrow(ManifestError);
    bad('');
    bad('kind: Ingress\nmetadata: {name: x}');
    bad('kind: Namespace\nmetadata: {name: x}');
    bad('kind: Pod\nmetadata: {}');
    bad('kind: Pod\nmetadata: {name: a, namespace: a}', 'b');
    bad('kind: Pod\nmetadata: [1');
    expect(() => readManifest('/nonexistent.yaml', null)).toThrow('cannot read /nonexistent.yaml: ENOENT');
  });
});
