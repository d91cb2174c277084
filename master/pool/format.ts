/**
 * The log line of a pool change, in the seed's words, so operators who know the seed read the same
 * lines. The master logs each `Transition` once, with this as the message and the fields as data.
 */
import type { Transition } from './states.ts';

/** One human line for a transition; never throws. */
export function formatTransition(t: Transition): string {
  const id = t.nodeId;
  if (t.from === null) return `👥 Worker added to pool: ${id} (stake: ${t.stakeMist ?? '?'})`;
  if (t.to === null) return `👋 Worker ${id} left the pool (${t.reason})`;
  if (t.to === 'slashed') return `⚔️ Worker ${id} slashed (${t.reason})`;
  if (t.to === 'offline') return `💀 Worker ${id} marked offline (${t.reason})`;
  return `🔄 Worker ${id} status: ${t.from} → ${t.to}`;
}
