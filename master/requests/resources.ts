/**
 * The Kubernetes resources `k8s_scheduler` accepts (shared/chain/abi.ts K8S_RESOURCES), with what
 * the executor and the owner CLI need to know about each: group/version, kind, scope, names.
 * Pure data; no Kubernetes client here.
 */
import { K8S_RESOURCES } from '../../shared/chain/abi.ts';

export type K8sResource = (typeof K8S_RESOURCES)[number];
export type K8sMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ResourceInfo {
  resource: K8sResource;
  apiVersion: string;
  kind: string;
  /** Namespaced resources live in the owner's namespaces; cluster-scoped ones are read-only. */
  namespaced: boolean;
  /** kubectl's names for it: singular and short names. */
  aliases: readonly string[];
}

export const RESOURCES: Readonly<Record<K8sResource, ResourceInfo>> = {
  pods: { resource: 'pods', apiVersion: 'v1', kind: 'Pod', namespaced: true, aliases: ['pod', 'po'] },
  services: { resource: 'services', apiVersion: 'v1', kind: 'Service', namespaced: true, aliases: ['service', 'svc'] },
  deployments: { resource: 'deployments', apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true, aliases: ['deployment', 'deploy'] },
  configmaps: { resource: 'configmaps', apiVersion: 'v1', kind: 'ConfigMap', namespaced: true, aliases: ['configmap', 'cm'] },
  secrets: { resource: 'secrets', apiVersion: 'v1', kind: 'Secret', namespaced: true, aliases: ['secret'] },
  namespaces: { resource: 'namespaces', apiVersion: 'v1', kind: 'Namespace', namespaced: false, aliases: ['namespace', 'ns'] },
  nodes: { resource: 'nodes', apiVersion: 'v1', kind: 'Node', namespaced: false, aliases: ['node', 'no'] },
};

/** The resource named `name` (plural, singular or short, any case; `deployments.apps` too), or undefined. */
export function resourceByName(name: string): ResourceInfo | undefined {
  const n = name.toLowerCase().replace(/\.apps$/, '');
  return Object.values(RESOURCES).find((r) => r.resource === n || r.aliases.includes(n));
}

/** The resource whose objects have this `kind` (`Deployment`), or undefined. */
export function resourceByKind(kind: string): ResourceInfo | undefined {
  return Object.values(RESOURCES).find((r) => r.kind === kind);
}

/** kubectl's `<resource>.<group>/<name>` reference: `deployment.apps/web`, `pod/web`. */
export function objectRef(info: ResourceInfo, name: string): string {
  const group = info.apiVersion.includes('/') ? `.${info.apiVersion.split('/')[0]}` : '';
  return `${info.kind.toLowerCase()}${group}/${name}`;
}

export function isK8sResource(value: string): value is K8sResource {
  return (K8S_RESOURCES as readonly string[]).includes(value);
}
