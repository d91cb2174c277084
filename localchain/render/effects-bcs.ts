/**
 * TransactionEffects (V2) and TransactionEvents as BCS, with their digests. The SDK's caching
 * executors (SerialTransactionExecutor, ParallelTransactionExecutor) parse `effects.bcs` to learn
 * new object versions, so these bytes must follow Sui's layout exactly.
 */
import { bcs, TypeTagSerializer } from '@mysten/sui/bcs';
import { GrpcTypes } from '@mysten/sui/grpc';
import { taggedDigest } from '../chain/ids.ts';
import type { EffectsRecord, EventRecord, ExecutionErrorRecord, ObjectOwner } from '../chain/types.ts';

const EventLayout = bcs.struct('Event', {
  packageId: bcs.Address,
  transactionModule: bcs.string(),
  sender: bcs.Address,
  type: bcs.StructTag,
  contents: bcs.byteVector(),
});
const TransactionEventsLayout = bcs.struct('TransactionEvents', { data: bcs.vector(EventLayout) });

function structTag(type: string) {
  const tag = TypeTagSerializer.parseFromStr(type, true);
  if (!('struct' in tag)) throw new Error(`${type} is not a struct`);
  return tag.struct;
}

/** Digest of a transaction's events, or null when it emitted none (as in Sui's effects). */
export function eventsDigest(events: EventRecord[]): string | null {
  if (events.length === 0) return null;
  const bytes = TransactionEventsLayout.serialize({
    data: events.map((e) => ({ packageId: e.packageId, transactionModule: e.module, sender: e.sender, type: structTag(e.type), contents: e.bcs })),
  }).toBytes();
  return taggedDigest('TransactionEvents', bytes);
}

function owner(o: ObjectOwner) {
  if (o.kind === 'address') return { AddressOwner: o.address };
  if (o.kind === 'shared') return { Shared: { initialSharedVersion: o.initialVersion } };
  return { Immutable: true };
}

const { ExecutionError_ExecutionErrorKind: K, CommandArgumentError_CommandArgumentErrorKind: A } = GrpcTypes;

/** Proto enum name → BCS variant name: TYPE_MISMATCH → TypeMismatch, INVALID_BCS_BYTES → InvalidBCSBytes. */
function variant(name: string): string {
  const special: Record<string, string> = { INVALID_BCS_BYTES: 'InvalidBCSBytes', CONSENSUS_OBJECT_OPERATION_NOT_ALLOWED: 'SharedObjectOperationNotAllowed', VM_INVARIANT_VIOLATION: 'VMInvariantViolation' };
  return special[name] ?? name.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
}

function failure(e: ExecutionErrorRecord): Record<string, unknown> {
  if (e.kind === K.MOVE_ABORT && e.abort) {
    const a = e.abort;
    return { MoveAbort: [{ module: { address: a.package, name: a.module }, function: a.function, instruction: a.instruction, functionName: a.functionName }, a.code] };
  }
  if (e.kind === K.COMMAND_ARGUMENT_ERROR && e.commandArgument) {
    const name = variant(A[e.commandArgument.kind] ?? 'TYPE_MISMATCH');
    const withIndex: Record<string, unknown> = {
      IndexOutOfBounds: { idx: e.index?.index ?? 0 },
      SecondaryIndexOutOfBounds: { resultIdx: e.index?.index ?? 0, secondaryIdx: e.index?.subresult ?? 0 },
      InvalidResultArity: { resultIdx: e.index?.index ?? 0 },
    };
    return { CommandArgumentError: { argIdx: e.commandArgument.argument, kind: { [name]: withIndex[name] ?? true } } };
  }
  if (e.kind === K.UNUSED_VALUE_WITHOUT_DROP) return { UnusedValueWithoutDrop: { resultIdx: e.index?.index ?? 0, secondaryIdx: e.index?.subresult ?? 0 } };
  const simple = variant(K[e.kind] ?? 'INVARIANT_VIOLATION');
  return { [simple]: true };
}

/** TransactionEffects::V2 BCS and its digest. */
export function effectsBcs(digest: string, effects: EffectsRecord, events: EventRecord[]): { bytes: Uint8Array; digest: string } {
  const changed = effects.changedObjects;
  const gasIndex = effects.gasObjectId ? changed.findIndex((c) => c.objectId === effects.gasObjectId) : -1;
  const status = effects.status.success ? { Success: true } : { Failure: { error: failure(effects.status.error), command: effects.status.error.command ?? null } };
  const bytes = bcs.TransactionEffects.serialize({
    V2: {
      status,
      executedEpoch: effects.epoch,
      gasUsed: effects.gasUsed,
      transactionDigest: digest,
      gasObjectIndex: gasIndex >= 0 ? gasIndex : null,
      eventsDigest: eventsDigest(events),
      dependencies: effects.dependencies,
      lamportVersion: effects.lamportVersion,
      changedObjects: changed.map((c) => [
        c.objectId,
        {
          inputState: c.input ? { Exist: [[c.input.version, c.input.digest], owner(c.input.owner)] } : { NotExist: true },
          outputState: !c.output
            ? { NotExist: true }
            : c.objectType === 'package'
              ? { PackageWrite: [c.output.version, c.output.digest] }
              : { ObjectWrite: [c.output.digest, owner(c.output.owner)] },
          idOperation: c.idOperation === 'created' ? { Created: true } : c.idOperation === 'deleted' ? { Deleted: true } : { None: true },
        },
      ]),
      unchangedConsensusObjects: effects.unchangedShared.map((u) => [u.objectId, { ReadOnlyRoot: [u.version, u.digest] }]),
      auxDataDigest: null,
    },
  } as never).toBytes();
  return { bytes, digest: taggedDigest('TransactionEffects', bytes) };
}
