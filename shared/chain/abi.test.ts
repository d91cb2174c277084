import { describe, expect, it } from 'vitest';
import { abortName, isValidNodeId } from './abi.ts';

describe('abi', () => {
  it('accepts Kubernetes node names and nothing else', () => {
    for (const ok of ['a', 'my-worker-001', '0', 'a'.repeat(63), 'a-b-c9']) expect(isValidNodeId(ok), ok).toBe(true);
    for (const bad of ['', '-a', 'a-', 'A', 'my_worker', 'a.b', 'a'.repeat(64), 'wörker', 'a b']) {
      expect(isValidNodeId(bad), bad).toBe(false);
    }
  });

  it('names abort codes per module', () => {
    expect(abortName('worker_registry', 1)).toBe('EInsufficientStake');
    expect(abortName('worker_registry', 9)).toBe('ETooManyWorkers');
    expect(abortName('k8s_scheduler', 1)).toBe('ENoAvailableWorkers');
    expect(abortName('k8s_scheduler', 5)).toBe('ERequestExists');
    expect(abortName('k8s_scheduler', 9)).toBeUndefined();
    expect(abortName('coin', 1)).toBeUndefined();
  });
});
