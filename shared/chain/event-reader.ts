/**
 * Reads one module's events in ledger order, a page at a time, resumable from a saved cursor.
 * The reader never advances on its own: the caller applies a page, saves `page.cursor` with it
 * (one database transaction), then calls `commit(page)`. So a crash between the two re-reads the
 * page, and the (txDigest, eventIndex) de-duplication here and in the store absorbs the repeat.
 */
import type { ClientWithCoreApi } from '@mysten/sui/client';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { decodeChainError } from './chain-errors.ts';
import { decodeChainEvent, type ChainEvent } from './chain-events.ts';

/** What the reader needs of a client: a core-API client, or an EventsThread (events-thread.ts). */
export interface EventsClient {
  core: Pick<ClientWithCoreApi['core'], 'listEvents'>;
}

export interface EventPage {
  events: ChainEvent[];
  /** The cursor to save once this page is applied (the old one when the page is empty). */
  cursor: string | null;
  hasNextPage: boolean;
}

export interface EventReaderOptions {
  client: EventsClient;
  packageId: string;
  module: 'worker_registry' | 'k8s_scheduler';
  /** A cursor saved earlier; null reads from the beginning of the chain. */
  cursor?: string | null;
  /** Events per request (servers cap this at 50). */
  pageSize?: number;
  /**
   * How many recent event ids to remember for de-duplication (default 1,000: twenty pages). An id
   * comes back only when a node re-serves events at or before the cursor, which happens near it;
   * a window the size of the chain's history would only keep thousands of strings in the
   * master's heap for every garbage collection to trace.
   */
  dedupeWindow?: number;
}

export class EventReader {
  readonly module: EventReaderOptions['module'];
  #client: EventsClient;
  #packageId: string;
  #cursor: string | null;
  #pageSize: number;
  #seen = new Set<string>();
  #window: number;

  constructor(options: EventReaderOptions) {
    this.#client = options.client;
    this.#packageId = normalizeSuiAddress(options.packageId);
    this.module = options.module;
    this.#cursor = options.cursor ?? null;
    this.#pageSize = options.pageSize ?? 50;
    this.#window = options.dedupeWindow ?? 1_000;
  }

  /** The cursor of the last committed page. */
  get cursor(): string | null {
    return this.#cursor;
  }

  /** Fetches the page after the committed cursor, without advancing. Throws a decoded DaasError (retryable when the node is unreachable). */
  async next(): Promise<EventPage> {
    let response;
    try {
      response = await this.#client.core.listEvents({
        filter: { eventType: `${this.#packageId}::${this.module}` },
        after: this.#cursor ?? undefined,
        limit: this.#pageSize,
      });
    } catch (err) {
      throw decodeChainError(err);
    }
    const events: ChainEvent[] = [];
    for (const entry of response.events) {
      const id = `${entry.transactionDigest}:${entry.eventIndex}`;
      if (this.#seen.has(id)) continue;
      const decoded = decodeChainEvent(this.#packageId, entry, {
        txDigest: entry.transactionDigest,
        eventIndex: Number(entry.eventIndex),
        checkpoint: entry.checkpoint ?? null,
      });
      if (decoded) events.push(decoded);
    }
    return { events, cursor: response.endCursor ?? this.#cursor, hasNextPage: response.hasNextPage };
  }

  /** Marks a page as applied: advances the cursor and remembers its events. */
  commit(page: EventPage): void {
    this.#cursor = page.cursor;
    for (const e of page.events) this.#remember(`${e.txDigest}:${e.eventIndex}`);
  }

  #remember(id: string): void {
    this.#seen.add(id);
    if (this.#seen.size > this.#window) {
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
  }
}
