/**
 * What the two server processes (the master and the bare yardstick) share: the IPC handshake with
 * the runner (ready, gc, stop) and the guarantee that they stop by themselves.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { ServerCommand, ServerReply } from './load-protocol.ts';
import { takeProbes } from './probes.ts';

/** Serves `stop`, `gc` and `probes`, exits when the runner goes away or after `maxLifetimeMs`. */
export function serveRunner(name: string, maxLifetimeMs: number, stop: () => Promise<void>): void {
  const send = (msg: ServerReply) => process.send?.(msg);
  const exit = (code: number) => {
    stop().finally(() => process.exit(code));
    setTimeout(() => process.exit(code), 5_000).unref();
  };
  process.on('message', (c: ServerCommand) => {
    if (c.cmd === 'gc') {
      // --expose-gc is passed by the runner. Twice with a pause: V8 returns freed pages to the OS
      // lazily, and the figure wanted is what the process keeps, not what it has not swept yet.
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      setTimeout(() => {
        gc?.();
        const m = process.memoryUsage();
        send({ type: 'gc-done', heapUsedBytes: m.heapUsed, externalBytes: m.external + m.arrayBuffers });
      }, 500);
    } else if (c.cmd === 'probes') send({ type: 'probes', probes: takeProbes() });
    else if (c.cmd === 'profile-start') void startProfile().then(() => send({ type: 'profile-started' }));
    else if (c.cmd === 'profile-stop') void stopProfile(c.file).then(() => send({ type: 'profile-stopped' }));
    else if (c.cmd === 'stop') exit(0);
  });
  process.on('disconnect', () => exit(0));
  setTimeout(() => {
    process.stderr.write(`${name}: lifetime of ${maxLifetimeMs} ms reached, exiting\n`);
    exit(3);
  }, maxLifetimeMs).unref();
}

/** Tells the runner where the server listens. */
export function announceReady(url: string, startMs: number): void {
  process.send?.({ type: 'ready', url, startMs } satisfies ServerReply);
}

// A CPU profile of one phase only (the runner brackets the saturation ladder), through the inspector.
let session: Session | null = null;

async function startProfile(): Promise<void> {
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
}

async function stopProfile(file: string): Promise<void> {
  if (!session) return;
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
  session = null;
}
