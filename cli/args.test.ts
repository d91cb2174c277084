import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_MS, parseDuration, parseRequestArgs } from './args.ts';

const ok = (argv: string[]) => {
  const r = parseRequestArgs(argv);
  if (!r.ok || r.help) throw new Error(`expected a command, got ${JSON.stringify(r)}`);
  return r.command;
};
const usageError = (argv: string[]) => {
  const r = parseRequestArgs(argv);
  if (r.ok) throw new Error(`expected a usage error for ${argv.join(' ')}`);
  return r.message;
};

describe('parseRequestArgs', () => {
  it('reads get with kubectl\'s names and flags', () => {
    expect(ok(['request', 'get', 'pods', '-n', 'production'])).toMatchObject({ verb: 'get', resource: { resource: 'pods' }, name: '', namespace: 'production', output: 'table', priority: 5, timeoutMs: DEFAULT_TIMEOUT_MS });
    expect(ok(['request', 'get', 'deploy', 'web', '--namespace=apps', '-o', 'yaml', '--priority', '9', '--timeout', '30s'])).toMatchObject({ resource: { resource: 'deployments' }, name: 'web', namespace: 'apps', output: 'yaml', priority: 9, timeoutMs: 30_000 });
    expect(ok(['request', 'get', 'no', '-o', 'wide'])).toMatchObject({ resource: { resource: 'nodes' }, namespace: null, output: 'wide' });
    expect(ok(['request', 'get', 'deployments.apps'])).toMatchObject({ resource: { resource: 'deployments' } });
  });

  it('reads apply, replace, patch and delete', () => {
    expect(ok(['request', 'apply', '-f', 'web.yaml'])).toMatchObject({ verb: 'apply', file: 'web.yaml', namespace: null });
    expect(ok(['request', 'replace', '-f', '-', '-n', 'x', '-o', 'json'])).toMatchObject({ verb: 'replace', file: '-', output: 'json' });
    expect(ok(['request', 'patch', 'deployment', 'web', '-p', '{"spec":{"replicas":3}}'])).toMatchObject({ verb: 'patch', name: 'web', patch: '{"spec":{"replicas":3}}' });
    expect(ok(['request', 'delete', 'svc', 'web', '-n', 'prod'])).toMatchObject({ verb: 'delete', resource: { resource: 'services' }, name: 'web', namespace: 'prod' });
  });

  it('answers help, and names what is wrong otherwise', () => {
    expect(parseRequestArgs([])).toEqual({ ok: true, help: true });
    expect(parseRequestArgs(['request', 'get', '--help'])).toEqual({ ok: true, help: true });
    expect(usageError(['deploy'])).toContain('unknown command "deploy"');
    expect(usageError(['request'])).toContain('missing the verb');
    expect(usageError(['request', 'scale', 'deploy'])).toContain('unknown verb "scale"');
    expect(usageError(['request', 'get'])).toContain('needs a resource type');
    expect(usageError(['request', 'get', 'ingresses'])).toContain('unknown resource type "ingresses"');
    expect(usageError(['request', 'get', 'pods', 'a', 'b'])).toContain('unexpected argument "b"');
    expect(usageError(['request', 'get', 'pods', '-o', 'jsonpath'])).toContain('unsupported output format');
    expect(usageError(['request', 'delete', 'pods', '-o', 'wide', 'x'])).toContain('unsupported output format');
    expect(usageError(['request', 'delete', 'pods'])).toContain('needs the name');
    expect(usageError(['request', 'patch', 'pods', 'x'])).toContain('needs -p');
    expect(usageError(['request', 'apply'])).toContain('needs -f');
    expect(usageError(['request', 'get', 'pods', '--priority', '11'])).toContain('--priority must be an integer from 1 to 10');
    expect(usageError(['request', 'get', 'pods', '--timeout', 'soon'])).toContain('--timeout');
    expect(usageError(['request', 'get', 'pods', '--bogus'])).toContain("Unknown option '--bogus'");
  });
});

describe('parseDuration', () => {
  it('reads kubectl-style durations', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('0s')).toBeNull();
    expect(parseDuration('1d')).toBeNull();
  });
});
