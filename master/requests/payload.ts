/**
 * Request payloads: the object (POST, PUT) or merge patch (PATCH) an owner put on chain, as JSON or
 * YAML, checked against the request and moved into the owner's cluster namespace. Everything here
 * is pure; a problem is a RequestRefusedError saying what to fix.
 */
import { parseAllDocuments } from 'yaml';
import { RequestRefusedError } from './errors.ts';
import type { ResourceInfo } from './resources.ts';

/** A Kubernetes object as JSON: only the header fields are typed. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** What the payload is checked against: the request's own fields. */
export interface PayloadContext {
  info: ResourceInfo;
  /** The request's `name` ('' when none). */
  name: string;
  /** The owner's namespace name `N` as the request gave it ('' = default). */
  namespace: string;
  /** The cluster namespace `N` maps to. */
  clusterNamespace: string;
}

/**
 * Parses a payload: JSON, or YAML holding exactly one object.
 * @throws RequestRefusedError for an empty payload, several documents, or anything but a mapping.
 */
export function parsePayload(text: string): KubeObject {
  if (text.trim() === '') throw new RequestRefusedError('the request has no payload; POST, PUT and PATCH need an object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const docs = parseAllDocuments(text);
    if (!Array.isArray(docs)) throw new RequestRefusedError('the payload is neither JSON nor YAML');
    const broken = docs.find((d) => d.errors.length > 0);
    if (broken) throw new RequestRefusedError(`the payload is neither JSON nor YAML: ${broken.errors[0].message.split('\n')[0]}`);
    // An empty document (a trailing `---`) is no object.
    const values = docs.map((d) => d.toJS() as unknown).filter((v) => v !== null && v !== undefined);
    if (values.length !== 1) throw new RequestRefusedError(`the payload holds ${values.length} YAML documents; send one object per request`);
    value = values[0];
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RequestRefusedError('the payload must be one Kubernetes object (a JSON or YAML mapping)');
  }
  return value as KubeObject;
}

/**
 * The object to create (POST) or replace (PUT): kind and apiVersion filled in or checked, the name
 * taken from the request or the payload (they must agree), the namespace set to the cluster one.
 * @throws RequestRefusedError when the payload contradicts the request.
 */
export function objectForWrite(payload: KubeObject, ctx: PayloadContext, opts: { nameRequired: boolean }): KubeObject {
  const obj = withHeader(payload, ctx.info);
  const meta = obj.metadata!;
  const name = agreeOnName(meta.name, ctx.name);
  if (name) meta.name = name;
  else if (opts.nameRequired || !meta.generateName) {
    throw new RequestRefusedError(`the ${ctx.info.kind} has no name: set metadata.name or the request's name`);
  }
  meta.namespace = scopedNamespace(meta.namespace, ctx);
  return obj;
}

/**
 * The merge patch (RFC 7386) for the object named by the request: header fields may be given but
 * must agree; the namespace, if given, must be the request's.
 * @throws RequestRefusedError when the patch contradicts the request or the request names no object.
 */
export function mergePatchFor(payload: KubeObject, ctx: PayloadContext): KubeObject {
  const patch = withHeader(payload, ctx.info);
  const meta = patch.metadata!;
  const name = agreeOnName(meta.name, ctx.name);
  if (!name) throw new RequestRefusedError('PATCH needs the name of the object to patch');
  meta.name = name;
  meta.namespace = scopedNamespace(meta.namespace, ctx);
  return patch;
}

function withHeader(payload: KubeObject, info: ResourceInfo): KubeObject {
  const obj: KubeObject = structuredClone(payload);
  if (obj.kind !== undefined && obj.kind !== info.kind) {
    throw new RequestRefusedError(`the payload is a ${String(obj.kind)}, but the request is for ${info.resource} (kind ${info.kind})`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== info.apiVersion) {
    throw new RequestRefusedError(`apiVersion ${String(obj.apiVersion)} is not served for ${info.resource}; use ${info.apiVersion}`);
  }
  obj.apiVersion = info.apiVersion;
  obj.kind = info.kind;
  if (obj.metadata === undefined) obj.metadata = {};
  if (obj.metadata === null || typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) {
    throw new RequestRefusedError('metadata must be a mapping');
  }
  return obj;
}

function agreeOnName(fromPayload: unknown, fromRequest: string): string {
  if (fromPayload !== undefined && typeof fromPayload !== 'string') throw new RequestRefusedError('metadata.name must be a string');
  if (fromPayload && fromRequest && fromPayload !== fromRequest) {
    throw new RequestRefusedError(`the payload names ${JSON.stringify(fromPayload)} but the request names ${JSON.stringify(fromRequest)}`);
  }
  return fromRequest || fromPayload || '';
}

// The payload may repeat the owner's name N; any other explicit namespace is someone else's.
function scopedNamespace(given: unknown, ctx: PayloadContext): string {
  const requested = ctx.namespace || 'default';
  if (given !== undefined && given !== null && given !== '' && given !== requested) {
    throw new RequestRefusedError(`the payload's namespace ${JSON.stringify(given)} differs from the request's namespace ${JSON.stringify(requested)}`);
  }
  return ctx.clusterNamespace;
}
