import { beforeEach, describe, expect, it } from 'vitest';
import { K8S_SCHEDULER_ABORTS as E } from '../../shared/chain/abi.ts';
import { selectOwnerWorker, selectionScore } from './k8s-scheduler.ts';
import { emptyPackageState } from './package.ts';
import { ALICE, BOB, NOW, activeWorkers, expectAbort, invoke, register, setStatus, view } from './test-helpers.ts';
import type { PackageState } from './types.ts';

const M = 'k8s_scheduler';
let s: PackageState;
beforeEach(() => {
  s = emptyPackageState();
});

interface Req {
  id: string;
  method: string;
  resource: string;
  namespace: string;
  name: string;
  payload: string;
  priority: number;
}
const req = (over: Partial<Req> = {}): Req => ({
  id: 'req-1',
  method: 'GET',
  resource: 'pods',
  namespace: 'default',
  name: 'web',
  payload: '{}',
  priority: 5,
  ...over,
});
const argsOf = (r: Req) => [r.id, r.method, r.resource, r.namespace, r.name, r.payload, r.priority];
const submit = (over: Partial<Req> = {}, sender = ALICE, now = NOW) =>
  invoke(s, `${M}::submit_k8s_request`, sender, argsOf(req(over)), now);
const submitAborts = (over: Partial<Req>, code: number, sender = ALICE) =>
  expectAbort(s, () => submit(over, sender), M, 'submit_k8s_request', code);
const record = (id: string, success = true, now = NOW) =>
  invoke(s, `${M}::record_api_result`, BOB, [id, success, 'out', 'err', 42n], now);
const recordAborts = (id: string) => expectAbort(s, () => record(id), M, 'record_api_result', E.EInvalidRequest);
const load = (nodeId: string) => view(s, `${M}::get_worker_workload`, [nodeId]);
/** Puts `n` requests in flight on `nodeId` directly, so selection sees that workload. */
const inFlight = (nodeId: string, n: number) => {
  s.scheduler.worker_workloads[nodeId] = n;
};

describe('submit_k8s_request', () => {
  beforeEach(() => activeWorkers(s, ALICE, 'w1'));

  it('stores the request as assigned, bumps the workload and total, and emits the event', () => {
    const registryBefore = structuredClone(s.registry);
    const r = submit({ priority: 9 }, ALICE, NOW + 7n);
    expect(r.returns).toEqual([]);
    expect(r.events).toStrictEqual([
      {
        module: M,
        name: 'K8sAPIRequestScheduledEvent',
        fields: {
          request_id: 'req-1',
          method: 'GET',
          resource: 'pods',
          namespace: 'default',
          name: 'web',
          payload: '{}',
          requester: ALICE,
          priority: 9,
          assigned_worker: 'w1',
          timestamp: NOW + 7n,
        },
      },
    ]);
    expect(s.scheduler.requests['req-1']).toStrictEqual({
      request_id: 'req-1',
      method: 'GET',
      resource: 'pods',
      namespace: 'default',
      name: 'web',
      payload: '{}',
      requester: ALICE,
      priority: 9,
      assigned_worker: 'w1',
      status: 'assigned',
      created_at: (NOW + 7n).toString(),
      completed_at: '0',
    });
    expect(load('w1')).toBe(1n);
    expect(invoke(s, `${M}::get_request_count`, BOB, []).returns).toStrictEqual([1n, 0n]);
    expect(s.registry).toStrictEqual(registryBefore);
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('allows %s on namespaced resources', (method) => {
    submit({ method, resource: 'deployments' });
  });

  it.each(['nodes', 'namespaces'])('allows GET on %s', (resource) => {
    submit({ resource });
  });

  it.each(['__proto__', 'constructor', 'toString'])('treats %j as an ordinary request id', (id) => {
    submit({ id });
    expect(view(s, `${M}::get_request_status`, [id])).toBe('assigned');
    expect(Object.getPrototypeOf(s.scheduler.requests)).toBe(Object.prototype);
    submitAborts({ id }, E.ERequestExists);
  });

  it('accepts request ids of 1 and 128 bytes, counting UTF-8 bytes', () => {
    submit({ id: 'x' });
    submit({ id: 'a'.repeat(128) });
    submit({ id: 'é'.repeat(64) });
  });

  it.each<[string, Partial<Req>]>([
    ['empty id', { id: '' }],
    ['129-byte id', { id: 'a'.repeat(129) }],
    ['130 UTF-8 bytes in 65 chars', { id: 'é'.repeat(65) }],
    ['lowercase method', { method: 'get' }],
    ['unknown method', { method: 'HEAD' }],
    ['unknown resource', { resource: 'ingresses' }],
    ['capitalised resource', { resource: 'Pods' }],
    ['priority 0', { priority: 0 }],
    ['priority 11', { priority: 11 }],
    ['priority 255', { priority: 255 }],
  ])('rejects %s (EInvalidRequest)', (_label, over) => submitAborts(over, E.EInvalidRequest));

  it.each<[string, string]>([
    ['POST', 'nodes'],
    ['PUT', 'namespaces'],
    ['PATCH', 'nodes'],
    ['DELETE', 'namespaces'],
  ])('rejects %s on %s (EUnauthorizedRequest)', (method, resource) => submitAborts({ method, resource }, E.EUnauthorizedRequest));

  it('rejects a reused request id, even once completed (ERequestExists)', () => {
    submit();
    submitAborts({}, E.ERequestExists);
    record('req-1');
    submitAborts({}, E.ERequestExists);
  });

  it('aborts ENoAvailableWorkers when the sender has no active worker', () => {
    submitAborts({}, E.ENoAvailableWorkers, BOB);
    register(s, BOB, 'b1');
    submitAborts({}, E.ENoAvailableWorkers, BOB);
    setStatus(s, 'b1', 'active');
    setStatus(s, 'b1', 'busy');
    submitAborts({}, E.ENoAvailableWorkers, BOB);
  });

  describe('check order', () => {
    it('malformed before cluster-scoped write', () =>
      submitAborts({ method: 'POST', resource: 'nodes', priority: 0 }, E.EInvalidRequest));
    it('cluster-scoped write before reused id', () => {
      submit({ resource: 'nodes' });
      submitAborts({ method: 'POST', resource: 'nodes' }, E.EUnauthorizedRequest);
    });
    it('reused id before worker selection', () => {
      submit();
      setStatus(s, 'w1', 'offline');
      submitAborts({}, E.ERequestExists);
    });
    it('malformed before worker selection', () => submitAborts({ method: 'GETS' }, E.EInvalidRequest, BOB));
  });

  it("re-checks the selected worker's owner (EUnauthorizedRequest, only reachable with inconsistent state)", () => {
    s.registry.owner_workers[BOB] = ['w1'];
    submitAborts({}, E.EUnauthorizedRequest, BOB);
  });
});

describe('worker selection', () => {
  it('scores idle 1000, loaded 100 / (load + 1), doubled from priority 8', () => {
    expect([0, 1, 2, 3, 99, 100].map((l) => selectionScore(l, 1))).toEqual([1000, 50, 33, 25, 1, 0]);
    expect([0, 1, 2].map((l) => selectionScore(l, 7))).toEqual([1000, 50, 33]);
    expect([0, 1, 2].map((l) => selectionScore(l, 8))).toEqual([2000, 100, 66]);
    expect(selectionScore(1, 10)).toBe(100);
  });

  it.each([1, 7, 8, 10])('prefers an idle worker over a loaded one, whatever the priority (%i)', (priority) => {
    activeWorkers(s, ALICE, 'w1', 'w2');
    inFlight('w1', 1);
    expect(submit({ priority }).events[0].fields.assigned_worker).toBe('w2');
  });

  it.each([1, 8])('keeps the first on a tie, replaces only with a strictly higher score (priority %i)', (priority) => {
    activeWorkers(s, ALICE, 'w1', 'w2', 'w3');
    expect(selectOwnerWorker(s.registry, s.scheduler, ALICE, priority)).toBe('w1');
    inFlight('w1', 2);
    inFlight('w2', 2);
    inFlight('w3', 2);
    expect(selectOwnerWorker(s.registry, s.scheduler, ALICE, priority)).toBe('w1');
    inFlight('w1', 3);
    expect(selectOwnerWorker(s.registry, s.scheduler, ALICE, priority)).toBe('w2');
    // 100/(99+1) = 1 and 100/(100+1) = 0: integer division decides
    inFlight('w1', 99);
    inFlight('w2', 100);
    inFlight('w3', 100);
    expect(selectOwnerWorker(s.registry, s.scheduler, ALICE, priority)).toBe('w1');
  });

  it('spreads consecutive requests over idle workers', () => {
    activeWorkers(s, ALICE, 'w1', 'w2');
    const picks = ['r1', 'r2', 'r3'].map((id) => submit({ id }).events[0].fields.assigned_worker);
    expect(picks).toEqual(['w1', 'w2', 'w1']);
    expect([load('w1'), load('w2')]).toEqual([2n, 1n]);
  });

  it("skips non-active workers and other owners' workers", () => {
    for (const [id, status] of [
      ['p', 'pending'],
      ['o', 'offline'],
      ['b', 'busy'],
      ['x', 'slashed'],
    ] as const) {
      activeWorkers(s, ALICE, id);
      if (status === 'slashed') invoke(s, 'worker_registry::slash_worker', BOB, [id, 1n, 'r']);
      else setStatus(s, id, status);
    }
    activeWorkers(s, BOB, 'bob-idle');
    activeWorkers(s, ALICE, 'a');
    inFlight('a', 5);
    expect(submit().events[0].fields.assigned_worker).toBe('a');
  });
});

describe('record_api_result', () => {
  beforeEach(() => {
    activeWorkers(s, ALICE, 'w1');
    submit({ id: 'r1' });
    submit({ id: 'r2' });
  });

  it('completes the request, decrements the workload, counts it and emits the result', () => {
    const r = record('r1', true, NOW + 50n);
    expect(r.events).toStrictEqual([
      {
        module: M,
        name: 'K8sAPIResultEvent',
        fields: {
          request_id: 'r1',
          assigned_worker: 'w1',
          success: true,
          output: 'out',
          error: 'err',
          execution_time_ms: 42n,
          timestamp: NOW + 50n,
        },
      },
    ]);
    expect(s.scheduler.requests.r1).toMatchObject({ status: 'completed', completed_at: (NOW + 50n).toString() });
    expect(load('w1')).toBe(1n);
    expect(invoke(s, `${M}::get_request_count`, BOB, []).returns).toStrictEqual([2n, 1n]);
  });

  it('marks a failure as failed and still counts it as completed', () => {
    expect(record('r2', false).events[0].fields.success).toBe(false);
    expect(view(s, `${M}::get_request_status`, ['r2'])).toBe('failed');
    expect(load('w1')).toBe(1n);
    expect(invoke(s, `${M}::get_request_count`, BOB, []).returns).toStrictEqual([2n, 1n]);
  });

  it('never takes a workload below 0', () => {
    inFlight('w1', 0);
    record('r1');
    expect(s.scheduler.worker_workloads.w1).toBe(0);
  });

  it('aborts EInvalidRequest for an unknown, completed or failed request', () => {
    recordAborts('nope');
    record('r1');
    recordAborts('r1');
    record('r2', false);
    recordAborts('r2');
  });
});

describe('views', () => {
  it('get_worker_workload is 0 for an unknown worker; get_request_status says not_found', () => {
    expect(load('ghost')).toBe(0n);
    expect(view(s, `${M}::get_request_status`, ['ghost'])).toBe('not_found');
    expect(invoke(s, `${M}::get_request_count`, BOB, []).returns).toStrictEqual([0n, 0n]);
  });
});
