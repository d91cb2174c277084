/**
 * What SimulateTransaction does for a transaction the SDK has not finished building: inputs it
 * sent as a bare object id become SHARED (initial shared version, and `mutable` by how the PTB
 * uses the object: the SDK ignores the `mutability` enum, notes §2a) or IMMUTABLE_OR_OWNED
 * (current version and digest). The gas payment is left for simulate.ts to decide.
 */
import { GrpcTypes } from '@mysten/sui/grpc';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { PACKAGE_FUNCTIONS } from '../move/package.ts';
import { CLOCK_ID, parseAddress } from '../chain/ids.ts';
import type { Ledger } from '../chain/ledger.ts';
import { PrecheckError } from './errors.ts';
import type { Arg, Expiration, ObjRef, TxCommand, TxInput } from './tx-data.ts';

export interface Draft {
  sender: string;
  inputs: TxInput[];
  commands: TxCommand[];
  expiration: Expiration;
  gas: { objects: ObjRef[]; owner: string; price?: bigint; budget?: bigint };
}

const { Input_InputKind: IK, Argument_ArgumentKind: AK, Input_Mutability: MUT, TransactionExpiration_TransactionExpirationKind: EK } = GrpcTypes;

function fail(message: string): never {
  throw new PrecheckError(message);
}

function address(value: string | undefined, what: string): string {
  return parseAddress(value) ?? fail(`invalid ${what} address ${JSON.stringify(value)}`);
}

function arg(a: GrpcTypes.Argument | undefined): Arg {
  switch (a?.kind) {
    case AK.GAS:
      return { kind: 'gas' };
    case AK.INPUT:
      return { kind: 'input', index: a.input ?? 0 };
    case AK.RESULT:
      return a.subresult !== undefined ? { kind: 'nested', index: a.result ?? 0, sub: a.subresult } : { kind: 'result', index: a.result ?? 0 };
    default:
      return fail(`unsupported argument ${JSON.stringify(a ?? null)}`);
  }
}

function command(c: GrpcTypes.Command): TxCommand {
  const cmd = c.command;
  switch (cmd.oneofKind) {
    case 'moveCall': {
      const m = cmd.moveCall;
      return { kind: 'moveCall', package: address(m.package, 'package'), module: m.module ?? '', function: m.function ?? '', typeArguments: m.typeArguments, arguments: m.arguments.map(arg) };
    }
    case 'splitCoins':
      return { kind: 'splitCoins', coin: arg(cmd.splitCoins.coin), amounts: cmd.splitCoins.amounts.map(arg) };
    case 'mergeCoins':
      return { kind: 'mergeCoins', destination: arg(cmd.mergeCoins.coin), sources: cmd.mergeCoins.coinsToMerge.map(arg) };
    case 'transferObjects':
      return { kind: 'transferObjects', objects: cmd.transferObjects.objects.map(arg), address: arg(cmd.transferObjects.address) };
    default:
      return fail(`k8s-daas-localchain does not support ${cmd.oneofKind ?? 'empty'} commands`);
  }
}

/** Whether the PTB needs input `index` mutably: by value, &mut, or anything we cannot tell. */
function usedMutably(commands: TxCommand[], index: number, packageId: string): boolean {
  const isInput = (a: Arg) => a.kind === 'input' && a.index === index;
  return commands.some((c) => {
    if (c.kind !== 'moveCall') {
      const args = c.kind === 'splitCoins' ? [c.coin, ...c.amounts] : c.kind === 'mergeCoins' ? [c.destination, ...c.sources] : [...c.objects, c.address];
      return args.some(isInput);
    }
    const fn = c.package === packageId ? PACKAGE_FUNCTIONS.get(`${c.module}::${c.function}`) : undefined;
    return c.arguments.some((a, i) => {
      if (!isInput(a)) return false;
      const p = fn?.params[i];
      if (!p) return true;
      return p.kind === 'clock' ? false : p.kind === 'shared' ? p.mutable : true;
    });
  });
}

function input(ledger: Ledger, i: GrpcTypes.Input, index: number, commands: TxCommand[]): TxInput {
  if (i.kind === IK.PURE) return { kind: 'pure', bytes: i.pure ?? new Uint8Array() };
  if (i.kind !== undefined && i.kind !== IK.INPUT_KIND_UNKNOWN && i.kind !== IK.IMMUTABLE_OR_OWNED && i.kind !== IK.SHARED) {
    fail(`k8s-daas-localchain does not support ${IK[i.kind]} inputs`);
  }
  if (i.literal) fail('k8s-daas-localchain does not support literal inputs; encode pure values as BCS');
  const objectId = address(i.objectId, 'object');
  const obj = ledger.getObject(objectId);
  const wantsShared = i.kind === IK.SHARED || (i.kind !== IK.IMMUTABLE_OR_OWNED && obj?.owner.kind === 'shared');
  if (wantsShared) {
    const initial = obj?.owner.kind === 'shared' ? obj.owner.initialVersion : undefined;
    const version = i.version ?? initial ?? fail(`Could not find the referenced object ${objectId}`);
    const declared = i.mutable ?? (i.mutability === MUT.MUTABLE ? true : i.mutability === MUT.IMMUTABLE ? false : undefined);
    const needed = objectId !== CLOCK_ID && usedMutably(commands, index, ledger.data.packageId);
    // A resolved SHARED input is the client's choice and stays as sent; an unresolved one gets
    // what the PTB needs (or more, if the client asked for it).
    const mutable = i.kind === IK.SHARED ? (declared ?? needed) : (declared ?? false) || needed;
    return { kind: 'shared', objectId, initialVersion: version, mutable };
  }
  if (!obj && (i.version === undefined || i.digest === undefined)) fail(`Could not find the referenced object ${objectId}`);
  return { kind: 'owned', objectId, version: i.version ?? obj!.version, digest: i.digest ?? obj!.digest };
}

function expiration(e: GrpcTypes.TransactionExpiration | undefined): Expiration {
  if (!e || e.kind === EK.NONE || e.kind === undefined || e.kind === EK.TRANSACTION_EXPIRATION_KIND_UNKNOWN) return { kind: 'none' };
  if (e.kind === EK.EPOCH) return { kind: 'epoch', epoch: e.epoch ?? 0n };
  if (e.kind !== EK.VALID_DURING) fail(`k8s-daas-localchain does not support ${EK[e.kind]} expirations`);
  const ms = (t: { seconds: bigint; nanos: number } | undefined) => (t ? t.seconds * 1000n + BigInt(Math.floor(t.nanos / 1_000_000)) : null);
  return { kind: 'validDuring', minEpoch: e.minEpoch ?? null, maxEpoch: e.epoch ?? null, minTimestamp: ms(e.minTimestamp), maxTimestamp: ms(e.maxTimestamp), chain: e.chain ?? '', nonce: e.nonce ?? 0 };
}

/** The transaction with every input resolved against the ledger; throws PrecheckError. */
export function resolveDraft(ledger: Ledger, tx: GrpcTypes.Transaction): Draft {
  const data = tx.kind?.data;
  if (data?.oneofKind !== 'programmableTransaction') fail(`k8s-daas-localchain only runs programmable transactions`);
  const ptb = data.programmableTransaction;
  const commands = ptb.commands.map(command);
  const inputs = ptb.inputs.map((i, index) => input(ledger, i, index, commands));
  const sender = tx.sender ? address(tx.sender, 'sender') : normalizeSuiAddress('0x0');
  const objects = (tx.gasPayment?.objects ?? []).map((ref) => {
    const objectId = address(ref.objectId, 'gas object');
    const current = ledger.getObject(objectId);
    if (!current && (ref.version === undefined || ref.digest === undefined)) fail(`Could not find the referenced object ${objectId}`);
    return { objectId, version: ref.version ?? current!.version, digest: ref.digest ?? current!.digest };
  });
  return {
    sender,
    inputs,
    commands,
    expiration: expiration(tx.expiration),
    gas: {
      objects,
      owner: tx.gasPayment?.owner ? address(tx.gasPayment.owner, 'gas owner') : sender,
      price: tx.gasPayment?.price,
      budget: tx.gasPayment?.budget,
    },
  };
}
