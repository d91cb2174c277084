/**
 * MoveCall into the k8s_daas package: arguments are checked and decoded by the function's
 * `params` (move/types.ts), the Move mirror runs on the session's package state, and its result
 * becomes PTB values (returned coins, pure returns), objects (StakeProofs) and events. A
 * MoveAbortError becomes the MoveAbort failure a real node reports (notes §3).
 */
import { EVENT_LAYOUTS, StakeProof } from '../../shared/chain/events.ts';
import { PACKAGE_FUNCTIONS } from '../move/package.ts';
import { MoveAbortError, type MoveFunction, type ParamKind, type StakeProofData } from '../move/types.ts';
import { CLOCK_ID, SUI_COIN_TYPE } from '../chain/ids.ts';
import { coinContents } from '../chain/objects.ts';
import { packageType, registryContents, schedulerContents } from '../chain/package-objects.ts';
import { renderEvent } from '../render/move-json.ts';
import { ArgErrorKind, ErrorKind, ExecutionFailure } from './errors.ts';
import { encodePure } from './pure.ts';
import type { CommandOutput, Session, Slot } from './session.ts';
import type { Arg, TxCommand } from './tx-data.ts';

type MoveCallCommand = Extract<TxCommand, { kind: 'moveCall' }>;

/** Index of a function within its module, in declaration order (MoveLocation.function). */
function functionIndex(fn: MoveFunction): number {
  return [...PACKAGE_FUNCTIONS.values()].filter((f) => f.module === fn.module).indexOf(fn);
}

function decodeArg(s: Session, p: ParamKind, arg: Arg, index: number, i: number): unknown {
  const { registryId, schedulerId, packageId } = s.ctx;
  switch (p.kind) {
    case 'shared':
      s.shared(arg, index, i, p.type === 'WorkerRegistry' ? registryId : schedulerId, p.mutable);
      return undefined;
    case 'clock':
      s.shared(arg, index, i, CLOCK_ID, false);
      return undefined;
    case 'masterCap':
      s.borrowObject(arg, index, i, packageType(packageId, 'MasterCap'));
      return true;
    case 'stakeProof': {
      const type = packageType(packageId, 'StakeProof');
      const proof = s.takeObject(arg, index, i, false);
      if (proof.type !== type) throw ExecutionFailure.argument(index, i, ArgErrorKind.TYPE_MISMATCH, `expected ${type}, got ${proof.type}`);
      proof.deleted = true;
      const data = StakeProof.parse(proof.contents);
      return { node_id: data.node_id, owner: data.owner, stake_amount: BigInt(data.stake_amount), staked_at: BigInt(data.staked_at) } satisfies StakeProofData;
    }
    case 'coin': {
      const coin = s.takeObject(arg, index, i, false);
      if (coin.balance === null) throw ExecutionFailure.argument(index, i, ArgErrorKind.TYPE_MISMATCH, `expected Coin<SUI>, got ${coin.type}`);
      coin.deleted = true;
      return coin.balance;
    }
    case 'pure':
      return s.pure(arg, index, i, p.type);
  }
}

function abortFailure(s: Session, err: MoveAbortError, fn: MoveFunction, index: number): ExecutionFailure {
  const pkg = s.ctx.packageId;
  const fnIndex = functionIndex(fn);
  return new ExecutionFailure({
    kind: ErrorKind.MOVE_ABORT,
    command: index,
    description:
      `MoveAbort(MoveLocation { module: ModuleId { address: ${pkg.slice(2)}, name: Identifier("${err.module}") }, ` +
      `function: ${fnIndex}, instruction: 0, function_name: Some("${err.functionName}") }, ${err.code}) in command ${index}`,
    abort: { code: BigInt(err.code), package: pkg, module: err.module, functionName: err.functionName, function: fnIndex, instruction: 0 },
  });
}

export function moveCall(s: Session, cmd: MoveCallCommand, index: number): Slot[] {
  const fn = cmd.package === s.ctx.packageId ? PACKAGE_FUNCTIONS.get(`${cmd.module}::${cmd.function}`) : undefined;
  if (!fn) {
    throw ExecutionFailure.of(ErrorKind.FUNCTION_NOT_FOUND, index, `FunctionNotFound: ${cmd.package}::${cmd.module}::${cmd.function} does not exist in the k8s_daas package`);
  }
  if (cmd.typeArguments.length > 0) {
    throw ExecutionFailure.of(ErrorKind.TYPE_ARITY_MISMATCH, index, `TypeArityMismatch: ${cmd.module}::${cmd.function} takes no type arguments`);
  }
  if (cmd.arguments.length !== fn.params.length) {
    throw ExecutionFailure.of(ErrorKind.ARITY_MISMATCH, index, `ArityMismatch: ${cmd.module}::${cmd.function} takes ${fn.params.length} arguments, got ${cmd.arguments.length}`);
  }
  const args = fn.params.map((p, i) => decodeArg(s, p, cmd.arguments[i], index, i));

  let result;
  try {
    result = fn.call(s.packageState, { sender: s.ctx.sender, nowMs: s.ctx.nowMs }, args);
  } catch (err) {
    if (err instanceof MoveAbortError) throw abortFailure(s, err, fn, index);
    throw ExecutionFailure.of(ErrorKind.VM_INVARIANT_VIOLATION, index, `VMInvariantViolation in ${cmd.module}::${cmd.function}: ${(err as Error).message}`);
  }

  for (const ev of result.events) {
    const bytes = EVENT_LAYOUTS[ev.name][1].serialize(ev.fields as never).toBytes();
    s.events.push({
      packageId: s.ctx.packageId,
      module: cmd.module,
      sender: s.ctx.sender,
      type: `${s.ctx.packageId}::${ev.module}::${ev.name}`,
      bcs: bytes,
      json: renderEvent(ev.name, bytes),
    });
  }
  for (const t of result.transfers) {
    const id = s.newId();
    s.create(
      {
        id,
        type: packageType(s.ctx.packageId, 'StakeProof'),
        balance: null,
        contents: StakeProof.serialize({ id, ...t.data }).toBytes(),
        hasPublicTransfer: true,
        owner: { kind: 'address', address: t.to },
      },
      index,
      -1,
    );
  }

  const output: CommandOutput = { returnValues: [], mutatedByRef: [] };
  const slots = fn.returns.map((r, sub): Slot => {
    if (r.kind === 'coin') {
      const balance = result.returns[sub] as bigint;
      const coin = s.create({ id: s.newId(), type: SUI_COIN_TYPE, balance, contents: new Uint8Array(), hasPublicTransfer: true }, index, sub);
      output.returnValues.push(coinContents(coin.id, balance));
      return { val: { t: 'object', id: coin.id }, moved: false };
    }
    const bytes = encodePure(r.type, result.returns[sub]);
    output.returnValues.push(bytes);
    return { val: { t: 'pure', bytes, type: r.type }, moved: false };
  });
  fn.params.forEach((p, i) => {
    if (p.kind !== 'shared' || !p.mutable) return;
    const id = p.type === 'WorkerRegistry' ? s.ctx.registryId : s.ctx.schedulerId;
    const bytes = p.type === 'WorkerRegistry' ? registryContents(id, s.packageState) : schedulerContents(id, s.packageState);
    output.mutatedByRef.push({ arg: cmd.arguments[i], bytes });
  });
  s.outputs.push(output);
  return slots;
}
