/**
 * Resident memory and CPU time of one process, from /proc (Linux only): VmRSS of
 * /proc/<pid>/status, utime+stime of /proc/<pid>/stat. Only that process — not its children (the
 * fake k3s the agent spawns is a separate pid and is not counted).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticks: number | null = null;

/** Clock ticks per second of utime/stime (CLK_TCK, 100 on usual kernels). */
export function clockTicks(): number {
  if (ticks === null) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

export interface ProcSample {
  /** Wall time of the sample, ms (performance.now()). */
  at: number;
  /** User + system CPU time used so far, ms (resolution 1000 / CLK_TCK, 10 ms at 100 Hz). */
  cpuMs: number;
  /**
   * CPU time of the children it has waited for (cutime + cstime), ms: the short-lived commands it
   * runs (systeminformation's `sh -c 'cat /proc/stat | grep cpu'` …). A child still running — the
   * fake k3s — is not in it until it exits and is reaped.
   */
  childCpuMs: number;
  /** VmRSS, bytes. */
  rssBytes: number;
  /** RssAnon, bytes: the private part of VmRSS (heap, stacks); the rest is mapped files (node's own binary) and shmem. */
  anonBytes?: number;
}

/** Parses the text of /proc/<pid>/stat: utime + stime, and cutime + cstime, in clock ticks. */
export function parseStatTicks(stat: string): { own: number; children: number } {
  // Field 2 (comm) is in parentheses and may itself hold spaces and parentheses: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 of proc(5) (state); utime, stime, cutime, cstime are fields 14 to 17.
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  if (![utime, stime, cutime, cstime].every(Number.isFinite)) throw new Error(`unreadable /proc stat line: ${stat.slice(0, 120)}`);
  return { own: utime + stime, children: cutime + cstime };
}

/** Parses the text of /proc/<pid>/status: VmRSS in bytes. */
export function parseVmRssBytes(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error('no VmRSS line in /proc status (a zombie process has none)');
  return Number(m[1]) * 1024;
}

/** One sample of `pid`; throws when the process is gone. */
export function sampleProcess(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const anon = /^RssAnon:\s+(\d+)\s+kB/m.exec(status);
  const ticks = parseStatTicks(stat);
  const ms = 1000 / clockTicks();
  return { at: performance.now(), cpuMs: ticks.own * ms, childCpuMs: ticks.children * ms, rssBytes: parseVmRssBytes(status), ...(anon && { anonBytes: Number(anon[1]) * 1024 }) };
}

/** CPU between two samples as a percentage of one core (with `children`: plus that of the children reaped meanwhile). */
export function cpuPercent(from: ProcSample, to: ProcSample, children = false): number {
  const used = to.cpuMs - from.cpuMs + (children ? to.childCpuMs - from.childCpuMs : 0);
  return to.at > from.at ? (100 * used) / (to.at - from.at) : 0;
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
