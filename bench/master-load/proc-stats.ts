/**
 * CPU time and resident memory of another process, read from /proc as pidusage does: utime+stime
 * of /proc/<pid>/stat (clock ticks) and VmRSS of /proc/<pid>/status. Linux only.
 */
import { readFileSync } from 'node:fs';
import { clockTicks } from '../agent-resources/proc.ts';

export interface ProcSample {
  /** User + system CPU time consumed so far, ms (10 ms resolution at the usual 100 Hz). */
  cpuMs: number;
  /** Resident set size, bytes. */
  rssBytes: number;
  /** When the sample was taken (performance.now()). */
  at: number;
}

/** One sample of `pid`. Throws when the process is gone. */
export function sampleProcess(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: split after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime: fields 14 and 15 of stat(5)
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
  return { cpuMs: (ticks * 1000) / clockTicks(), rssBytes: rssKb * 1024, at: performance.now() };
}

/** CPU used between two samples as a share of one core (1.0 = one core busy all the time). */
export function coreShare(a: ProcSample, b: ProcSample): number {
  return b.at > a.at ? (b.cpuMs - a.cpuMs) / (b.at - a.at) : 0;
}

/** Busy CPU time of the whole machine so far (all cores, ms), from the first line of /proc/stat. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user + nice + system + irq + softirq + (steal || 0)) * 1000) / clockTicks();
}
