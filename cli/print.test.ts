import { describe, expect, it } from 'vitest';
import { RESOURCES } from '../master/requests/resources.ts';
import { printAction, printGet, truncationNote } from './print.ts';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

const pod = (name: string, extra: Record<string, any> = {}) => ({
  kind: 'Pod',
  metadata: { name, namespace: 'production', creationTimestamp: ago(300) },
  spec: { nodeName: 'w1', containers: [{ name: 'a' }, { name: 'b' }] },
  status: { phase: 'Running', podIP: '10.42.0.7', containerStatuses: [{ ready: true, restartCount: 1 }, { ready: false, restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
  ...extra,
});

describe('printGet', () => {
  it('prints pods as kubectl get does, wide with IP and NODE', () => {
    const list = { kind: 'PodList', items: [pod('web-1'), { ...pod('web-2'), metadata: { name: 'web-2', creationTimestamp: ago(30), deletionTimestamp: ago(1) } }] };
    expect(printGet(list, RESOURCES.pods, 'table', NOW, 'production').stdout).toBe(
      ['NAME   READY  STATUS            RESTARTS  AGE', 'web-1  1/2    CrashLoopBackOff  3         5m', 'web-2  1/2    Terminating       3         30s', ''].join('\n'),
    );
    expect(printGet(list, RESOURCES.pods, 'wide', NOW, 'production').stdout.split('\n')[0]).toBe('NAME   READY  STATUS            RESTARTS  AGE  IP         NODE');
  });

  it('prints one object as a one-row table, and each resource with its columns', () => {
    const dep = { kind: 'Deployment', metadata: { name: 'web', creationTimestamp: ago(7200) }, spec: { replicas: 3 }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
    expect(printGet(dep, RESOURCES.deployments, 'table', NOW, 'x').stdout).toBe('NAME  READY  UP-TO-DATE  AVAILABLE  AGE\nweb   2/3    3           2          120m\n');
    const svc = { metadata: { name: 'web', creationTimestamp: ago(10) }, spec: { type: 'NodePort', clusterIP: '10.43.0.9', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] } };
    expect(printGet(svc, RESOURCES.services, 'table', NOW, 'x').stdout).toContain('web   NodePort  10.43.0.9   <none>       80:30080/TCP  10s');
    expect(printGet({ metadata: { name: 'c' }, data: { a: '', b: '' } }, RESOURCES.configmaps, 'table', NOW, 'x').stdout).toContain('c     2     <unknown>');
    const node = { metadata: { name: 'n1', creationTimestamp: ago(86400 * 3), labels: { 'node-role.kubernetes.io/master': 'true', 'node-role.kubernetes.io/control-plane': 'true' } }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.30.4+k3s1' } } };
    expect(printGet(node, RESOURCES.nodes, 'table', NOW, '').stdout).toBe('NAME  STATUS  ROLES                 AGE  VERSION\nn1    Ready   control-plane,master  3d   v1.30.4+k3s1\n');
  });

  it('says so when nothing is found, and prints JSON or YAML without the truncation marker', () => {
    expect(printGet({ kind: 'PodList', items: [] }, RESOURCES.pods, 'table', NOW, 'production')).toEqual({ stdout: '', stderr: 'No resources found in production namespace.\n' });
    const out = { kind: 'PodList', items: [pod('a')], k8sDaasTruncated: { totalBytes: 9000, omittedItems: 3, fullOutput: '/api/v1/requests/r' } };
    expect(JSON.parse(printGet(out, RESOURCES.pods, 'json', NOW, 'p').stdout)).toEqual({ kind: 'PodList', items: [pod('a')] });
    expect(printGet(out, RESOURCES.pods, 'yaml', NOW, 'p').stdout).toMatch(/^kind: PodList\nitems:\n {2}- kind: Pod\n/);
    expect(truncationNote(out, 'r', 'https://m:8443')).toBe(
      'warning: the output of r is 9000 bytes, more than the chain keeps; showing the on-chain part (1 of 4 items, fields kubectl get prints). Full output: https://m:8443/api/v1/requests/r\n',
    );
    expect(truncationNote({ kind: 'PodList', items: [] }, 'r', undefined)).toBeNull();
  });
});

describe('printAction', () => {
  it('prints kubectl\'s lines', () => {
    expect(printAction('apply', { metadata: { name: 'web' } }, RESOURCES.deployments, 'web', 'table')).toBe('deployment.apps/web created\n');
    expect(printAction('replace', { metadata: { name: 'c' } }, RESOURCES.configmaps, 'c', 'table')).toBe('configmap/c replaced\n');
    expect(printAction('patch', {}, RESOURCES.services, 's', 'table')).toBe('service/s patched\n');
    expect(printAction('delete', { kind: 'Status', details: { name: 'web' } }, RESOURCES.deployments, 'web', 'table')).toBe('deployment.apps "web" deleted\n');
    expect(printAction('delete', pod('p'), RESOURCES.pods, 'p', 'table')).toBe('pod "p" deleted\n');
  });
});
