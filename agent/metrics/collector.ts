/**
 * Host metrics for heartbeats, through systeminformation's calls, priced by cadence:
 *  - once at start: cpu(), osInfo(), graphics(), mem().total, fsSize() (graphics() runs lspci /
 *    nvidia-smi — far too slow for every beat);
 *  - every beat: currentLoad() and mem();
 *  - slow cadence, cached between refreshes: networkStats() (throughput = byte-counter deltas over
 *    our own clock, so the first figure appears one interval after start) and fsSize() for disk use.
 * Uptime is node:os uptime(), a syscall. Any failing call yields null fields, never an exception.
 *
 * The running agent (run.ts) answers these calls without loading systeminformation: the three
 * static ones from the startup step's reading (static-facts.ts), the others from /proc on Linux
 * (linux-host.ts). Tests and other platforms pass the module itself.
 */
import { arch, hostname, platform, release, uptime } from 'node:os';
import type { Logger } from 'pino';
import type * as SystemInformation from 'systeminformation';
import type { Clock } from '../../shared/clock.ts';

export interface GpuInfo {
  model: string;
  vendor: string;
  vramMb: number | null;
}

/** The `metrics` object of a heartbeat. */
export interface HostMetrics {
  cpu: { cores: number | null; model: string | null; loadPercent: number | null };
  memory: { totalBytes: number | null; usedBytes: number | null };
  disk: { totalBytes: number | null; usedBytes: number | null };
  network: { rxBytesPerSec: number | null; txBytesPerSec: number | null };
  uptimeSec: number;
  os: { platform: string; distro: string | null; release: string; arch: string; hostname: string };
  /** Absent when the GPU probe failed; empty when it found none. */
  gpus?: GpuInfo[];
}

/** What other parts depend on; tests hand in a fake. */
export interface MetricsSource {
  /** Never rejects: failures degrade to null fields. */
  sample(): Promise<HostMetrics>;
}

/**
 * The systeminformation calls this collector makes, narrowed to the fields it reads: the module
 * itself fits, and so do the Linux readers of linux-host.ts and the static facts the startup step
 * read (static-facts.ts), which is how the running agent avoids loading systeminformation at all.
 */
export interface SystemInfoApi {
  cpu(): Promise<{ cores: number; manufacturer: string; brand: string }>;
  osInfo(): Promise<{ platform: string; distro: string; release: string; arch: string; hostname: string }>;
  graphics(): Promise<{ controllers: GraphicsController[] }>;
  mem(): Promise<{ total: number; available: number }>;
  fsSize(): Promise<Volume[]>;
  currentLoad(): Promise<{ currentLoad: number }>;
  networkStats(): Promise<Array<{ rx_bytes: number; tx_bytes: number }>>;
}

export type GraphicsController = Pick<SystemInformation.Systeminformation.GraphicsControllerData, 'model' | 'name' | 'vendor' | 'vram' | 'memoryTotal'>;
export type Volume = Pick<SystemInformation.Systeminformation.FsSizeData, 'mount' | 'size' | 'used'>;

export interface HostMetricsCollectorOptions {
  si: SystemInfoApi;
  clock: Clock;
  logger: Logger;
  /** Seconds since boot; default node:os uptime. */
  uptimeSec?: () => number;
  /** Network throughput refresh; default 60 s. */
  networkIntervalMs?: number;
  /** Disk usage refresh; default 5 min. */
  diskIntervalMs?: number;
}

export interface HostMetricsCollector extends MetricsSource {
  /** Reads the static facts once; sample() calls it on first use. Never rejects. */
  start(): Promise<void>;
}

interface Static {
  cpu: { cores: number | null; model: string | null };
  memTotal: number | null;
  os: HostMetrics['os'];
  gpus?: GpuInfo[];
}

interface Counters {
  rx: number;
  tx: number;
  at: number;
}

/** Builds the collector; nothing is read until start() or the first sample(). */
export function createHostMetricsCollector(options: HostMetricsCollectorOptions): HostMetricsCollector {
  const { si, clock } = options;
  const log = options.logger.child({ component: 'host-metrics' });
  const uptimeSec = options.uptimeSec ?? uptime;
  const networkEvery = options.networkIntervalMs ?? 60_000;
  const diskEvery = options.diskIntervalMs ?? 300_000;
  const warned = new Set<string>();
  let facts: Promise<Static> | null = null;
  let counters: Counters | null = null;
  let network: HostMetrics['network'] = { rxBytesPerSec: null, txBytesPerSec: null };
  let disk: HostMetrics['disk'] = { totalBytes: null, usedBytes: null };
  let diskAt = -Infinity;
  let networkAt = -Infinity;

  /** Runs one systeminformation call; logs its first failure at warn, later ones at debug. */
  async function read<T>(name: string, call: () => Promise<T>): Promise<T | null> {
    try {
      return await call();
    } catch (err) {
      log[warned.has(name) ? 'debug' : 'warn']({ err, call: name }, 'host metric unavailable');
      warned.add(name);
      return null;
    }
  }

  async function readStatic(): Promise<Static> {
    const [cpu, os, graphics, mem] = await Promise.all([
      read('cpu', () => si.cpu()),
      read('osInfo', () => si.osInfo()),
      read('graphics', () => si.graphics()),
      read('mem', () => si.mem()),
      refreshDisk(),
      refreshNetwork(),
    ]);
    return {
      cpu: { cores: cpu?.cores ?? null, model: cpu ? `${cpu.manufacturer} ${cpu.brand}`.trim() || null : null },
      memTotal: mem?.total ?? null,
      os: {
        platform: os?.platform || platform(),
        distro: os?.distro || null,
        release: os?.release || release(),
        arch: os?.arch || arch(),
        hostname: os?.hostname || hostname(),
      },
      ...(graphics && { gpus: graphics.controllers.map(toGpu) }),
    };
  }

  async function refreshDisk(): Promise<void> {
    diskAt = clock.now();
    const volumes = await read('fsSize', () => si.fsSize());
    const root = volumes && pickRoot(volumes);
    disk = root ? { totalBytes: root.size, usedBytes: root.used } : { totalBytes: disk.totalBytes, usedBytes: null };
  }

  async function refreshNetwork(): Promise<void> {
    const now = clock.now();
    networkAt = now;
    const stats = await read('networkStats', () => si.networkStats());
    if (!stats || stats.length === 0) {
      network = { rxBytesPerSec: null, txBytesPerSec: null };
      counters = null;
      return;
    }
    const next = { rx: sum(stats.map((s) => s.rx_bytes)), tx: sum(stats.map((s) => s.tx_bytes)), at: now };
    if (counters && next.at > counters.at) {
      const secs = (next.at - counters.at) / 1000;
      // counters go backwards when an interface is reset or replaced: no figure rather than a wrong one
      network = {
        rxBytesPerSec: next.rx >= counters.rx ? Math.round((next.rx - counters.rx) / secs) : null,
        txBytesPerSec: next.tx >= counters.tx ? Math.round((next.tx - counters.tx) / secs) : null,
      };
    }
    counters = next;
  }

  const collector: HostMetricsCollector = {
    start() {
      facts ??= readStatic();
      return facts.then(() => undefined);
    },
    async sample() {
      const known = await (facts ??= readStatic());
      const now = clock.now();
      const [load, mem] = await Promise.all([
        read('currentLoad', () => si.currentLoad()),
        read('mem', () => si.mem()),
        now - networkAt >= networkEvery ? refreshNetwork() : undefined,
        now - diskAt >= diskEvery ? refreshDisk() : undefined,
      ]);
      return {
        cpu: { ...known.cpu, loadPercent: load ? round1(load.currentLoad) : null },
        // "used" as `free` shows it: what is not available, so page cache does not count
        memory: { totalBytes: mem?.total ?? known.memTotal, usedBytes: mem ? mem.total - mem.available : null },
        disk: { ...disk },
        network: { ...network },
        uptimeSec: Math.floor(uptimeSec()),
        os: { ...known.os },
        ...(known.gpus && { gpus: known.gpus.map((g) => ({ ...g })) }),
      };
    },
  };
  return collector;
}

function toGpu(c: GraphicsController): GpuInfo {
  return { model: c.model || c.name || 'unknown', vendor: c.vendor || 'unknown', vramMb: c.vram ?? c.memoryTotal ?? null };
}

/** The root filesystem (/ on Unix, C: on Windows), else the largest volume. */
function pickRoot(volumes: Volume[]): Volume | null {
  const root = volumes.find((v) => v.mount === '/' || /^c:\\?$/i.test(v.mount));
  return root ?? [...volumes].sort((a, b) => b.size - a.size)[0] ?? null;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
const round1 = (x: number) => Math.round(x * 10) / 10;
