/**
 * Chain failures as people read them: a Move abort becomes its constant's name (`EInsufficientStake`)
 * and a sentence saying what to do, whether it came from the build's simulation (SimulationError)
 * or from an executed transaction that failed.
 */
import { SimulationError, type SuiClientTypes } from '@mysten/sui/client';
import { DaasError } from '../errors.ts';
import { ABORT_EXPLANATIONS, abortName, type AbortName } from './abi.ts';

/** A Move abort raised by our package, decoded. `code` is always `MOVE_ABORT`. */
export class MoveAbortError extends DaasError {
  constructor(
    readonly abortName: AbortName | undefined,
    readonly abortCode: number,
    readonly module: string,
    readonly functionName: string | undefined,
    options: { cause?: unknown } = {},
  ) {
    const where = `${module}${functionName ? `::${functionName}` : ''}`;
    const what = abortName ? `${abortName}: ${ABORT_EXPLANATIONS[abortName]}` : `abort code ${abortCode}`;
    super('MOVE_ABORT', `${where} aborted with ${what}`, { cause: options.cause });
    this.name = 'MoveAbortError';
  }
}

/** A transaction that failed on chain for a reason other than a Move abort (gas, object versions…). */
export class TransactionFailedError extends DaasError {
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super('TX_FAILED', message, options);
    this.name = 'TransactionFailedError';
  }
}

/** The error for a failed execution status, decoding a Move abort when there is one. */
export function errorFromExecutionError(error: SuiClientTypes.ExecutionError, cause?: unknown): DaasError {
  if (error.$kind === 'MoveAbort' && error.MoveAbort) {
    const abort = error.MoveAbort;
    const module = abort.location?.module ?? 'unknown';
    const code = Number(abort.abortCode);
    return new MoveAbortError(abortName(module, code), code, module, abort.location?.functionName, { cause: cause ?? error });
  }
  return new TransactionFailedError(`transaction failed: ${error.message}`, { cause: cause ?? error });
}

/**
 * Any error thrown while building, simulating or executing a transaction, as a DaasError: a
 * MoveAbortError for aborts, TransactionFailedError for other execution failures, and a retryable
 * `CHAIN_UNAVAILABLE` for transport errors (the node may be back on the next try).
 */
export function decodeChainError(err: unknown): DaasError {
  if (err instanceof DaasError) return err;
  if (err instanceof SimulationError) {
    if (err.executionError) return errorFromExecutionError(err.executionError, err);
    return new TransactionFailedError(err.message, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  if (isTransportError(err)) {
    return new DaasError('CHAIN_UNAVAILABLE', `the Sui node did not answer: ${message}`, { retryable: true, cause: err });
  }
  return new DaasError('CHAIN_ERROR', message, { cause: err });
}

function isTransportError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && ['UNAVAILABLE', 'DEADLINE_EXCEEDED', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'].includes(code)) {
    return true;
  }
  // The gRPC-web transport turns a failed fetch into RpcError(<undici's message>, 'INTERNAL') and
  // drops the cause: those messages are how a refused, reset or cut connection shows.
  if (err.name === 'RpcError' && code === 'INTERNAL' && FETCH_FAILURES.test(err.message)) return true;
  const cause = (err as { cause?: unknown }).cause;
  return err.name === 'TypeError' && FETCH_FAILURES.test(err.message) ? true : cause instanceof Error && isTransportError(cause);
}

const FETCH_FAILURES = /^(fetch failed|terminated|other side closed|socket hang up)\b/;
