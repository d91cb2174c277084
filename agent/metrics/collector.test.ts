import { arch, hostname, platform } from 'node:os';
import pino from 'pino';
import * as si from 'systeminformation';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../test/fixtures/manual-clock.ts';
import { createHostMetricsCollector, type HostMetrics, type SystemInfoApi } from './collector.ts';

const silent = pino({ level: 'silent' });
const NAMES = ['cpu', 'osInfo', 'graphics', 'mem', 'fsSize', 'currentLoad', 'networkStats'] as const;
type Name = (typeof NAMES)[number];

/** The real module, wrapped so the test can see which functions ran how often. */
function countingSi(inner: SystemInfoApi = si): { api: SystemInfoApi; calls: Record<Name, number> } {
  const calls = Object.fromEntries(NAMES.map((n) => [n, 0])) as Record<Name, number>;
  const api = Object.fromEntries(
    NAMES.map((n) => [
      n,
      (...args: unknown[]) => {
        calls[n]++;
        return (inner[n] as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as SystemInfoApi;
  return { api, calls };
}

describe('createHostMetricsCollector on this host', () => {
  it('reports plausible values, reading the expensive facts once', async () => {
    const clock = new ManualClock();
    const { api, calls } = countingSi();
    const collector = createHostMetricsCollector({ si: api, clock, logger: silent });
    await collector.start();
    const afterStart = { ...calls };
    expect(afterStart).toEqual({ cpu: 1, osInfo: 1, graphics: 1, mem: 1, fsSize: 1, currentLoad: 0, networkStats: 1 });

    const m = await collector.sample();
    await collector.sample();
    await clock.advance(10_000);
    await collector.sample();
    // per beat: currentLoad and mem only
    expect(calls).toEqual({ ...afterStart, currentLoad: 3, mem: 4 });
    expectPlausible(m);
    expect(m.network).toEqual({ rxBytesPerSec: null, txBytesPerSec: null }); // no interval measured yet

    await clock.advance(50_000); // 60 s since start: network refresh is due
    const later = await collector.sample();
    expect(calls.networkStats).toBe(2);
    expect(calls.fsSize).toBe(1);
    expect(later.network.rxBytesPerSec).toBeGreaterThanOrEqual(0);
    expect(later.network.txBytesPerSec).toBeGreaterThanOrEqual(0);

    await clock.advance(240_000); // 5 min since start: disk usage refresh is due
    await collector.sample();
    expect(calls.fsSize).toBe(2);
    expect(calls.cpu + calls.osInfo + calls.graphics).toBe(3);
  });
});

describe('createHostMetricsCollector with a failing systeminformation', () => {
  it('degrades to null fields and node:os facts, never throwing', async () => {
    const broken = failing();
    const records: { msg: string; call?: string; level: number }[] = [];
    const logger = pino({ level: 'debug' }, { write: (l: string) => void records.push(JSON.parse(l)) });
    const collector = createHostMetricsCollector({ si: broken, clock: new ManualClock(), logger, uptimeSec: () => 42.9 });
    const m = await collector.sample();
    await collector.sample();
    expect(m).toEqual({
      cpu: { cores: null, model: null, loadPercent: null },
      memory: { totalBytes: null, usedBytes: null },
      disk: { totalBytes: null, usedBytes: null },
      network: { rxBytesPerSec: null, txBytesPerSec: null },
      uptimeSec: 42,
      os: { platform: platform(), distro: null, release: expect.any(String), arch: arch(), hostname: hostname() },
    });
    // each failing call warns once; repeats go to debug
    const warns = records.filter((r) => r.level === 40).map((r) => r.call).sort();
    expect(warns).toEqual([...NAMES].sort());
  });

  it('reports GPUs from graphics()', async () => {
    const withGpu: SystemInfoApi = {
      ...failing(),
      graphics: async () => ({
        controllers: [{ vendor: 'NVIDIA Corporation', model: 'NVIDIA A100-SXM4-40GB', bus: 'PCI', vram: 40960, vramDynamic: false }],
        displays: [],
      }),
    };
    const m = await createHostMetricsCollector({ si: withGpu, clock: new ManualClock(), logger: silent }).sample();
    expect(m.gpus).toEqual([{ model: 'NVIDIA A100-SXM4-40GB', vendor: 'NVIDIA Corporation', vramMb: 40960 }]);
  });
});

function failing(): SystemInfoApi {
  return Object.fromEntries(NAMES.map((n) => [n, () => Promise.reject(new Error(`${n} failed`))])) as unknown as SystemInfoApi;
}

function expectPlausible(m: HostMetrics): void {
  expect(m.cpu.cores).toBeGreaterThanOrEqual(1);
  expect(m.cpu.model).toMatch(/\S/);
  expect(m.cpu.loadPercent).toBeGreaterThanOrEqual(0);
  expect(m.cpu.loadPercent).toBeLessThanOrEqual(100);
  expect(m.memory.totalBytes).toBeGreaterThan(64 * 2 ** 20);
  expect(m.memory.usedBytes).toBeGreaterThan(0);
  expect(m.memory.usedBytes).toBeLessThanOrEqual(m.memory.totalBytes!);
  expect(m.disk.totalBytes).toBeGreaterThan(0);
  expect(m.disk.usedBytes).toBeGreaterThan(0);
  expect(m.disk.usedBytes).toBeLessThanOrEqual(m.disk.totalBytes!);
  expect(m.uptimeSec).toBeGreaterThan(0);
  expect(m.os).toMatchObject({ platform: platform(), arch: expect.any(String), hostname: expect.any(String) });
  expect(Array.isArray(m.gpus)).toBe(true);
}
