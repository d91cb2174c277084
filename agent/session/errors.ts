/**
 * Why a connection to the master ended, decided here at the network edge (Tailscale's
 * controlclient/errors.go): every end becomes a DaasError whose `code` the retry loop branches on
 * and whose `retryable` says which backoff applies. Three kinds:
 *   - final: revoked (4403 / revoke frame) or replaced (4409): never reconnect in this process;
 *   - retryable: network trouble, master restart, 4400, 4408: the normal reconnect backoff;
 *   - not retryable: 4401, TLS trust/pin failures, a 4xx on the upgrade: retrying soon cannot help,
 *     but an operator can fix it (rotate the key on chain, fix the pin), so the loop keeps trying
 *     on the long backoff and logs the explanation once per streak.
 */
import { CLOSE_CODES, type RevokeReason } from '../../shared/protocol/messages.ts';
import { DaasError } from '../../shared/errors.ts';

export const SESSION_ERRORS = {
  revoked: 'MASTER_REVOKED',
  replaced: 'MASTER_REPLACED',
  authRejected: 'MASTER_AUTH_REJECTED',
  authTimeout: 'MASTER_AUTH_TIMEOUT',
  malformedByMaster: 'MASTER_SAID_MALFORMED',
  protocol: 'MASTER_PROTOCOL_ERROR',
  silent: 'MASTER_SILENT',
  closed: 'MASTER_CLOSED',
  unreachable: 'MASTER_UNREACHABLE',
  httpStatus: 'MASTER_HTTP_STATUS',
  tlsUntrusted: 'MASTER_TLS_UNTRUSTED',
  pinMismatch: 'TLS_PIN_MISMATCH',
  internal: 'SESSION_INTERNAL',
} as const;

/** Why the master revoked this worker; `slashed-or-deregistered` when only close code 4403 said so. */
export type RevocationReason = RevokeReason | 'slashed-or-deregistered';

/** A session end that stops reconnecting for good, carrying the revocation reason. */
export class RevokedError extends DaasError {
  constructor(readonly reason: RevocationReason) {
    super(
      reason === 'replaced' ? SESSION_ERRORS.replaced : SESSION_ERRORS.revoked,
      reason === 'replaced'
        ? 'another agent with this node id connected to the master; this one stops'
        : `the master revoked this worker (${reason})`,
    );
    this.name = 'RevokedError';
  }
}

/** True for the ends after which this process never reconnects. */
export function isFinal(err: DaasError): err is RevokedError {
  return err instanceof RevokedError;
}

/** The end announced by the master's close code (when the agent did not end the connection itself). */
export function classifyClose(code: number, reason: string): DaasError {
  const said = reason ? `: ${reason}` : '';
  switch (code) {
    case CLOSE_CODES.revoked:
      return new RevokedError('slashed-or-deregistered');
    case CLOSE_CODES.replaced:
      return new RevokedError('replaced');
    case CLOSE_CODES.authFailed:
      return new DaasError(
        SESSION_ERRORS.authRejected,
        `the master rejected the seal signature (close ${code}${said}): K8S_DAAS_SEAL_TOKEN does not match the seal_pubkey ` +
          'registered on chain for this node id; fix the token, or rotate the key on chain (rotate_seal_key)',
      );
    case CLOSE_CODES.authTimeout:
      return new DaasError(SESSION_ERRORS.authTimeout, `the master closed: no auth within its deadline (close ${code}${said})`, { retryable: true });
    case CLOSE_CODES.malformed:
      return new DaasError(SESSION_ERRORS.malformedByMaster, `the master found a frame of ours malformed (close ${code}${said})`, { retryable: true });
    default:
      return new DaasError(SESSION_ERRORS.closed, `the master connection closed (code ${code}${said})`, { retryable: true });
  }
}

// Node's certificate verification codes: the host does not trust the master's certificate.
const TLS_TRUST = /^(ERR_TLS_CERT_ALTNAME_INVALID|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_.*|CERT_.*)$/;

/** The end for an error raised while connecting (socket, TLS, HTTP upgrade). */
export function classifyConnectError(err: unknown): DaasError {
  if (err instanceof DaasError) return err; // already decided (e.g. TLS_PIN_MISMATCH from pinning.ts)
  const code = (err as { code?: unknown } | null)?.code;
  const text = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && TLS_TRUST.test(code)) {
    return new DaasError(
      SESSION_ERRORS.tlsUntrusted,
      `the master's TLS certificate is not trusted (${code}): install its CA on this host, or pin it with K8S_DAAS_MASTER_CA_SHA256`,
      { cause: err },
    );
  }
  return new DaasError(SESSION_ERRORS.unreachable, `cannot reach the master: ${text}`, { retryable: true, cause: err });
}

/** The end for an HTTP answer other than 101 to the upgrade: 5xx and 429 retryable, other 4xx not. */
export function classifyHttpStatus(status: number): DaasError {
  const retryable = status >= 500 || status === 429 || status === 408;
  const hint = status === 404 ? ' (is K8S_DAAS_MASTER_URL the master, and does it serve /v1/agent?)' : '';
  return new DaasError(SESSION_ERRORS.httpStatus, `the master answered the WebSocket upgrade with HTTP ${status}${hint}`, { retryable });
}
