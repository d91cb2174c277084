/**
 * google.protobuf.FieldMask over protobuf-ts messages: keep only the fields the request's
 * `read_mask` names (snake_case paths, `a.b.c` into sub-messages and through repeated fields).
 * Replies are built in full and pruned here, so every RPC honours masks the same way. A `oneof`
 * group is kept or dropped as a whole.
 */

type Tree = true | Map<string, Tree>;

function camel(segment: string): string {
  return segment.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function buildTree(paths: readonly string[]): Map<string, Tree> {
  const root = new Map<string, Tree>();
  for (const path of paths) {
    const parts = path.split('.').map((p) => camel(p.trim())).filter(Boolean);
    let node: Map<string, Tree> = root;
    parts.forEach((part, i) => {
      const existing = node.get(part);
      if (existing === true) return;
      if (i === parts.length - 1) {
        node.set(part, true);
        return;
      }
      const next = existing ?? new Map<string, Tree>();
      node.set(part, next);
      node = next;
    });
  }
  return root;
}

function pruneValue(value: unknown, tree: Tree): unknown {
  if (tree === true || value === undefined || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => pruneValue(v, tree));
  if (value instanceof Uint8Array || typeof value !== 'object') return value;
  return pruneObject(value as Record<string, unknown>, tree);
}

function pruneObject(obj: Record<string, unknown>, tree: Map<string, Tree>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, sub] of tree) {
    if (key in obj) out[key] = pruneValue(obj[key], sub);
  }
  // A oneof is stored as { oneofKind, <kind>: value }; keep the discriminant with its value.
  if (typeof obj.oneofKind === 'string' && obj.oneofKind in out) out.oneofKind = obj.oneofKind;
  return out;
}

/** `message` with only the masked fields; `defaults` when the request sent no mask. */
export function applyReadMask<T extends object>(message: T, paths: readonly string[] | undefined, defaults: readonly string[]): Partial<T> {
  const effective = paths && paths.length > 0 ? paths : defaults;
  return pruneObject(message as Record<string, unknown>, buildTree(effective)) as Partial<T>;
}
