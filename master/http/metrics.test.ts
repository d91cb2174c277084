import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { MasterMetrics } from './metrics.ts';
import { startTestMaster, type TestMaster } from './testing.ts';

const masters: TestMaster[] = [];
afterEach(async () => {
  for (const m of masters.splice(0)) await m.close();
});

async function scrape(): Promise<{ m: TestMaster; contentType: string | null; body: string }> {
  const m = await startTestMaster();
  masters.push(m);
  m.metrics.heartbeat();
  m.metrics.authFailure('bad-signature');
  m.metrics.authFailure('replayed nonce');
  m.metrics.eventsApplied('worker_registry', 6);
  m.metrics.pollError();
  m.metrics.transition('active');
  m.metrics.transition(null);
  const res = await fetch(`${m.url}/metrics`);
  expect(res.status).toBe(200);
  return { m, contentType: res.headers.get('content-type'), body: await res.text() };
}

/** Runs `promtool check metrics` on `body`; fails the test (never skips) when promtool is absent. */
function promtoolCheck(body: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
  const missing = (run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  if (missing) {
    throw new Error(
      'promtool is not installed: install the Debian package "prometheus" ' +
        '(apt-get install -y --no-install-recommends prometheus); .ci/run does this in CI',
    );
  }
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('/metrics', () => {
  it('passes promtool check metrics', async () => {
    const { body } = await scrape();
    const result = promtoolCheck(body);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('promtool really lints: a gauge named *_total fails the same check', () => {
    const bad = '# HELP k8s_daas_bad_total x\n# TYPE k8s_daas_bad_total gauge\nk8s_daas_bad_total 1\n';
    expect(promtoolCheck(bad).status).not.toBe(0);
  });

  it("exposes the pool, the counters and the process metrics in Prometheus' text format", async () => {
    const { m, contentType, body } = await scrape();
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const lines = body.split('\n');
    for (const expected of [
      'k8s_daas_workers{status="pending"} 2',
      'k8s_daas_workers{status="active"} 1',
      'k8s_daas_workers{status="slashed"} 0',
      'k8s_daas_stake_mist 4504607436',
      'k8s_daas_agent_connections 1',
      'k8s_daas_heartbeats_total 1',
      'k8s_daas_auth_failures_total{reason="bad-signature"} 1',
      'k8s_daas_auth_failures_total{reason="replayed_nonce"} 1',
      'k8s_daas_chain_events_applied_total{module="worker_registry"} 6',
      'k8s_daas_chain_events_applied_total{module="k8s_scheduler"} 0',
      'k8s_daas_chain_poll_errors_total 1',
      'k8s_daas_status_transitions_total{to="active"} 1',
      'k8s_daas_status_transitions_total{to="left"} 1',
      'k8s_daas_status_transitions_total{to="offline"} 0',
      `k8s_daas_chain_last_success_timestamp_seconds ${m.clock.now() / 1000}`,
    ]) {
      expect(lines).toContain(expected);
    }
    expect(body).toMatch(/^process_cpu_seconds_total /m);
    expect(body).toMatch(/^nodejs_heap_size_used_bytes /m);
  });

  it('reads the pool at scrape time', async () => {
    const { m } = await scrape();
    m.store.setStatus('bravo', 'active', 'authenticated');
    m.connected.add('bravo');
    const body = await (await fetch(`${m.url}/metrics`)).text();
    expect(body).toContain('k8s_daas_workers{status="active"} 2');
    expect(body).toContain('k8s_daas_agent_connections 2');
  });
});

describe('MasterMetrics', () => {
  const make = () =>
    new MasterMetrics({
      store: {
        stats: () => ({
          total: 0,
          byStatus: { pending: 0, active: 0, busy: 0, offline: 0, slashed: 0 },
          totalStakeMist: '0',
          averageStakeMist: '0',
        }),
      },
      connections: () => 7,
      lastChainSuccessAt: () => null,
    });

  it('keeps its own registry: two instances do not share counters', async () => {
    const a = make();
    const b = make();
    a.heartbeat();
    expect(a.snapshot()).toEqual({ heartbeatsReceived: 1, authFailures: 0, connectedAgents: 7 });
    expect(b.snapshot().heartbeatsReceived).toBe(0);
    expect((await b.render()).body).toContain('k8s_daas_heartbeats_total 0');
    expect((await b.render()).body).toContain('k8s_daas_chain_last_success_timestamp_seconds 0');
  });

  it('bounds the reason label: past 32 distinct values the rest count as "other"', async () => {
    const m = make();
    for (let i = 0; i < 40; i++) m.authFailure(`reason-${i}`);
    const body = (await m.render()).body;
    expect(body.match(/^k8s_daas_auth_failures_total\{/gm)).toHaveLength(33);
    expect(body).toContain('k8s_daas_auth_failures_total{reason="other"} 8');
    expect(m.snapshot().authFailures).toBe(40);
  });
});
