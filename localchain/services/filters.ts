/**
 * The DNF filters of ListEvents and ListTransactions (terms ORed, literals ANDed, each literal
 * optionally negated), over the predicates a local chain can answer. Addresses and type names
 * are normalized on both sides, since clients send short forms (`0x2::…`).
 */
import { GrpcTypes } from '@mysten/sui/grpc';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { normalizeType, parseAddress } from '../chain/ids.ts';
import type { EventRecord, TransactionRecord } from '../chain/types.ts';
import { txFromBcs } from '../exec/tx-data.ts';
import { invalidArgument } from '../transport/status.ts';

type Matcher<T> = (item: T) => boolean;

function address(value: string | undefined, what: string): string {
  return parseAddress(value) ?? (() => { throw invalidArgument(`invalid ${what} address ${JSON.stringify(value ?? '')}`); })();
}

interface TypePath {
  /** Normalized `[package, module?, name?]`. */
  segments: string[];
  /** The whole normalized type when the filter has type parameters: then only that type matches. */
  full?: string;
}

/** `pkg`, `pkg::module`, `pkg::module::Name` or a full type with type parameters. */
function typePath(path: string | undefined, what: string): TypePath {
  if (!path) throw invalidArgument(`missing ${what}`);
  const lt = path.indexOf('<');
  const segments = (lt === -1 ? path : path.slice(0, lt)).split('::');
  if (segments.length > 3 || segments.some((s) => s === '')) throw invalidArgument(`invalid ${what} ${JSON.stringify(path)}`);
  segments[0] = address(segments[0], what);
  if (lt === -1) return { segments };
  const full = segments.length === 3 ? normalizeType(path) : null;
  if (!full) throw invalidArgument(`invalid ${what} ${JSON.stringify(path)}`);
  return { segments, full };
}

/** True when `type` (`0x<64>::m::N<…>`, normalized) falls under `path`. */
function typeMatches(type: string, path: TypePath): boolean {
  if (path.full) return type === path.full;
  const lt = type.indexOf('<');
  const parts = (lt === -1 ? type : type.slice(0, lt)).split('::');
  return path.segments.every((p, i) => parts[i] === p);
}

function eventMatcher(lit: GrpcTypes.EventLiteral): Matcher<EventRecord> {
  const p = lit.predicate;
  switch (p.oneofKind) {
    case 'sender': {
      const a = address(p.sender.address, 'sender');
      return (e) => e.sender === a;
    }
    case 'emitModule': {
      const [pkg, module] = typePath(p.emitModule.module, 'emit_module').segments;
      return (e) => e.packageId === pkg && (module === undefined || e.module === module);
    }
    case 'eventType': {
      const path = typePath(p.eventType.eventType, 'event_type');
      return (e) => typeMatches(e.type, path);
    }
    case 'eventStreamHead':
      return () => false;
    default:
      throw invalidArgument('event filter literal without a predicate');
  }
}

function dnf<T, L extends { negated: boolean }>(terms: Array<{ literals: L[] }>, literal: (l: L) => Matcher<T>): Matcher<T> {
  if (terms.length === 0) return () => true;
  const compiled = terms.map((t) => t.literals.map((l) => ({ negated: l.negated, match: literal(l) })));
  return (item) => compiled.some((lits) => lits.every((l) => l.match(item) !== l.negated));
}

/** A predicate over events; throws INVALID_ARGUMENT for a malformed filter. */
export function compileEventFilter(filter: GrpcTypes.EventFilter | undefined): Matcher<EventRecord> {
  return dnf(filter?.terms ?? [], eventMatcher);
}

function affectedAddresses(tx: TransactionRecord): Set<string> {
  const out = new Set(tx.balanceChanges.map((b) => b.address));
  for (const c of tx.effects.changedObjects) {
    for (const s of [c.input, c.output]) if (s?.owner.kind === 'address') out.add(s.owner.address);
  }
  return out;
}

function transactionMatcher(lit: GrpcTypes.TransactionLiteral): Matcher<TransactionRecord> {
  const p = lit.predicate;
  switch (p.oneofKind) {
    case 'sender': {
      const a = address(p.sender.address, 'sender');
      return (tx) => tx.bcs !== null && txFromBcs(tx.bcs).sender === a;
    }
    case 'affectedAddress': {
      const a = address(p.affectedAddress.address, 'affected address');
      return (tx) => affectedAddresses(tx).has(a);
    }
    case 'affectedObject': {
      const id = address(p.affectedObject.objectId, 'object');
      return (tx) => tx.effects.changedObjects.some((c) => c.objectId === id);
    }
    case 'moveCall': {
      const path = typePath(p.moveCall.function, 'move_call function').segments;
      return (tx) =>
        tx.bcs !== null &&
        txFromBcs(tx.bcs).commands.some((c) => c.kind === 'moveCall' && path.every((seg, i) => seg === [normalizeSuiAddress(c.package), c.module, c.function][i]));
    }
    case 'emitModule':
    case 'eventType': {
      const match = eventMatcher({ negated: false, predicate: p } as GrpcTypes.EventLiteral);
      return (tx) => tx.events.some(match);
    }
    case 'eventStreamHead':
    case 'packageWrite':
      return () => false;
    default:
      throw invalidArgument('transaction filter literal without a predicate');
  }
}

/** A predicate over transactions; throws INVALID_ARGUMENT for a malformed filter. */
export function compileTransactionFilter(filter: GrpcTypes.TransactionFilter | undefined): Matcher<TransactionRecord> {
  return dnf(filter?.terms ?? [], transactionMatcher);
}
