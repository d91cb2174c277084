/**
 * The result of a request as kubectl prints it: `get` as a table (NAME, READY, STATUS, AGE… per
 * resource; `-o wide` adds columns), `-o json` / `-o yaml` as the object or list, and the one-line
 * messages of apply, replace, patch and delete (`deployment.apps/web created`).
 */
import { stringify } from 'yaml';
import { humanAge, renderTable } from '../master/cli/human.ts';
import { TRUNCATION_FIELD } from '../master/requests/output.ts';
import { objectRef, type ResourceInfo } from '../master/requests/resources.ts';
import type { OutputMode } from './args.ts';

type Obj = Record<string, any>;

/** What to write to stdout and stderr. */
export interface Printed {
  stdout: string;
  stderr: string;
}

/** `get`'s output. `namespace` names the namespace in "No resources found in X namespace." */
export function printGet(output: Obj, info: ResourceInfo, mode: OutputMode, now: number, namespace: string): Printed {
  if (mode === 'json' || mode === 'yaml') return { stdout: serialize(output, mode), stderr: '' };
  const items: Obj[] = Array.isArray(output.items) ? output.items : [output];
  if (items.length === 0) return { stdout: '', stderr: info.namespaced ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n' };
  const cols = COLUMNS[info.resource];
  const header = [...cols.base.map(([h]) => h), ...(mode === 'wide' ? cols.wide.map(([h]) => h) : [])];
  const rows = items.map((o) => [...cols.base, ...(mode === 'wide' ? cols.wide : [])].map(([, cell]) => cell(o, now)));
  return { stdout: renderTable([header, ...rows]), stderr: '' };
}

/** The line kubectl prints after a write: `deployment.apps/web created`, `pod "web" deleted`; or the object with -o. */
export function printAction(verb: 'apply' | 'replace' | 'patch' | 'delete', output: Obj, info: ResourceInfo, name: string, mode: OutputMode): string {
  if (mode === 'json' || mode === 'yaml') return serialize(output, mode);
  const objName = output?.metadata?.name ?? output?.details?.name ?? name;
  if (verb === 'delete') {
    const [kindGroup] = objectRef(info, objName).split('/');
    return `${kindGroup} "${objName}" deleted\n`;
  }
  const done = { apply: 'created', replace: 'replaced', patch: 'patched' }[verb];
  return `${objectRef(info, objName)} ${done}\n`;
}

/** The note for an output the chain holds only in part, or null. */
export function truncationNote(output: Obj, requestId: string, masterUrl: string | undefined): string | null {
  const t = output?.[TRUNCATION_FIELD];
  if (!t) return null;
  const shown = Array.isArray(output.items) ? ` (${output.items.length} of ${output.items.length + (t.omittedItems ?? 0)} items, fields kubectl get prints)` : ' (summary)';
  const where = masterUrl ? `${masterUrl}${t.fullOutput}` : `GET ${t.fullOutput} on the master`;
  return `warning: the output of ${requestId} is ${t.totalBytes} bytes, more than the chain keeps; showing the on-chain part${shown}. Full output: ${where}\n`;
}

function serialize(output: Obj, mode: 'json' | 'yaml'): string {
  const { [TRUNCATION_FIELD]: _t, ...clean } = output;
  return mode === 'json' ? `${JSON.stringify(clean, null, 4)}\n` : stringify(clean);
}

type Column = readonly [string, (o: Obj, now: number) => string];

const name: Column = ['NAME', (o) => o.metadata?.name ?? ''];
const age: Column = ['AGE', (o, now) => (o.metadata?.creationTimestamp ? humanAge(now - Date.parse(o.metadata.creationTimestamp)) : '<unknown>')];
const count = (x: unknown) => String(x && typeof x === 'object' ? Object.keys(x).length : 0);

const COLUMNS: Record<ResourceInfo['resource'], { base: Column[]; wide: Column[] }> = {
  pods: {
    base: [name, ['READY', podReady], ['STATUS', podStatus], ['RESTARTS', (o) => String(containerStatuses(o).reduce((n, c) => n + (c.restartCount ?? 0), 0))], age],
    wide: [['IP', (o) => o.status?.podIP ?? '<none>'], ['NODE', (o) => o.spec?.nodeName ?? '<none>']],
  },
  deployments: {
    base: [
      name,
      ['READY', (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`],
      ['UP-TO-DATE', (o) => String(o.status?.updatedReplicas ?? 0)],
      ['AVAILABLE', (o) => String(o.status?.availableReplicas ?? 0)],
      age,
    ],
    wide: [
      ['CONTAINERS', (o) => templateContainers(o).map((c) => c.name).join(',') || '<none>'],
      ['IMAGES', (o) => templateContainers(o).map((c) => c.image).join(',') || '<none>'],
    ],
  },
  services: {
    base: [name, ['TYPE', (o) => o.spec?.type ?? 'ClusterIP'], ['CLUSTER-IP', (o) => o.spec?.clusterIP ?? '<none>'], ['EXTERNAL-IP', externalIp], ['PORT(S)', ports], age],
    wide: [['SELECTOR', (o) => Object.entries(o.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>']],
  },
  configmaps: { base: [name, ['DATA', (o) => String(Number(count(o.data)) + Number(count(o.binaryData)))], age], wide: [] },
  secrets: { base: [name, ['TYPE', (o) => o.type ?? 'Opaque'], ['DATA', (o) => count(o.data)], age], wide: [] },
  namespaces: { base: [name, ['STATUS', (o) => o.status?.phase ?? 'Active'], age], wide: [] },
  nodes: {
    base: [name, ['STATUS', nodeStatus], ['ROLES', nodeRoles], age, ['VERSION', (o) => o.status?.nodeInfo?.kubeletVersion ?? '']],
    wide: [['INTERNAL-IP', (o) => (o.status?.addresses ?? []).find((a: Obj) => a.type === 'InternalIP')?.address ?? '<none>']],
  },
};

function containerStatuses(o: Obj): Obj[] {
  return Array.isArray(o.status?.containerStatuses) ? o.status.containerStatuses : [];
}

function podReady(o: Obj): string {
  const statuses = containerStatuses(o);
  const total = Array.isArray(o.spec?.containers) ? o.spec.containers.length : statuses.length;
  return `${statuses.filter((c) => c.ready).length}/${total}`;
}

function podStatus(o: Obj): string {
  if (o.metadata?.deletionTimestamp) return 'Terminating';
  for (const c of containerStatuses(o)) {
    const reason = c.state?.waiting?.reason ?? c.state?.terminated?.reason;
    if (reason) return reason;
  }
  return o.status?.reason ?? o.status?.phase ?? 'Unknown';
}

function templateContainers(o: Obj): Obj[] {
  return o.spec?.template?.spec?.containers ?? [];
}

function externalIp(o: Obj): string {
  const ingress: Obj[] = o.status?.loadBalancer?.ingress ?? [];
  const ips = [...ingress.map((i) => i.ip ?? i.hostname), ...(o.spec?.externalIPs ?? [])].filter(Boolean);
  if (ips.length) return ips.join(',');
  return o.spec?.type === 'LoadBalancer' ? '<pending>' : '<none>';
}

function ports(o: Obj): string {
  const list: Obj[] = o.spec?.ports ?? [];
  return list.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',') || '<none>';
}

function nodeStatus(o: Obj): string {
  const ready = (o.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
  const s = ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
  return o.spec?.unschedulable ? `${s},SchedulingDisabled` : s;
}

function nodeRoles(o: Obj): string {
  const roles = Object.keys(o.metadata?.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .sort();
  return roles.join(',') || '<none>';
}
