/**
 * The two ways a Kubernetes API request fails: the master refuses it (scoping, payload, ownership)
 * before any API call, or the Kubernetes API answers with an error. Each renders as the one line
 * that goes on chain, in kubectl's words where kubectl has them.
 */
import { DaasError } from '../../shared/errors.ts';

/** The master refused the request; nothing was sent to the Kubernetes API. */
export class RequestRefusedError extends DaasError {
  constructor(message: string) {
    super('K8S_REQUEST_REFUSED', message);
    this.name = 'RequestRefusedError';
  }

  /** The on-chain error line: `refused: <why>`. */
  toResultError(): string {
    return `refused: ${this.message}`;
  }
}

/**
 * The Kubernetes API answered with an error status (`status` > 0), or could not be reached or timed
 * out (`status` 0). `reason` is the Status reason (`NotFound`, `AlreadyExists`…).
 */
export class KubeApiError extends DaasError {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super('KUBE_API', message, { cause: options.cause, retryable: status === 0 || status >= 500 });
    this.name = 'KubeApiError';
  }

  /** kubectl's line: `Error from server (NotFound): pods "web" not found`. */
  toResultError(): string {
    if (this.status === 0) return `error: ${this.message}`;
    return `Error from server (${this.reason}): ${this.message}`;
  }
}

/** The error line for the chain of any failure while executing a request. */
export function resultErrorOf(err: unknown): string {
  if (err instanceof RequestRefusedError || err instanceof KubeApiError) return err.toResultError();
  return `error: internal error while executing the request: ${err instanceof Error ? err.message : String(err)}`;
}
