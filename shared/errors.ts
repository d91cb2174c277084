/**
 * The one error base of the project. Callers branch on `code`, never on message text; `retryable`
 * is decided where the error is born (the network edge knows, the caller does not).
 */
export class DaasError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DaasError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** An operator's configuration mistake: printed as one line naming the variable and the fix, never a stack. */
export class ConfigError extends DaasError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super('CONFIG', `${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** True when `err` is a DaasError with this code. */
export function hasCode(err: unknown, code: string): boolean {
  return err instanceof DaasError && err.code === code;
}
