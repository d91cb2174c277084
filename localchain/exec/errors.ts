/**
 * The two ways a transaction goes wrong. A PrecheckError is what a real node refuses before
 * execution (bad input object, gas, signature): no effects, the RPC fails with
 * INVALID_ARGUMENT. An ExecutionFailure happens during execution: the transaction is committed
 * as failed, its changes are rolled back and gas is still charged.
 */
import { GrpcTypes } from '@mysten/sui/grpc';
import type { ExecutionErrorRecord } from '../chain/types.ts';

export class PrecheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrecheckError';
  }
}

export const ErrorKind = GrpcTypes.ExecutionError_ExecutionErrorKind;
export const ArgErrorKind = GrpcTypes.CommandArgumentError_CommandArgumentErrorKind;

export class ExecutionFailure extends Error {
  constructor(readonly record: ExecutionErrorRecord) {
    super(record.description);
    this.name = 'ExecutionFailure';
  }

  /** A CommandArgumentError for argument `argument` of command `command`. */
  static argument(command: number, argument: number, kind: number, detail: string, index?: { index: number; subresult?: number }): ExecutionFailure {
    const name = ArgErrorKind[kind] ?? 'UNKNOWN';
    return new ExecutionFailure({
      kind: ErrorKind.COMMAND_ARGUMENT_ERROR,
      description: `CommandArgumentError { arg_idx: ${argument}, kind: ${name} } in command ${command}: ${detail}`,
      command,
      commandArgument: { argument, kind },
      index,
    });
  }

  static of(kind: number, command: number | undefined, description: string): ExecutionFailure {
    return new ExecutionFailure({ kind, description, command });
  }
}
