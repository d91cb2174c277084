import { describe, expect, it } from 'vitest';
import { ConfigError, DaasError } from '../../shared/errors.ts';
import { buildK3sAgentArgs, ownerLabelValue, splitShellWords } from './args.ts';

const OWNER = `0x${'ab'.repeat(32)}`;
const base = {
  serverUrl: 'https://10.0.0.1:6443',
  tokenFile: '/var/lib/k8s-daas-agent/k3s-join-token',
  nodeId: 'worker-1',
  ownerAddress: OWNER,
  stakeMist: 1_000_000_000n,
};

describe('buildK3sAgentArgs', () => {
  it('builds the agent flags in a fixed order, token only by file', () => {
    expect(buildK3sAgentArgs(base)).toEqual([
      'agent',
      '--server', 'https://10.0.0.1:6443',
      '--token-file', '/var/lib/k8s-daas-agent/k3s-join-token',
      '--node-name', 'worker-1',
      '--node-label', `k8s-daas.io/owner=${ownerLabelValue(OWNER)}`,
      '--node-label', 'k8s-daas.io/stake-mist=1000000000',
    ]);
  });

  it('appends K3S_EXTRA_ARGS split like a shell, and welcome labels', () => {
    const args = buildK3sAgentArgs({
      ...base,
      labels: { 'k8s-daas.io/tier': 'gpu' },
      extraArgs: `--node-ip 10.0.0.5 --kubelet-arg "eviction-hard=memory.available<100Mi" --node-taint 'gpu=true:NoSchedule'`,
    });
    expect(args.slice(11)).toEqual([
      '--node-label', 'k8s-daas.io/tier=gpu',
      '--node-ip', '10.0.0.5',
      '--kubelet-arg', 'eviction-hard=memory.available<100Mi',
      '--node-taint', 'gpu=true:NoSchedule',
    ]);
  });

  it.each([
    ['--token abc', '--token'],
    ['-t abc', '-t'],
    ['--token=abc', '--token'],
    ['--server https://evil:6443', '--server'],
    ['--node-name other', '--node-name'],
    ['--with-node-id', '--with-node-id'],
  ])('refuses the reserved flag in %j', (extraArgs, flag) => {
    const err = catchError(() => buildK3sAgentArgs({ ...base, extraArgs }));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe('K3S_EXTRA_ARGS');
    expect((err as Error).message).toContain(flag);
  });

  it.each([
    [{ serverUrl: 'http://10.0.0.1:6443' }, 'https'],
    [{ nodeId: 'Worker_1' }, 'node name'],
    [{ ownerAddress: 'alice' }, 'Sui address'],
    [{ stakeMist: -5 }, 'MIST'],
    [{ labels: { 'k8s-daas.io/owner': 'someone-else' } }, 'may not be overridden'],
    [{ labels: { 'k8s-daas.io/tier': 'a b' } }, 'at most 63 characters'],
    [{ labels: { 'Bad Key': 'x' } }, 'label key'],
  ])('rejects %j with K3S_BAD_ARGS', (patch, text) => {
    const err = catchError(() => buildK3sAgentArgs({ ...base, ...patch }));
    expect(err).toBeInstanceOf(DaasError);
    expect((err as DaasError).code).toBe('K3S_BAD_ARGS');
    expect((err as Error).message).toContain(text);
  });
});

describe('ownerLabelValue', () => {
  it('fits a Sui address losslessly into a label value (base32, 52 characters)', async () => {
    const { addressFromOwnerLabel } = await import('../../shared/chain/owner-label.ts');
    const value = ownerLabelValue(OWNER);
    expect(value).toMatch(/^[a-z2-7]{52}$/);
    expect(addressFromOwnerLabel(value)).toBe(OWNER.toLowerCase());
    expect(addressFromOwnerLabel(ownerLabelValue('0x2'))).toBe(`0x${'0'.repeat(63)}2`);
  });
});

describe('splitShellWords', () => {
  it.each([
    ['', []],
    ['  a   b  ', ['a', 'b']],
    [`'a b' "c d"`, ['a b', 'c d']],
    [`--x="a \\"q\\" b"`, ['--x=a "q" b']],
    [`'it''s'`, ['its']],
    [`a\\ b`, ['a b']],
    [`"" ''`, ['', '']],
    [`'$HOME' "$HOME"`, ['$HOME', '$HOME']],
    ['a\tb\nc', ['a', 'b', 'c']],
    [`"a\\nb"`, ['a\\nb']],
  ])('splits %j', (input, words) => {
    expect(splitShellWords(input)).toEqual(words);
  });

  it.each([`'open`, `"open`, `a "b 'c`, 'trailing\\'])('rejects %j naming K3S_EXTRA_ARGS', (input) => {
    const err = catchError(() => splitShellWords(input));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^K3S_EXTRA_ARGS: (unterminated|trailing)/);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}
