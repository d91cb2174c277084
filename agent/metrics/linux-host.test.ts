import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as si from 'systeminformation';
import { describe, expect, it } from 'vitest';
import { createLinuxHostApi, defaultRouteInterface, parseCpuTimes, parseMeminfo } from './linux-host.ts';

const linux = process.platform === 'linux';

// Shapes as the kernel writes them (Linux 6.x).
const STAT = (user: number, idle: number) =>
  `cpu  ${user} 10 200 ${idle} 50 7 30 3 0 0\ncpu0 ${user} 10 200 ${idle} 50 7 30 3 0 0\nintr 1 2 3\nctxt 99\n`;
const MEMINFO = 'MemTotal:       16303868 kB\nMemFree:         1186428 kB\nMemAvailable:   10345676 kB\nBuffers:          571736 kB\nCached:          8281640 kB\nSwapCached:            0 kB\n';
const ROUTE = [
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
  'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
  'eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0',
  'wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0',
].join('\n');

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'linux-host-'));
  const paths = { procStat: join(dir, 'stat'), meminfo: join(dir, 'meminfo'), netRoute: join(dir, 'route'), sysClassNet: join(dir, 'net'), rootMount: dir };
  writeFileSync(paths.meminfo, MEMINFO);
  writeFileSync(paths.netRoute, ROUTE);
  mkdirSync(join(paths.sysClassNet, 'eth0', 'statistics'), { recursive: true });
  const counters = (rx: number, tx: number) => {
    writeFileSync(join(paths.sysClassNet, 'eth0', 'statistics', 'rx_bytes'), `${rx}\n`);
    writeFileSync(join(paths.sysClassNet, 'eth0', 'statistics', 'tx_bytes'), `${tx}\n`);
  };
  return { paths, counters };
}

describe('Linux host readings', () => {
  it('CPU load: busy share of the ticks since the previous reading (since boot at first)', async () => {
    const { paths } = fixture();
    const api = createLinuxHostApi(paths);
    writeFileSync(paths.procStat, STAT(1000, 8000));
    // load = user + nice + system + irq + steal + guest = 1000 + 10 + 200 + 7 + 3 + 0; total adds idle
    expect((await api.currentLoad()).currentLoad).toBeCloseTo((1220 / 9220) * 100, 10);
    writeFileSync(paths.procStat, STAT(1300, 8100));
    expect((await api.currentLoad()).currentLoad).toBeCloseTo(75, 10);
    expect((await api.currentLoad()).currentLoad).toBe(0); // nothing moved: no division by zero
    expect(parseCpuTimes(STAT(5, 6))).toEqual({ load: 5 + 10 + 200 + 7 + 3, total: 5 + 10 + 200 + 7 + 3 + 6 });
  });

  it('memory: MemTotal and MemAvailable, or free + buffers + cache + slab on kernels without it', async () => {
    expect(parseMeminfo(MEMINFO)).toEqual({ total: 16303868 * 1024, available: 10345676 * 1024 });
    const old = 'MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\nCached: 300 kB\nSlab: 4 kB\n';
    expect(parseMeminfo(old)).toEqual({ total: 1000 * 1024, available: 424 * 1024 });
    expect(() => parseMeminfo('nothing')).toThrow(/MemTotal/);
  });

  it('network: the counters of the first default route interface', async () => {
    expect(defaultRouteInterface(ROUTE)).toBe('eth0');
    expect(defaultRouteInterface(ROUTE.split('\n').slice(0, 2).join('\n'))).toBe('');
    const { paths, counters } = fixture();
    counters(123_456, 7_890);
    expect(await createLinuxHostApi(paths).networkStats()).toEqual([{ rx_bytes: 123_456, tx_bytes: 7_890 }]);
    writeFileSync(paths.netRoute, ROUTE.replace(/eth0/, '../x'));
    expect(await createLinuxHostApi(paths).networkStats()).toEqual([]); // never a path outside /sys/class/net
  });

  it.runIf(linux)('disk: size and used of the root filesystem, as df reports them', async () => {
    const [volume] = await createLinuxHostApi().fsSize();
    expect(volume.mount).toBe('/');
    const root = (await si.fsSize()).find((v) => v.mount === '/');
    if (!root) return; // df shows no / here (some containers): nothing to compare with
    expect(volume.size).toBe(root.size);
    expect(Math.abs(volume.used - root.used)).toBeLessThan(64 * 2 ** 20); // the disk moves between the two reads
  });

  it.runIf(linux)('agrees with systeminformation on this host', async () => {
    const api = createLinuxHostApi();
    const [mine, theirs] = await Promise.all([api.mem(), si.mem()]);
    expect(mine.total).toBe(theirs.total);
    expect(Math.abs(mine.available - theirs.available)).toBeLessThan(256 * 2 ** 20);
    const [net, siNet] = await Promise.all([api.networkStats(), si.networkStats()]);
    const iface = defaultRouteInterface(readFileSync('/proc/net/route', 'utf8'));
    if (iface && siNet[0]?.iface === iface) {
      // the same interface's counters, read a moment apart
      expect(net).toHaveLength(1);
      expect(Math.abs(net[0].rx_bytes - siNet[0].rx_bytes)).toBeLessThan(64 * 2 ** 20);
      expect(Math.abs(net[0].tx_bytes - siNet[0].tx_bytes)).toBeLessThan(64 * 2 ** 20);
    }
    const load = (await api.currentLoad()).currentLoad;
    expect(load).toBeGreaterThanOrEqual(0);
    expect(load).toBeLessThanOrEqual(100);
  });
});
