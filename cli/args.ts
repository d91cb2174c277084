/**
 * `k8s-daas request …` arguments, kubectl's way: a verb, a resource (any of its names), flags.
 * Pure: returns one command object, or a usage error for the caller to print (exit code 2).
 */
import { parseArgs } from 'node:util';
import { resourceByName, type ResourceInfo } from '../master/requests/resources.ts';
import { MAX_PRIORITY, MIN_PRIORITY } from '../shared/chain/abi.ts';

export const USAGE = `usage: k8s-daas request get <resource> [name] [-n NAMESPACE] [-o wide|json|yaml]
       k8s-daas request apply -f FILE [-n NAMESPACE] [-o json|yaml]       (POST each object)
       k8s-daas request replace -f FILE [-n NAMESPACE] [-o json|yaml]     (PUT each object)
       k8s-daas request patch <resource> <name> -p PATCH [-n NAMESPACE] [-o json|yaml]   (merge patch)
       k8s-daas request delete <resource> <name> [-n NAMESPACE]
options:   --priority 1-10 (default 5)   --timeout DURATION (default 120s)   --env-file FILE
resources: pods (po), services (svc), deployments (deploy), configmaps (cm), secrets,
           namespaces (ns) and nodes (no): get only
env:       SUI_RPC_URL, K8S_DAAS_PACKAGE_ID, K8S_DAAS_REGISTRY_ID, K8S_DAAS_SCHEDULER_ID,
           SUI_PRIVATE_KEY or SUI_KEYSTORE; optional SUI_RPC_TRANSPORT, K8S_DAAS_MASTER_URL
           (to fetch outputs too large for the chain)`;

export type OutputMode = 'table' | 'wide' | 'json' | 'yaml';

interface Common {
  /** `-n`; null when not given (objects from a file keep their own namespace, else `default`). */
  namespace: string | null;
  output: OutputMode;
  priority: number;
  timeoutMs: number;
  envFile?: string;
}

export type RequestCommand = Common &
  (
    | { verb: 'get'; resource: ResourceInfo; name: string }
    | { verb: 'apply'; file: string }
    | { verb: 'replace'; file: string }
    | { verb: 'patch'; resource: ResourceInfo; name: string; patch: string }
    | { verb: 'delete'; resource: ResourceInfo; name: string }
  );

export type ParsedArgs = { ok: true; help: true } | { ok: true; help: false; command: RequestCommand } | { ok: false; message: string };

const VERBS = ['get', 'apply', 'replace', 'patch', 'delete'] as const;
const OUTPUTS: Record<string, OutputMode> = { wide: 'wide', json: 'json', yaml: 'yaml' };
export const DEFAULT_TIMEOUT_MS = 120_000;

/** Parses the arguments after `k8s-daas`. */
export function parseRequestArgs(argv: readonly string[]): ParsedArgs {
  if (argv.length === 0 || ['-h', '--help', 'help'].includes(argv[0])) return { ok: true, help: true };
  if (argv[0] !== 'request') return { ok: false, message: `unknown command ${JSON.stringify(argv[0])}` };
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv.slice(1)],
      allowPositionals: true,
      options: {
        namespace: { type: 'string', short: 'n' },
        output: { type: 'string', short: 'o' },
        filename: { type: 'string', short: 'f' },
        patch: { type: 'string', short: 'p' },
        priority: { type: 'string' },
        timeout: { type: 'string' },
        'env-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  const { values: v, positionals } = parsed;
  if (v.help) return { ok: true, help: true };
  const [verb, ...rest] = positionals;
  if (!verb) return { ok: false, message: 'missing the verb: get, apply, replace, patch or delete' };
  if (!(VERBS as readonly string[]).includes(verb)) return { ok: false, message: `unknown verb ${JSON.stringify(verb)}` };

  const output = v.output === undefined ? 'table' : OUTPUTS[v.output];
  if (!output || (output === 'wide' && verb !== 'get')) return { ok: false, message: `unsupported output format ${JSON.stringify(v.output)}: use ${verb === 'get' ? 'wide, json or yaml' : 'json or yaml'}` };
  const priority = v.priority === undefined ? 5 : Number(v.priority);
  if (!Number.isInteger(priority) || priority < MIN_PRIORITY || priority > MAX_PRIORITY) return { ok: false, message: `--priority must be an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY}` };
  const timeoutMs = v.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(v.timeout);
  if (timeoutMs === null) return { ok: false, message: '--timeout must be a duration like 90s, 2m or 500ms' };
  if (v.namespace !== undefined && v.namespace === '') return { ok: false, message: '--namespace must not be empty' };
  const common: Common = { namespace: v.namespace ?? null, output, priority, timeoutMs, envFile: v['env-file'] };

  if (verb === 'apply' || verb === 'replace') {
    if (!v.filename) return { ok: false, message: `${verb} needs -f FILE (a YAML or JSON manifest, - for stdin)` };
    if (rest.length > 0) return { ok: false, message: `unexpected argument ${JSON.stringify(rest[0])}` };
    return { ok: true, help: false, command: { ...common, verb, file: v.filename } };
  }
  const [resourceName, name, extra] = rest;
  if (!resourceName) return { ok: false, message: `${verb} needs a resource type, e.g. pods` };
  const resource = resourceByName(resourceName);
  if (!resource) return { ok: false, message: `unknown resource type ${JSON.stringify(resourceName)}` };
  if (extra !== undefined) return { ok: false, message: `unexpected argument ${JSON.stringify(extra)}` };
  if (verb === 'get') return { ok: true, help: false, command: { ...common, verb, resource, name: name ?? '' } };
  if (!name) return { ok: false, message: `${verb} needs the name of the ${resource.kind}` };
  if (verb === 'delete') return { ok: true, help: false, command: { ...common, verb, resource, name } };
  if (v.patch === undefined) return { ok: false, message: 'patch needs -p PATCH (a JSON or YAML merge patch)' };
  return { ok: true, help: false, command: { ...common, verb: 'patch', resource, name, patch: v.patch } };
}

/** `90s`, `2m`, `500ms`, `1h`, or bare seconds → ms; null when unreadable. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  const ms = Number(m[1]) * unit;
  return ms > 0 ? ms : null;
}
