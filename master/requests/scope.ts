/**
 * Owner scoping. Several owners share one cluster; each gets namespaces of their own. A request's
 * namespace `N` is the owner's name; the cluster's name is `<prefix>-N` with the prefix `o-` + the
 * first 10 hex digits of the owner's address. Results show `N`, never the prefix.
 *
 * The prefix alone is not an ownership boundary: 10 hex digits are 40 bits, and a key with the
 * same prefix as someone else's address can be ground out in a few GPU-days. So every namespace the
 * master creates carries the owner's full address in the `k8s-daas.io/owner` label, and every
 * request checks that label before touching the namespace.
 *
 * The label value: a Kubernetes label value is at most 63 characters of `[A-Za-z0-9._-]`, and an
 * address is 64 hex digits. Truncating to 63 loses 4 bits (harmless in practice, but not exact);
 * we use the lossless form instead: the 32 address bytes in lowercase RFC 4648 base32 without
 * padding (52 characters). The readable `0x…` address is kept in the `k8s-daas.io/owner-address`
 * annotation, and `k8s-daas.io/owner-prefix` lets an operator select by prefix.
 */
import { ownerLabelValue } from '../../shared/chain/owner-label.ts';
import { RequestRefusedError } from './errors.ts';

export { OWNER_LABEL } from '../../shared/chain/owner-label.ts';
import { OWNER_LABEL } from '../../shared/chain/owner-label.ts';
export const OWNER_PREFIX_LABEL = 'k8s-daas.io/owner-prefix';
export const OWNER_ADDRESS_ANNOTATION = 'k8s-daas.io/owner-address';
/** The namespace of a request that names none, as kubectl's default. */
export const DEFAULT_NAMESPACE = 'default';
export const MAX_NAMESPACE_LENGTH = 63;
const PREFIX_HEX_DIGITS = 10;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** One owner's view of the cluster's namespaces. */
export class OwnerScope {
  /** 0x + 64 lowercase hex digits. */
  readonly owner: string;
  /** `o-` + the first 10 hex digits of the address. */
  readonly prefix: string;
  /** The `k8s-daas.io/owner` label value: the address bytes in base32 (lossless, 52 chars). */
  readonly labelValue: string;

  /** @throws RequestRefusedError when `owner` is not a Sui address. */
  constructor(owner: string) {
    this.owner = normalizeAddress(owner);
    const hex = this.owner.slice(2);
    this.prefix = `o-${hex.slice(0, PREFIX_HEX_DIGITS)}`;
    this.labelValue = ownerLabelValue(this.owner);
  }

  /**
   * The cluster namespace of the owner's namespace `n` (empty: `default`).
   * @throws RequestRefusedError when `n` is not a DNS label or the result would exceed 63 characters.
   */
  clusterNamespace(n: string): string {
    const name = n === '' ? DEFAULT_NAMESPACE : n;
    if (!DNS_LABEL.test(name)) {
      throw new RequestRefusedError(`namespace ${JSON.stringify(name)} is not a DNS label (lowercase letters, digits and '-', starting and ending alphanumeric)`);
    }
    const full = `${this.prefix}-${name}`;
    if (full.length > MAX_NAMESPACE_LENGTH) {
      const max = MAX_NAMESPACE_LENGTH - this.prefix.length - 1;
      throw new RequestRefusedError(`namespace ${JSON.stringify(name)} is too long: at most ${max} characters`);
    }
    return full;
  }

  /** The owner's name for one of their cluster namespaces, or null when `cluster` is not under their prefix. */
  shortName(cluster: string): string | null {
    return cluster.startsWith(`${this.prefix}-`) ? cluster.slice(this.prefix.length + 1) : null;
  }

  /** The labels a namespace created for this owner carries. */
  namespaceLabels(): Record<string, string> {
    return { [OWNER_LABEL]: this.labelValue, [OWNER_PREFIX_LABEL]: this.prefix };
  }

  /** The annotations a namespace created for this owner carries. */
  namespaceAnnotations(): Record<string, string> {
    return { [OWNER_ADDRESS_ANNOTATION]: this.owner };
  }

  /** The label selector of this owner's namespaces. */
  selector(): string {
    return `${OWNER_LABEL}=${this.labelValue}`;
  }

  /** True when a namespace object is labelled as this owner's. */
  owns(namespace: { metadata?: { labels?: Record<string, string> } }): boolean {
    return namespace.metadata?.labels?.[OWNER_LABEL] === this.labelValue;
  }

  /**
   * A deep copy of `value` in the owner's names: every `<prefix>-` removed from strings and keys
   * (so `o-1a2b3c4d5e-production` reads `production`), and the k8s-daas.io labels and annotations
   * of namespaces dropped (they spell the prefix).
   */
  hidePrefix<T>(value: T): T {
    const needle = `${this.prefix}-`;
    const walk = (v: unknown, key: string | null): unknown => {
      if (typeof v === 'string') return v.split(needle).join('');
      if (Array.isArray(v)) return v.map((x) => walk(x, null));
      if (v === null || typeof v !== 'object') return v;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if ((key === 'labels' || key === 'annotations') && k.startsWith('k8s-daas.io/')) continue;
        out[k.split(needle).join('')] = walk(x, k);
      }
      return out;
    };
    return walk(value, null) as T;
  }
}

/** 0x + 64 lowercase hex digits. @throws RequestRefusedError for anything but a Sui address. */
export function normalizeAddress(address: string): string {
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(address)) throw new RequestRefusedError(`requester ${JSON.stringify(address)} is not a Sui address`);
  return `0x${address.slice(2).toLowerCase().padStart(64, '0')}`;
}

