/**
 * The master session's lifecycle, one documented string union and its allowed moves (Temporal's
 * worker state). session.ts owns the single transition function that checks and logs them.
 *
 *   idle ─start()─▶ connecting ─challenge─▶ challenged ─auth sent─▶ authenticating
 *   authenticating ─pending─▶ pending ─welcome─▶ welcomed        (authenticating ─welcome─▶ welcomed)
 *   connecting…welcomed ─socket closed─▶ closed ─▶ backoff ─delay elapsed─▶ connecting
 *   connecting…welcomed ─revoke frame, close 4403 or 4409─▶ revoked          (final for this process)
 *   any ─stop()─▶ stopped
 */
import { DaasError } from '../../shared/errors.ts';

export type SessionState =
  | 'idle'
  | 'connecting'
  | 'challenged'
  | 'authenticating'
  | 'pending'
  | 'welcomed'
  | 'closed'
  | 'backoff'
  | 'revoked'
  | 'stopped';

const LIVE: readonly SessionState[] = ['closed', 'revoked', 'stopped'];

export const ALLOWED_MOVES: Readonly<Record<SessionState, readonly SessionState[]>> = {
  idle: ['connecting', 'stopped'],
  connecting: ['challenged', ...LIVE],
  challenged: ['authenticating', ...LIVE],
  authenticating: ['pending', 'welcomed', ...LIVE],
  pending: ['welcomed', ...LIVE],
  welcomed: LIVE,
  closed: ['backoff', 'stopped'],
  backoff: ['connecting', 'stopped'],
  revoked: ['stopped'],
  stopped: [],
};

/** States with a socket that may be open. */
export function isConnectedState(state: SessionState): boolean {
  return state === 'connecting' || state === 'challenged' || state === 'authenticating' || state === 'pending' || state === 'welcomed';
}

/** Thrown for a move the table does not allow; names both states (a bug, never retryable). */
export class IllegalSessionStateError extends DaasError {
  constructor(from: SessionState, to: SessionState | string) {
    super('SESSION_ILLEGAL_STATE', `master session cannot go from ${from} to ${to}`);
    this.name = 'IllegalSessionStateError';
  }
}
