/**
 * The Kubernetes API port the executor uses: six verbs on plain JSON objects. The adapter on
 * `@kubernetes/client-node` is kube-client.ts; errors are KubeApiError (errors.ts).
 */
import type { KubeObject } from './payload.ts';

/** One object: its group/version, kind, name and (for namespaced kinds) cluster namespace. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** A collection: every object of a kind, in one namespace or cluster-wide, optionally by labels. */
export interface ListRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
}

/** Each call resolves to the API server's JSON answer, or rejects with a KubeApiError. */
export interface KubeApi {
  read(ref: ObjectRef): Promise<KubeObject>;
  list(ref: ListRef): Promise<KubeObject>;
  /** POST; the object carries apiVersion, kind, metadata.namespace. */
  create(obj: KubeObject): Promise<KubeObject>;
  /** PUT of the whole object. */
  replace(obj: KubeObject): Promise<KubeObject>;
  /** PATCH as `application/merge-patch+json`; the patch carries apiVersion, kind, name and namespace. */
  mergePatch(patch: KubeObject): Promise<KubeObject>;
  delete(ref: ObjectRef): Promise<KubeObject>;
}
