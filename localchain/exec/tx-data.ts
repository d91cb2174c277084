/**
 * The executor's view of a transaction, and its conversions from/to the two forms a client sends
 * (TransactionData BCS, the sui.rpc.v2.Transaction message). Only what the local chain can run is
 * representable: programmable transactions with SplitCoins, MergeCoins, TransferObjects and
 * MoveCall over pure, owned and shared inputs; anything else is refused here with a clear message.
 */
import { bcs } from '@mysten/sui/bcs';
import { GrpcTypes } from '@mysten/sui/grpc';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import { PrecheckError } from './errors.ts';

export type Arg = { kind: 'gas' } | { kind: 'input'; index: number } | { kind: 'result'; index: number } | { kind: 'nested'; index: number; sub: number };

export interface ObjRef {
  objectId: string;
  version: bigint;
  digest: string;
}

export type TxInput =
  | { kind: 'pure'; bytes: Uint8Array }
  | ({ kind: 'owned' } & ObjRef)
  | { kind: 'shared'; objectId: string; initialVersion: bigint; mutable: boolean };

export type TxCommand =
  | { kind: 'moveCall'; package: string; module: string; function: string; typeArguments: string[]; arguments: Arg[] }
  | { kind: 'transferObjects'; objects: Arg[]; address: Arg }
  | { kind: 'splitCoins'; coin: Arg; amounts: Arg[] }
  | { kind: 'mergeCoins'; destination: Arg; sources: Arg[] };

export type Expiration =
  | { kind: 'none' }
  | { kind: 'epoch'; epoch: bigint }
  | { kind: 'validDuring'; minEpoch: bigint | null; maxEpoch: bigint | null; minTimestamp: bigint | null; maxTimestamp: bigint | null; chain: string; nonce: number };

export interface TxData {
  sender: string;
  gas: { payment: ObjRef[]; owner: string; price: bigint; budget: bigint };
  expiration: Expiration;
  inputs: TxInput[];
  commands: TxCommand[];
}

type Parsed = ReturnType<typeof bcs.TransactionData.parse>;
type BcsArg = Parsed['V1']['kind'] extends infer K ? (K extends { ProgrammableTransaction: infer P } ? P extends { commands: Array<infer C> } ? C extends { SplitCoins: { coin: infer A } } ? A : never : never : never) : never;

function unsupported(what: string): never {
  throw new PrecheckError(`k8s-daas-localchain does not support ${what}`);
}

function argFromBcs(a: BcsArg): Arg {
  if (a.$kind === 'GasCoin') return { kind: 'gas' };
  if (a.$kind === 'Input') return { kind: 'input', index: a.Input };
  if (a.$kind === 'Result') return { kind: 'result', index: a.Result };
  if (a.$kind === 'NestedResult') return { kind: 'nested', index: a.NestedResult[0], sub: a.NestedResult[1] };
  return unsupported(`argument ${JSON.stringify(a)}`);
}

/** Parses TransactionData BCS; throws PrecheckError for bytes that are not a transaction we can run. */
export function txFromBcs(bytes: Uint8Array): TxData {
  let parsed: Parsed;
  try {
    parsed = bcs.TransactionData.parse(bytes);
    if (bcs.TransactionData.serialize(parsed).toBytes().length !== bytes.length) throw new Error('trailing bytes');
  } catch (err) {
    throw new PrecheckError(`invalid TransactionData BCS: ${(err as Error).message}`);
  }
  const v1 = parsed.V1;
  if (v1.kind.$kind !== 'ProgrammableTransaction') unsupported(`${v1.kind.$kind} transactions`);
  const ptb = v1.kind.ProgrammableTransaction;
  const inputs = ptb.inputs.map((input): TxInput => {
    if (input.$kind === 'Pure') return { kind: 'pure', bytes: new Uint8Array(Buffer.from(input.Pure.bytes, 'base64')) };
    if (input.$kind !== 'Object') return unsupported(`${input.$kind} inputs`);
    const o = input.Object;
    if (o.$kind === 'ImmOrOwnedObject') return { kind: 'owned', objectId: o.ImmOrOwnedObject.objectId, version: BigInt(o.ImmOrOwnedObject.version), digest: o.ImmOrOwnedObject.digest };
    if (o.$kind === 'SharedObject') return { kind: 'shared', objectId: o.SharedObject.objectId, initialVersion: BigInt(o.SharedObject.initialSharedVersion), mutable: o.SharedObject.mutable };
    return unsupported(`${o.$kind} object inputs`);
  });
  const commands = ptb.commands.map((c): TxCommand => {
    switch (c.$kind) {
      case 'MoveCall':
        return { kind: 'moveCall', package: normalizeSuiAddress(c.MoveCall.package), module: c.MoveCall.module, function: c.MoveCall.function, typeArguments: c.MoveCall.typeArguments, arguments: c.MoveCall.arguments.map(argFromBcs) };
      case 'TransferObjects':
        return { kind: 'transferObjects', objects: c.TransferObjects.objects.map(argFromBcs), address: argFromBcs(c.TransferObjects.address) };
      case 'SplitCoins':
        return { kind: 'splitCoins', coin: argFromBcs(c.SplitCoins.coin), amounts: c.SplitCoins.amounts.map(argFromBcs) };
      case 'MergeCoins':
        return { kind: 'mergeCoins', destination: argFromBcs(c.MergeCoins.destination), sources: c.MergeCoins.sources.map(argFromBcs) };
      default:
        return unsupported(`${c.$kind} commands`);
    }
  });
  const exp = v1.expiration;
  let expiration: Expiration;
  if (exp.$kind === 'None') expiration = { kind: 'none' };
  else if (exp.$kind === 'Epoch') expiration = { kind: 'epoch', epoch: BigInt(exp.Epoch) };
  else if (exp.$kind === 'ValidDuring') {
    const d = exp.ValidDuring;
    const big = (v: string | number | null) => (v === null ? null : BigInt(v));
    expiration = { kind: 'validDuring', minEpoch: big(d.minEpoch), maxEpoch: big(d.maxEpoch), minTimestamp: big(d.minTimestamp), maxTimestamp: big(d.maxTimestamp), chain: d.chain, nonce: d.nonce };
  } else return unsupported(`${exp.$kind} expirations`);
  return {
    sender: normalizeSuiAddress(v1.sender),
    gas: {
      payment: v1.gasData.payment.map((r) => ({ objectId: r.objectId, version: BigInt(r.version), digest: r.digest })),
      owner: normalizeSuiAddress(v1.gasData.owner),
      price: BigInt(v1.gasData.price),
      budget: BigInt(v1.gasData.budget),
    },
    expiration,
    inputs,
    commands,
  };
}

function argToBcs(a: Arg) {
  switch (a.kind) {
    case 'gas':
      return { GasCoin: true as const };
    case 'input':
      return { Input: a.index };
    case 'result':
      return { Result: a.index };
    case 'nested':
      return { NestedResult: [a.index, a.sub] as [number, number] };
  }
}

/** TransactionData BCS of `tx` (what is signed and hashed into the digest). */
export function txToBcs(tx: TxData): Uint8Array {
  const exp = tx.expiration;
  return bcs.TransactionData.serialize({
    V1: {
      kind: {
        ProgrammableTransaction: {
          inputs: tx.inputs.map((i) =>
            i.kind === 'pure'
              ? { Pure: { bytes: i.bytes } }
              : i.kind === 'owned'
                ? { Object: { ImmOrOwnedObject: { objectId: i.objectId, version: i.version, digest: i.digest } } }
                : { Object: { SharedObject: { objectId: i.objectId, initialSharedVersion: i.initialVersion, mutable: i.mutable } } },
          ),
          commands: tx.commands.map((c) => {
            switch (c.kind) {
              case 'moveCall':
                return { MoveCall: { package: c.package, module: c.module, function: c.function, typeArguments: c.typeArguments, arguments: c.arguments.map(argToBcs) } };
              case 'transferObjects':
                return { TransferObjects: { objects: c.objects.map(argToBcs), address: argToBcs(c.address) } };
              case 'splitCoins':
                return { SplitCoins: { coin: argToBcs(c.coin), amounts: c.amounts.map(argToBcs) } };
              case 'mergeCoins':
                return { MergeCoins: { destination: argToBcs(c.destination), sources: c.sources.map(argToBcs) } };
            }
          }),
        },
      },
      sender: tx.sender,
      gasData: { payment: tx.gas.payment, owner: tx.gas.owner, price: tx.gas.price, budget: tx.gas.budget },
      expiration:
        exp.kind === 'none'
          ? { None: true }
          : exp.kind === 'epoch'
            ? { Epoch: exp.epoch }
            : { ValidDuring: { minEpoch: exp.minEpoch, maxEpoch: exp.maxEpoch, minTimestamp: exp.minTimestamp, maxTimestamp: exp.maxTimestamp, chain: exp.chain, nonce: exp.nonce } },
    },
  } as never).toBytes();
}

const { Argument_ArgumentKind: AK, Input_InputKind: IK, TransactionExpiration_TransactionExpirationKind: EK } = GrpcTypes;

/** The sui.rpc.v2.Argument naming `a`. */
export function argToProto(a: Arg): GrpcTypes.Argument {
  switch (a.kind) {
    case 'gas':
      return { kind: AK.GAS };
    case 'input':
      return { kind: AK.INPUT, input: a.index };
    case 'result':
      return { kind: AK.RESULT, result: a.index };
    case 'nested':
      return { kind: AK.RESULT, result: a.index, subresult: a.sub };
  }
}

function timestampOf(ms: bigint | null) {
  return ms === null ? undefined : { seconds: ms / 1000n, nanos: Number(ms % 1000n) * 1_000_000 };
}

/** The sui.rpc.v2.Transaction message for `tx` (kind, sender, gas payment, expiration). */
export function txToProto(tx: TxData, bcsBytes?: Uint8Array, digest?: string): GrpcTypes.Transaction {
  const exp = tx.expiration;
  return GrpcTypes.Transaction.create({
    bcs: bcsBytes ? { name: 'TransactionData', value: bcsBytes } : undefined,
    digest,
    version: 1,
    kind: {
      kind: GrpcTypes.TransactionKind_Kind.PROGRAMMABLE_TRANSACTION,
      data: {
        oneofKind: 'programmableTransaction',
        programmableTransaction: {
          inputs: tx.inputs.map((i) =>
            i.kind === 'pure'
              ? { kind: IK.PURE, pure: i.bytes }
              : i.kind === 'owned'
                ? { kind: IK.IMMUTABLE_OR_OWNED, objectId: i.objectId, version: i.version, digest: i.digest }
                : { kind: IK.SHARED, objectId: i.objectId, version: i.initialVersion, mutable: i.mutable, mutability: i.mutable ? GrpcTypes.Input_Mutability.MUTABLE : GrpcTypes.Input_Mutability.IMMUTABLE },
          ),
          commands: tx.commands.map((c): GrpcTypes.Command => {
            switch (c.kind) {
              case 'moveCall':
                return { command: { oneofKind: 'moveCall', moveCall: { package: c.package, module: c.module, function: c.function, typeArguments: c.typeArguments, arguments: c.arguments.map(argToProto) } } };
              case 'transferObjects':
                return { command: { oneofKind: 'transferObjects', transferObjects: { objects: c.objects.map(argToProto), address: argToProto(c.address) } } };
              case 'splitCoins':
                return { command: { oneofKind: 'splitCoins', splitCoins: { coin: argToProto(c.coin), amounts: c.amounts.map(argToProto) } } };
              case 'mergeCoins':
                return { command: { oneofKind: 'mergeCoins', mergeCoins: { coin: argToProto(c.destination), coinsToMerge: c.sources.map(argToProto) } } };
            }
          }),
        },
      },
    },
    sender: tx.sender,
    gasPayment: { objects: tx.gas.payment, owner: tx.gas.owner, price: tx.gas.price, budget: tx.gas.budget },
    expiration:
      exp.kind === 'none'
        ? { kind: EK.NONE }
        : exp.kind === 'epoch'
          ? { kind: EK.EPOCH, epoch: exp.epoch }
          : { kind: EK.VALID_DURING, minEpoch: exp.minEpoch ?? undefined, epoch: exp.maxEpoch ?? undefined, minTimestamp: timestampOf(exp.minTimestamp), maxTimestamp: timestampOf(exp.maxTimestamp), chain: exp.chain, nonce: exp.nonce },
  });
}
