/**
 * The per-beat and slow-cadence host readings on Linux, straight from the kernel: /proc/stat,
 * /proc/meminfo, statfs(2) of /, /proc/net/route and /sys/class/net. Each call is one or two small
 * file reads, where systeminformation's currentLoad() runs `sh -c 'cat /proc/stat | grep cpu'` (three
 * processes, and the event loop blocked meanwhile) on every beat, its fsSize() runs df, and its
 * networkStats() runs `ip route` and cat — and where the library itself, loaded into the long-running
 * agent, holds several MiB. The figures mean what systeminformation's mean (same sources, same
 * fields, same formulas), so a heartbeat reports the same thing either way.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { readFile, statfs } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import type { SystemInfoApi } from './collector.ts';

export type LiveHostApi = Pick<SystemInfoApi, 'mem' | 'fsSize' | 'currentLoad' | 'networkStats'>;

/** Where the readers look; tests point it at fixture files. */
export interface LinuxHostPaths {
  procStat: string;
  meminfo: string;
  netRoute: string;
  /** /sys/class/net: <dir>/<iface>/statistics/{rx,tx}_bytes. */
  sysClassNet: string;
  /** The filesystem whose use is reported as the disk. */
  rootMount: string;
}

const DEFAULT_PATHS: LinuxHostPaths = { procStat: '/proc/stat', meminfo: '/proc/meminfo', netRoute: '/proc/net/route', sysClassNet: '/sys/class/net', rootMount: '/' };

/** CPU times summed as systeminformation sums them: "load" is everything but idle (iowait and softirq are left out of both). */
interface CpuTimes {
  load: number;
  total: number;
}

/** Readers for the collector; the CPU load is the busy share since the previous call (since boot on the first, as systeminformation's). */
export function createLinuxHostApi(paths: Partial<LinuxHostPaths> = {}): LiveHostApi {
  const p = { ...DEFAULT_PATHS, ...paths };
  let previous: CpuTimes = { load: 0, total: 0 };
  let defaultIface = '';
  return {
    async currentLoad() {
      const now = parseCpuTimes(readHead(p.procStat));
      const ticks = now.total - previous.total || 1;
      const currentLoad = ((now.load - previous.load) / ticks) * 100;
      previous = now;
      return { currentLoad };
    },
    async mem() {
      return parseMeminfo(readHead(p.meminfo));
    },
    async fsSize() {
      const s = await statfs(p.rootMount);
      // df's Size and Used: f_blocks and f_blocks − f_bfree, in bytes
      return [{ mount: p.rootMount, size: s.blocks * s.bsize, used: (s.blocks - s.bfree) * s.bsize }];
    },
    async networkStats() {
      // As systeminformation: the interface of the first default route, else the first external one; the last one found is kept.
      defaultIface = defaultRouteInterface(await readFile(p.netRoute, 'utf8').catch(() => '')) || firstExternalInterface() || defaultIface;
      if (!defaultIface || defaultIface.includes('/') || defaultIface.startsWith('.')) return [];
      const dir = `${p.sysClassNet}/${defaultIface}/statistics`;
      try {
        const [rx, tx] = await Promise.all([readFile(`${dir}/rx_bytes`, 'utf8'), readFile(`${dir}/tx_bytes`, 'utf8')]);
        return [{ rx_bytes: parseInt(rx, 10), tx_bytes: parseInt(tx, 10) }];
      } catch {
        return [];
      }
    },
  };
}

// One buffer for the per-beat reads. /proc files report size 0, so readFile() reads them through the
// thread pool (open, fstat, read until EOF, close) into a fresh 64 KiB chunk, twice a beat for the
// agent's whole life. The first 16 KiB hold all the collector needs (the `cpu` line comes first;
// meminfo is ~1.5 KiB).
const head = Buffer.allocUnsafe(16 * 1024);

/** The start of a /proc file, read synchronously: microseconds, from kernel memory, nothing allocated but the string. */
function readHead(path: string): string {
  const fd = openSync(path, 'r');
  try {
    return head.toString('latin1', 0, readSync(fd, head, 0, head.length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * The aggregate `cpu` line of /proc/stat (user nice system idle iowait irq softirq steal guest …, in
 * clock ticks). Load = user + nice + system + irq + steal + guest, total = load + idle: the sums
 * systeminformation's currentLoad() forms from os.cpus() and /proc/stat — here all in ticks, where
 * it adds steal and guest in ticks to the others in milliseconds (which undercounts steal on VMs).
 */
export function parseCpuTimes(procStat: string): CpuTimes {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no aggregate cpu line in /proc/stat');
  const [user, nice, system, idle, , irq, , steal = 0, guest = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  const load = user + nice + system + irq + steal + guest;
  if (!Number.isFinite(load + idle)) throw new Error('unreadable cpu line in /proc/stat');
  return { load, total: load + idle };
}

/** Total and available memory in bytes; without MemAvailable (kernels before 3.14), free + buffers + cache + slab, as systeminformation. */
export function parseMeminfo(meminfo: string): { total: number; available: number } {
  const kib = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(meminfo);
    return m ? Number(m[1]) * 1024 : 0;
  };
  const total = kib('MemTotal');
  if (!total) throw new Error('no MemTotal in /proc/meminfo');
  const available = kib('MemAvailable') || kib('MemFree') + kib('Buffers') + kib('Cached') + kib('Slab');
  return { total, available };
}

/** The interface of the first default route (destination and mask 0) in /proc/net/route, or ''. */
export function defaultRouteInterface(netRoute: string): string {
  for (const line of netRoute.split('\n').slice(1)) {
    const [iface, destination, , , , , , mask] = line.trim().split(/\s+/);
    if (iface && destination === '00000000' && mask === '00000000') return iface;
  }
  return '';
}

// systeminformation's fallback: the non-internal interface with the lowest IPv6 scope id, else the first one.
function firstExternalInterface(): string {
  let best = '';
  let first = '';
  let scope = 9999;
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.internal) continue;
      first ||= name;
      const id = (a as { scopeid?: number }).scopeid;
      if (id && id < scope) {
        best = name;
        scope = id;
      }
    }
  }
  return best || first;
}
