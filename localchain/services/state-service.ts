/**
 * sui.rpc.v2.StateService: balances and owned objects. Only SUI exists on the local chain, and
 * there are no address balances (addressBalance is always 0). Owned objects are paged by object
 * id; the last page carries no next_page_token, which is how the SDK knows it is the last.
 */
import { GrpcTypes } from '@mysten/sui/grpc';
import { normalizeType, parseAddress, SUI_TYPE } from '../chain/ids.ts';
import type { Ledger } from '../chain/ledger.ts';
import { coinBalance } from '../chain/objects.ts';
import type { StoredObject } from '../chain/types.ts';
import { applyReadMask } from '../render/read-mask.ts';
import { objectProto } from '../render/proto.ts';
import type { GrpcRouter } from '../transport/router.ts';
import { invalidArgument } from '../transport/status.ts';

const T = GrpcTypes;
const DEFAULT_PAGE = 50;
const MAX_PAGE = 1000;

function owner(value: string | undefined): string {
  return parseAddress(value) ?? (() => { throw invalidArgument(`invalid owner address ${JSON.stringify(value ?? '')}`); })();
}

function coinType(value: string | undefined): string {
  const t = value ? normalizeType(value) : null;
  if (!t) throw invalidArgument(`invalid coin type ${JSON.stringify(value ?? '')}`);
  return t;
}

/**
 * The object-type filter: a full type (with its type parameters) matches exactly; a struct
 * without type parameters matches every instantiation (`0x2::coin::Coin` → all coins), as the
 * proto documents. Both sides are normalized, so `0x2::…` and long forms agree.
 */
function typeFilter(filter: string | undefined): (obj: StoredObject) => boolean {
  if (!filter) return () => true;
  const normalized = normalizeType(filter);
  if (!normalized) throw invalidArgument(`invalid object type ${JSON.stringify(filter)}`);
  if (filter.includes('<')) return (obj) => obj.type === normalized;
  return (obj) => obj.type === normalized || obj.type.startsWith(`${normalized}<`);
}

function suiBalance(ledger: Ledger, address: string): bigint {
  return ledger.suiCoinsOf(address).reduce((sum, c) => sum + coinBalance(c), 0n);
}

function balance(type: string, amount: bigint): GrpcTypes.Balance {
  return { coinType: type, balance: amount, coinBalance: amount, addressBalance: 0n };
}

function pageSize(requested: number | undefined): number {
  return !requested || requested <= 0 ? DEFAULT_PAGE : Math.min(requested, MAX_PAGE);
}

function afterToken(token: Uint8Array | undefined): string | null {
  if (!token || token.length === 0) return null;
  if (token.length !== 32) throw invalidArgument('invalid page token');
  return `0x${Buffer.from(token).toString('hex')}`;
}

export function registerStateService(router: GrpcRouter, ledger: Ledger): void {
  const S = T.StateService;
  router.handle(S, 'GetBalance', (req: GrpcTypes.GetBalanceRequest) => {
    const address = owner(req.owner);
    const type = coinType(req.coinType);
    return T.GetBalanceResponse.create({ balance: balance(type, type === SUI_TYPE ? suiBalance(ledger, address) : 0n) });
  });

  router.handle(S, 'ListBalances', (req: GrpcTypes.ListBalancesRequest) => {
    const address = owner(req.owner);
    const coins = ledger.suiCoinsOf(address);
    return T.ListBalancesResponse.create({ balances: coins.length > 0 ? [balance(SUI_TYPE, suiBalance(ledger, address))] : [] });
  });

  router.handle(S, 'ListOwnedObjects', (req: GrpcTypes.ListOwnedObjectsRequest) => {
    const address = owner(req.owner);
    const matches = typeFilter(req.objectType);
    const after = afterToken(req.pageToken);
    const size = pageSize(req.pageSize);
    const all = ledger.ownedBy(address).filter((o) => matches(o) && (after === null || o.id > after));
    const page = all.slice(0, size);
    const more = all.length > size;
    return T.ListOwnedObjectsResponse.create({
      objects: page.map((o) => T.Object.create(applyReadMask(objectProto(o, ledger.data.packageId), req.readMask?.paths, ['object_id', 'version', 'object_type']))),
      nextPageToken: more ? new Uint8Array(Buffer.from(page[page.length - 1].id.slice(2), 'hex')) : undefined,
    });
  });
}
