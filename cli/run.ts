/**
 * Runs one parsed `k8s-daas request …` command: builds the request(s), submits each on chain, waits
 * for the result, prints it as kubectl would. Returns the exit code (0 ok, 1 failed); never throws.
 */
import { parse as parseYaml } from 'yaml';
import type { Signer } from '@mysten/sui/cryptography';
import type { Clock } from '../shared/clock.ts';
import type { ResourceInfo } from '../master/requests/resources.ts';
import type { RequestCommand } from './args.ts';
import { ManifestError, readManifest } from './manifest.ts';
import { printAction, printGet, truncationNote, type Printed } from './print.ts';
import { submitAndWait, type ApiResult, type K8sRequestFields, type SubmitOptions } from './submit.ts';

export interface TextOut {
  write(text: string): unknown;
}

export interface RunDeps {
  chain: SubmitOptions['chain'];
  signer: Signer;
  clock: Clock;
  out: TextOut;
  err: TextOut;
  /** The master's base URL (K8S_DAAS_MASTER_URL), to fetch outputs the chain holds only in part. */
  masterUrl?: string;
  fetch?: typeof globalThis.fetch;
  pollMs?: number;
}

interface Job {
  fields: K8sRequestFields;
  info: ResourceInfo;
  print: (output: Record<string, any>) => Printed;
}

export async function runRequestCommand(cmd: RequestCommand, deps: RunDeps): Promise<number> {
  let jobs: Job[];
  try {
    jobs = buildJobs(cmd, deps.clock);
  } catch (err) {
    deps.err.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
  let failed = false;
  for (const job of jobs) {
    if (job.info.resource === 'secrets' && job.fields.payload) {
      // Transaction arguments are public: the Secret's values go on chain in the clear.
      deps.err.write(`warning: request payloads are public on chain; the values of secret "${job.fields.name}" will be readable by anyone\n`);
    }
    if (!(await runJob(job, cmd, deps))) failed = true;
  }
  return failed ? 1 : 0;
}

function buildJobs(cmd: RequestCommand, clock: Clock): Job[] {
  const base = { priority: cmd.priority, payload: '' };
  if (cmd.verb === 'apply' || cmd.verb === 'replace') {
    const method = cmd.verb === 'apply' ? 'POST' : 'PUT';
    return readManifest(cmd.file, cmd.namespace).map((o) => ({
      info: o.info,
      fields: { ...base, method, resource: o.info.resource, namespace: o.namespace, name: o.name, payload: o.payload },
      print: (out) => only(printAction(cmd.verb as 'apply' | 'replace', out, o.info, o.name, cmd.output)),
    }));
  }
  const info = cmd.resource;
  const namespace = info.namespaced ? (cmd.namespace ?? 'default') : '';
  const fields = { ...base, resource: info.resource, namespace, name: cmd.name };
  switch (cmd.verb) {
    case 'get':
      return [{ info, fields: { ...fields, method: 'GET' }, print: (out) => printGet(out, info, cmd.output, clock.now(), namespace) }];
    case 'delete':
      return [{ info, fields: { ...fields, method: 'DELETE' }, print: (out) => only(printAction('delete', out, info, cmd.name, cmd.output)) }];
    case 'patch':
      checkPatch(cmd.patch);
      return [{ info, fields: { ...fields, method: 'PATCH', payload: cmd.patch }, print: (out) => only(printAction('patch', out, info, cmd.name, cmd.output)) }];
  }
}

function only(stdout: string): Printed {
  return { stdout, stderr: '' };
}

function checkPatch(patch: string): void {
  let value: unknown;
  try {
    value = parseYaml(patch);
  } catch (err) {
    throw new ManifestError(`the patch is neither JSON nor YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ManifestError('the patch must be a JSON or YAML object (a merge patch)');
}

async function runJob(job: Job, cmd: RequestCommand, deps: RunDeps): Promise<boolean> {
  // Quiet when the result comes quickly; dots on stderr while it does not.
  let label = '';
  let dotted = false;
  let result: ApiResult;
  try {
    result = await submitAndWait(job.fields, {
      chain: deps.chain,
      signer: deps.signer,
      clock: deps.clock,
      timeoutMs: cmd.timeoutMs,
      pollMs: deps.pollMs,
      onSubmitted: (id, _digest, worker) => (label = `waiting for the result of ${id}${worker ? ` (worker ${worker})` : ''} `),
      onTick: () => {
        deps.err.write(dotted ? '.' : `${label}.`);
        dotted = true;
      },
    });
  } catch (err) {
    deps.err.write(`${dotted ? '\n' : ''}error: ${err instanceof Error ? err.message : String(err)}\n`);
    return false;
  }
  if (dotted) deps.err.write('\n');
  if (!result.success) {
    deps.err.write(`${serverError(result.error)}\n`);
    return false;
  }
  let output = parseOutput(result.output);
  const note = truncationNote(output, result.requestId, deps.masterUrl);
  if (note) {
    const full = deps.masterUrl ? await fetchFull(deps, result.requestId) : null;
    if (full) output = full;
    else deps.err.write(note);
  }
  const { stdout, stderr } = job.print(output);
  deps.out.write(stdout);
  if (stderr) deps.err.write(stderr);
  return true;
}

/** The master's error line in kubectl's words: API errors as they are, the master's own as "Error from master". */
function serverError(error: string): string {
  if (error.startsWith('Error from server')) return error;
  if (error.startsWith('refused: ')) return `Error from master (Refused): ${error.slice('refused: '.length)}`;
  return `Error from master: ${error.replace(/^error: /, '')}`;
}

function parseOutput(text: string): Record<string, any> {
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text };
  }
}

async function fetchFull(deps: RunDeps, requestId: string): Promise<Record<string, any> | null> {
  try {
    const res = await (deps.fetch ?? globalThis.fetch)(`${deps.masterUrl}/api/v1/requests/${encodeURIComponent(requestId)}`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return null;
    const view = (await res.json()) as { output?: unknown };
    return view.output && typeof view.output === 'object' ? (view.output as Record<string, any>) : null;
  } catch {
    return null;
  }
}
