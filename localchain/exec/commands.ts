/**
 * The PTB's built-in commands on Coin<SUI> and owned objects, with Sui's rules: SplitCoins and
 * MergeCoins borrow the target coin mutably (the gas coin included), merged sources are
 * consumed, TransferObjects takes objects by value (the only command that may take the gas coin).
 */
import { SUI_COIN_TYPE } from '../chain/ids.ts';
import { coinContents } from '../chain/objects.ts';
import { ArgErrorKind, ErrorKind, ExecutionFailure } from './errors.ts';
import type { Session, Slot, WorkObj } from './session.ts';
import type { Arg, TxCommand } from './tx-data.ts';

const U64_MAX = (1n << 64n) - 1n;

function coinBytes(w: WorkObj): Uint8Array {
  return coinContents(w.id, w.balance!);
}

function objectSlot(w: WorkObj): Slot {
  return { val: { t: 'object', id: w.id }, moved: false };
}

export function splitCoins(s: Session, cmd: Extract<TxCommand, { kind: 'splitCoins' }>, index: number): Slot[] {
  const coin = s.borrowCoin(cmd.coin, index, 0);
  const amounts = cmd.amounts.map((a, i) => s.pure(a, index, i + 1, 'u64') as bigint);
  const total = amounts.reduce((a, b) => a + b, 0n);
  if (total > coin.balance!) {
    throw ExecutionFailure.of(ErrorKind.INSUFFICIENT_COIN_BALANCE, index, `InsufficientCoinBalance in command ${index}: splitting ${total} from a coin of ${coin.balance}`);
  }
  coin.balance! -= total;
  const created = amounts.map((amount, sub) =>
    s.create({ id: s.newId(), type: SUI_COIN_TYPE, balance: amount, contents: new Uint8Array(), hasPublicTransfer: true }, index, sub),
  );
  s.outputs.push({ returnValues: created.map(coinBytes), mutatedByRef: [{ arg: cmd.coin, bytes: coinBytes(coin) }] });
  return created.map(objectSlot);
}

export function mergeCoins(s: Session, cmd: Extract<TxCommand, { kind: 'mergeCoins' }>, index: number): Slot[] {
  const target = s.borrowCoin(cmd.destination, index, 0);
  cmd.sources.forEach((arg, i) => {
    const source = s.takeObject(arg, index, i + 1, false);
    if (source.balance === null) {
      throw ExecutionFailure.argument(index, i + 1, ArgErrorKind.TYPE_MISMATCH, `expected Coin<SUI>, got ${source.type}`);
    }
    if (source.id === target.id) {
      throw ExecutionFailure.argument(index, i + 1, ArgErrorKind.INVALID_VALUE_USAGE, 'a coin cannot be merged into itself');
    }
    if (target.balance! + source.balance > U64_MAX) {
      throw ExecutionFailure.of(ErrorKind.COIN_BALANCE_OVERFLOW, index, `CoinBalanceOverflow in command ${index}`);
    }
    target.balance! += source.balance;
    source.balance = 0n;
    source.deleted = true;
  });
  s.outputs.push({ returnValues: [], mutatedByRef: [{ arg: cmd.destination, bytes: coinBytes(target) }] });
  return [];
}

function recipient(s: Session, arg: Arg, index: number, argIdx: number): string {
  return s.pure(arg, index, argIdx, 'address') as string;
}

export function transferObjects(s: Session, cmd: Extract<TxCommand, { kind: 'transferObjects' }>, index: number): Slot[] {
  const to = recipient(s, cmd.address, index, cmd.objects.length);
  cmd.objects.forEach((arg, i) => {
    const slot = s.slot(arg, index, i);
    if (slot.val.t === 'pure') {
      throw ExecutionFailure.argument(index, i, ArgErrorKind.INVALID_TRANSFER_OBJECT, 'only objects can be transferred');
    }
    const obj = s.takeObject(arg, index, i, true);
    if (!obj.hasPublicTransfer) {
      throw ExecutionFailure.argument(index, i, ArgErrorKind.INVALID_TRANSFER_OBJECT, `${obj.type} has no public transfer (it lacks 'store')`);
    }
    obj.owner = { kind: 'address', address: to };
  });
  s.outputs.push({ returnValues: [], mutatedByRef: [] });
  return [];
}
