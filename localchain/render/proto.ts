/**
 * Ledger records as sui.rpc.v2 messages, built in full (callers prune with read-mask.ts):
 * objects, owners, effects, events, signatures, executed transactions.
 */
import { GrpcTypes } from '@mysten/sui/grpc';
import { objectBcs, isSuiCoin, coinBalance } from '../chain/objects.ts';
import type { ChangedObjectRecord, EffectsRecord, EventRecord, ExecutionStatusRecord, JsonValue, ObjectOwner, StoredObject, TransactionRecord } from '../chain/types.ts';
import { txFromBcs, txToProto } from '../exec/tx-data.ts';
import { effectsBcs, eventsDigest } from './effects-bcs.ts';
import { renderObject } from './move-json.ts';

const T = GrpcTypes;

/** google.protobuf.Value of plain JSON (the type is not exported by GrpcTypes; Event.fromJson builds it). */
export function protoValue(json: JsonValue) {
  return T.Event.fromJson({ json }).json;
}

export function timestamp(ms: bigint) {
  return { seconds: ms / 1000n, nanos: Number(ms % 1000n) * 1_000_000 };
}

export function owner(o: ObjectOwner): GrpcTypes.Owner {
  if (o.kind === 'address') return { kind: T.Owner_OwnerKind.ADDRESS, address: o.address };
  if (o.kind === 'shared') return { kind: T.Owner_OwnerKind.SHARED, version: o.initialVersion };
  return { kind: T.Owner_OwnerKind.IMMUTABLE };
}

export function objectProto(obj: StoredObject, packageId: string): GrpcTypes.Object {
  const json = renderObject(obj, packageId);
  return T.Object.create({
    bcs: { name: 'Object', value: objectBcs(obj) },
    objectId: obj.id,
    version: obj.version,
    digest: obj.digest,
    owner: owner(obj.owner),
    objectType: obj.type,
    hasPublicTransfer: obj.type === 'package' ? undefined : obj.hasPublicTransfer,
    contents: obj.type === 'package' ? undefined : { name: obj.type, value: obj.contents },
    previousTransaction: obj.previousTransaction,
    storageRebate: obj.storageRebate,
    json: json === null ? undefined : protoValue(json),
    balance: isSuiCoin(obj) ? coinBalance(obj) : undefined,
  });
}

export function statusProto(status: ExecutionStatusRecord): GrpcTypes.ExecutionStatus {
  if (status.success) return { success: true };
  const e = status.error;
  let errorDetails: GrpcTypes.ExecutionError['errorDetails'] = { oneofKind: undefined };
  if (e.abort) {
    const a = e.abort;
    errorDetails = {
      oneofKind: 'abort',
      abort: { abortCode: a.code, location: { package: a.package, module: a.module, function: a.function, instruction: a.instruction, functionName: a.functionName } },
    };
  } else if (e.commandArgument) {
    errorDetails = { oneofKind: 'commandArgumentError', commandArgumentError: { argument: e.commandArgument.argument, kind: e.commandArgument.kind } };
  }
  return { success: false, error: { description: e.description, command: e.command === undefined ? undefined : BigInt(e.command), kind: e.kind, errorDetails } };
}

function changedObject(c: ChangedObjectRecord): GrpcTypes.ChangedObject {
  const S = T.ChangedObject_InputObjectState;
  const O = T.ChangedObject_OutputObjectState;
  const I = T.ChangedObject_IdOperation;
  return {
    objectId: c.objectId,
    inputState: c.input ? S.EXISTS : S.DOES_NOT_EXIST,
    inputVersion: c.input?.version,
    inputDigest: c.input?.digest,
    inputOwner: c.input ? owner(c.input.owner) : undefined,
    outputState: !c.output ? O.DOES_NOT_EXIST : c.objectType === 'package' ? O.PACKAGE_WRITE : O.OBJECT_WRITE,
    outputVersion: c.output?.version,
    outputDigest: c.output?.digest,
    outputOwner: c.output ? owner(c.output.owner) : undefined,
    idOperation: c.idOperation === 'created' ? I.CREATED : c.idOperation === 'deleted' ? I.DELETED : I.NONE,
    objectType: c.objectType,
  };
}

export function effectsProto(digest: string, effects: EffectsRecord, events: EventRecord[]): GrpcTypes.TransactionEffects {
  const encoded = effectsBcs(digest, effects, events);
  const changed = effects.changedObjects.map(changedObject);
  return T.TransactionEffects.create({
    bcs: { name: 'TransactionEffects', value: encoded.bytes },
    digest: encoded.digest,
    version: 2,
    status: statusProto(effects.status),
    epoch: effects.epoch,
    gasUsed: effects.gasUsed,
    transactionDigest: digest,
    gasObject: changed.find((c) => c.objectId === effects.gasObjectId),
    eventsDigest: eventsDigest(events) ?? undefined,
    dependencies: effects.dependencies,
    lamportVersion: effects.lamportVersion,
    changedObjects: changed,
    unchangedConsensusObjects: effects.unchangedShared.map((u) => ({
      kind: T.UnchangedConsensusObject_UnchangedConsensusObjectKind.READ_ONLY_ROOT,
      objectId: u.objectId,
      version: u.version,
      digest: u.digest,
      objectType: u.objectType,
    })),
  });
}

export function eventProto(e: EventRecord, extra: Partial<GrpcTypes.Event> = {}): GrpcTypes.Event {
  return T.Event.create({
    packageId: e.packageId,
    module: e.module,
    sender: e.sender,
    eventType: e.type,
    contents: { name: e.type, value: e.bcs },
    json: protoValue(e.json),
    ...extra,
  });
}

const SCHEMES: Record<number, GrpcTypes.SignatureScheme> = { 0x00: T.SignatureScheme.ED25519, 0x01: T.SignatureScheme.SECP256K1, 0x02: T.SignatureScheme.SECP256R1 };

export function signatureProto(sig: Uint8Array): GrpcTypes.UserSignature {
  const scheme = SCHEMES[sig[0]];
  if (scheme === undefined) return T.UserSignature.create({ bcs: { name: 'UserSignatureBytes', value: sig } });
  const pkLength = scheme === T.SignatureScheme.ED25519 ? 32 : 33;
  return T.UserSignature.create({
    bcs: { name: 'UserSignatureBytes', value: sig },
    scheme,
    signature: { oneofKind: 'simple', simple: { scheme, signature: sig.slice(1, 65), publicKey: sig.slice(65, 65 + pkLength) } },
  });
}

/** The whole ExecutedTransaction for a record (checkpoint and timestamp only once it is committed). */
export function executedTransaction(tx: TransactionRecord, opts: { committed: boolean }): GrpcTypes.ExecutedTransaction {
  const transaction = tx.bcs
    ? txToProto(txFromBcs(tx.bcs), tx.bcs, tx.digest)
    : T.Transaction.create({ digest: tx.digest, kind: { kind: T.TransactionKind_Kind.GENESIS, data: { oneofKind: 'genesis', genesis: { objects: [] } } } });
  return T.ExecutedTransaction.create({
    digest: tx.digest,
    transaction,
    signatures: tx.signatures.map(signatureProto),
    effects: effectsProto(tx.digest, tx.effects, tx.events),
    events: { digest: eventsDigest(tx.events) ?? undefined, events: tx.events.map((e) => eventProto(e)) },
    checkpoint: opts.committed ? tx.checkpoint : undefined,
    timestamp: opts.committed ? timestamp(tx.timestampMs) : undefined,
    balanceChanges: tx.balanceChanges,
    transactionIndex: opts.committed ? 0n : undefined,
  });
}
