/**
 * `-f FILE` for apply and replace: every object of a YAML (multi-document) or JSON manifest, as
 * the request it becomes — resource from its kind, name and namespace from its metadata (or -n).
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { resourceByKind, type ResourceInfo } from '../master/requests/resources.ts';

export interface ManifestObject {
  info: ResourceInfo;
  name: string;
  namespace: string;
  /** The object as compact JSON: the request's payload. */
  payload: string;
}

export class ManifestError extends Error {}

/** Reads `file` (`-` for stdin). @throws ManifestError naming the file and the problem. */
export function readManifest(file: string, namespaceFlag: string | null, readStdin: () => string = () => readFileSync(0, 'utf8')): ManifestObject[] {
  let text: string;
  try {
    text = file === '-' ? readStdin() : readFileSync(file, 'utf8');
  } catch (err) {
    throw new ManifestError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new ManifestError(`no objects passed: ${file} is empty`);
  const broken = docs.findIndex((d) => d.errors.length > 0);
  if (broken !== -1) throw new ManifestError(`${file}: document ${broken + 1}: ${docs[broken].errors[0].message.split('\n')[0]}`);
  // An empty document (a trailing `---`) is no object.
  const values = docs.map((d) => d.toJS() as Record<string, any> | null).filter((v) => v !== null && v !== undefined);
  if (values.length === 0) throw new ManifestError(`no objects passed: ${file} is empty`);
  return values.flatMap((value) => {
    const items: Record<string, any>[] = value?.kind === 'List' && Array.isArray(value.items) ? value.items : [value];
    return items.map((obj) => toRequest(obj, file, namespaceFlag));
  });
}

function toRequest(obj: Record<string, any>, file: string, namespaceFlag: string | null): ManifestObject {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new ManifestError(`${file}: every document must be a Kubernetes object`);
  const info = resourceByKind(String(obj.kind ?? ''));
  if (!info) throw new ManifestError(`${file}: kind ${JSON.stringify(obj.kind)} cannot be sent through the chain (pods, services, deployments, configmaps, secrets)`);
  if (!info.namespaced) throw new ManifestError(`${file}: ${info.resource} are cluster-scoped and read-only`);
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name === '') throw new ManifestError(`${file}: a ${info.kind} without metadata.name`);
  const own = obj.metadata?.namespace as string | undefined;
  if (own && namespaceFlag && own !== namespaceFlag) {
    throw new ManifestError(`the namespace from the provided object "${own}" does not match the namespace "${namespaceFlag}". You must pass '--namespace=${own}' to perform this operation.`);
  }
  return { info, name, namespace: own || namespaceFlag || 'default', payload: JSON.stringify(obj) };
}
