import { describe, expect, it } from 'vitest';
import { openPoolDb } from './db.ts';
import { RequestTable } from './requests.ts';

const request = {
  txDigest: 'tx',
  requestId: 'req-1',
  method: 'POST',
  resource: 'deployments',
  namespace: 'apps',
  name: 'web',
  payload: '{"replicas":2}',
  requester: '0x1',
  priority: 9,
  assignedWorker: 'w1',
  timestamp: 100,
};

describe('RequestTable', () => {
  it('inserts a request once and reads it back', () => {
    const table = new RequestTable(openPoolDb(':memory:'));
    expect(table.get('req-1')).toBeUndefined();
    expect(table.insert(request)).toBe(true);
    expect(table.insert({ ...request, method: 'DELETE' })).toBe(false);
    expect(table.get('req-1')).toEqual({
      requestId: 'req-1',
      method: 'POST',
      resource: 'deployments',
      namespace: 'apps',
      name: 'web',
      payload: '{"replicas":2}',
      requester: '0x1',
      priority: 9,
      assignedWorker: 'w1',
      scheduledAt: 100,
      txDigest: 'tx',
      status: 'scheduled',
      startedAt: null,
      finishedAt: null,
      result: null,
    });
  });

  it('records a failed result', () => {
    const table = new RequestTable(openPoolDb(':memory:'));
    table.insert(request);
    const result = {
      requestId: 'req-1',
      success: false,
      output: '',
      error: 'forbidden',
      executionTimeMs: 3,
      timestamp: 200,
    };
    expect(table.finish(result)).toBe(true);
    expect(table.finish({ ...result, requestId: 'other' })).toBe(false);
    expect(table.get('req-1')).toMatchObject({ status: 'failed', finishedAt: 200, result: { error: 'forbidden' } });
  });
});
