/**
 * What `k8s-daas-agent status` prints: the running agent writes its view to
 * `<K8S_DAAS_STATE_DIR>/status.json` every few seconds; the command reads it. No secrets in it.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MasterSessionStatus } from './session/session.ts';
import type { K3sStatus } from './k3s/supervisor.ts';
import type { WorkerRegistration } from './registration/register-once.ts';

export const STATUS_FILE = 'status.json';

export interface AgentStatus {
  nodeId: string;
  registration: WorkerRegistration | null;
  session: MasterSessionStatus;
  k3s: K3sStatus;
  updatedAt: number;
}

/** Atomically replaces the status file (0600). */
export async function writeAgentStatus(stateDir: string, status: AgentStatus): Promise<void> {
  const path = join(stateDir, STATUS_FILE);
  const tmp = `${path}.tmp`;
  const json = JSON.stringify(status, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v), 2);
  await writeFile(tmp, `${json}\n`, { mode: 0o600 });
  await rename(tmp, path);
}

/** The last status the agent wrote, or null when there is none (agent never ran here). */
export async function readAgentStatus(stateDir: string): Promise<Record<string, any> | null> {
  try {
    return JSON.parse(await readFile(join(stateDir, STATUS_FILE), 'utf8'));
  } catch {
    return null;
  }
}
