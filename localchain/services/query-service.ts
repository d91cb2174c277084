/**
 * LedgerService.ListEvents and ListTransactions: server-streamed pages over the ledger in
 * canonical order. Each item frame carries a watermark whose cursor is the item's position
 * (opaque to clients, exclusive as `after`/`before`); a page cut at the limit ends with
 * ITEM_LIMIT on its last item, an exhausted scan with a terminal frame (LEDGER_TIP, or the bound
 * that stopped it). The SDK asks for limit+1 and keeps limit, so it knows when a next page exists.
 */
import { GrpcTypes } from '@mysten/sui/grpc';
import type { Ledger } from '../chain/ledger.ts';
import { applyReadMask } from '../render/read-mask.ts';
import { eventProto, executedTransaction } from '../render/proto.ts';
import type { GrpcRouter } from '../transport/router.ts';
import { invalidArgument } from '../transport/status.ts';
import { compileEventFilter, compileTransactionFilter } from './filters.ts';

const T = GrpcTypes;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;
const CURSOR_TAG = { event: 0x01, transaction: 0x02 } as const;
type Tag = keyof typeof CURSOR_TAG;

/** 1 tag byte + u64 BE position. */
export function encodeCursor(tag: Tag, position: number): Uint8Array {
  const out = new Uint8Array(9);
  out[0] = CURSOR_TAG[tag];
  new DataView(out.buffer).setBigUint64(1, BigInt(position));
  return out;
}

function decodeCursor(tag: Tag, bytes: Uint8Array): number {
  if (bytes.length !== 9 || bytes[0] !== CURSOR_TAG[tag]) throw invalidArgument(`invalid ${tag} cursor`);
  return Number(new DataView(bytes.buffer, bytes.byteOffset, 9).getBigUint64(1));
}

interface Frame<I> {
  item?: I;
  watermark: { cursor: Uint8Array; checkpoint?: bigint };
  end?: { reason: GrpcTypes.QueryEndReason };
}

interface ScanSpec<I> {
  tag: Tag;
  /** Positions are 1..count. */
  count: number;
  at(position: number): { item: I; checkpoint: bigint };
  match(item: I): boolean;
  options: GrpcTypes.QueryOptions | undefined;
  startCheckpoint?: bigint;
  endCheckpoint?: bigint;
  tip: bigint;
}

/** The frames of one page; see the file comment for the framing rules. */
export function scan<I>(spec: ScanSpec<I>): Array<Frame<I>> {
  const opts = spec.options;
  const requested = opts?.limit ?? 0;
  const limit = requested <= 0 ? DEFAULT_LIMIT : Math.min(requested, MAX_LIMIT);
  const desc = opts?.ordering === T.Ordering.DESCENDING;
  const lo = opts?.after ? decodeCursor(spec.tag, opts.after) : 0;
  const hi = opts?.before ? decodeCursor(spec.tag, opts.before) : spec.count + 1;
  const first = desc ? Math.min(hi - 1, spec.count) : lo + 1;
  const last = desc ? lo + 1 : Math.min(hi - 1, spec.count);
  const step = desc ? -1 : 1;
  const frames: Array<Frame<I>> = [];
  let frontier = desc ? hi : lo;
  let stoppedBy: GrpcTypes.QueryEndReason | null = null;
  for (let p = first; desc ? p >= last : p <= last; p += step) {
    const { item, checkpoint } = spec.at(p);
    if (!desc && spec.endCheckpoint !== undefined && checkpoint >= spec.endCheckpoint) {
      stoppedBy = T.QueryEndReason.CHECKPOINT_BOUND;
      break;
    }
    if (desc && spec.startCheckpoint !== undefined && checkpoint < spec.startCheckpoint) {
      stoppedBy = T.QueryEndReason.CHECKPOINT_BOUND;
      break;
    }
    frontier = p;
    const inRange = (spec.startCheckpoint === undefined || checkpoint >= spec.startCheckpoint) && (spec.endCheckpoint === undefined || checkpoint < spec.endCheckpoint);
    if (!inRange || !spec.match(item)) continue;
    // Every matching item at checkpoints before (ascending) / after (descending) this one has been sent.
    const covered = desc ? checkpoint + 1n : checkpoint > 0n ? checkpoint - 1n : undefined;
    frames.push({ item, watermark: { cursor: encodeCursor(spec.tag, p), checkpoint: covered } });
    if (frames.length === limit) {
      frames[frames.length - 1].end = { reason: T.QueryEndReason.ITEM_LIMIT };
      return frames;
    }
  }
  const reason = stoppedBy ?? ((desc ? opts?.after : opts?.before) ? T.QueryEndReason.CURSOR_BOUND : T.QueryEndReason.LEDGER_TIP);
  const covered = desc ? (spec.startCheckpoint ?? 0n) : spec.endCheckpoint !== undefined && spec.endCheckpoint - 1n < spec.tip ? spec.endCheckpoint - 1n : spec.tip;
  frames.push({ watermark: { cursor: encodeCursor(spec.tag, frontier), checkpoint: covered >= 0n ? covered : undefined }, end: { reason } });
  return frames;
}

const EVENT_FIELDS = ['package_id', 'module', 'sender', 'event_type', 'contents', 'json', 'checkpoint', 'transaction_digest', 'transaction_index', 'event_index'];

export function registerQueryService(router: GrpcRouter, ledger: Ledger): void {
  router.handle(T.LedgerService, 'ListEvents', (req: GrpcTypes.ListEventsRequest) => {
    const match = compileEventFilter(req.filter);
    const events = ledger.events;
    const frames = scan({
      tag: 'event',
      count: events.length,
      at: (p) => ({ item: events[p - 1], checkpoint: events[p - 1].tx.checkpoint }),
      match: (e) => match(e.event),
      options: req.options,
      startCheckpoint: req.startCheckpoint,
      endCheckpoint: req.endCheckpoint,
      tip: ledger.latestCheckpoint.sequenceNumber,
    });
    return frames.map((f) =>
      T.ListEventsResponse.create({
        event: f.item
          ? T.Event.create(
              applyReadMask(
                eventProto(f.item.event, { checkpoint: f.item.tx.checkpoint, transactionDigest: f.item.tx.digest, transactionIndex: 0n, eventIndex: f.item.index }),
                req.readMask?.paths,
                EVENT_FIELDS,
              ),
            )
          : undefined,
        watermark: f.watermark,
        end: f.end,
      }),
    );
  });

  router.handle(T.LedgerService, 'ListTransactions', (req: GrpcTypes.ListTransactionsRequest) => {
    const match = compileTransactionFilter(req.filter);
    const txs = ledger.data.transactions;
    const frames = scan({
      tag: 'transaction',
      count: txs.length,
      at: (p) => ({ item: txs[p - 1], checkpoint: txs[p - 1].checkpoint }),
      // The genesis transaction has no TransactionData the SDK could parse.
      match: (tx) => tx.bcs !== null && match(tx),
      options: req.options,
      startCheckpoint: req.startCheckpoint,
      endCheckpoint: req.endCheckpoint,
      tip: ledger.latestCheckpoint.sequenceNumber,
    });
    return frames.map((f) =>
      T.ListTransactionsResponse.create({
        transaction: f.item ? T.ExecutedTransaction.create(applyReadMask(executedTransaction(f.item, { committed: true }), req.readMask?.paths, ['digest'])) : undefined,
        watermark: f.watermark,
        end: f.end,
      }),
    );
  });
}
