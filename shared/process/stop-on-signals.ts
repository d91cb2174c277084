/**
 * How every long-running program here stops: the first of `signals` logs `message`, runs `stop`
 * once and exits 0 (1 when stopping failed, with the error logged). Further signals during the
 * shutdown are absorbed: the handlers stay (`on`, not `once`), so a second Ctrl-C cannot cut the
 * shutdown short — and execa's signal-exit, which re-raises a signal once no other listener is
 * left, cannot either.
 */
import type { Logger } from 'pino';

export function stopOnSignals(o: { signals: readonly NodeJS.Signals[]; logger: Logger; message: string; stop: () => Promise<void> }): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    o.logger.info({ signal }, o.message);
    o.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        o.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'stopping failed');
        process.exit(1);
      },
    );
  };
  for (const signal of o.signals) process.on(signal, onSignal);
}
