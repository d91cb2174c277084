/**
 * The host facts read once at start — CPU model and cores, the OS, the GPUs — as plain data that
 * crosses from the startup process (startup/prepare.ts, where systeminformation runs; its graphics()
 * runs lspci and nvidia-smi) to the running agent, whose collector sees them through the same
 * SystemInfoApi calls as before. A call that failed there fails here, with its message, so the
 * collector warns about it as it always did.
 */
import type { SystemInfoApi } from './collector.ts';

export type StaticHostApi = Pick<SystemInfoApi, 'cpu' | 'osInfo' | 'graphics'>;

type Answer<K extends keyof StaticHostApi> = Awaited<ReturnType<StaticHostApi[K]>>;
type Settled<T> = { ok: true; value: T } | { ok: false; error: string };

/** The answers of cpu(), osInfo() and graphics(), each a value or the failure's message. */
export type StaticHostFacts = { [K in keyof StaticHostApi]: Settled<Answer<K>> };

/** Asks `si` (systeminformation) once, keeping only the fields the collector reads. Never rejects. */
export async function readStaticHostFacts(si: StaticHostApi): Promise<StaticHostFacts> {
  const [cpu, osInfo, graphics] = await Promise.all([
    settle(si.cpu(), ({ cores, manufacturer, brand }) => ({ cores, manufacturer, brand })),
    settle(si.osInfo(), ({ platform, distro, release, arch, hostname }) => ({ platform, distro, release, arch, hostname })),
    settle(si.graphics(), ({ controllers }) => ({
      controllers: controllers.map(({ model, name, vendor, vram, memoryTotal }) => ({ model, name, vendor, vram, memoryTotal })),
    })),
  ]);
  return { cpu, osInfo, graphics };
}

/** The calls of StaticHostApi answered from `facts` (which may still be on their way). */
export function staticHostApiOf(facts: Promise<StaticHostFacts>): StaticHostApi {
  const answer = async <K extends keyof StaticHostApi>(name: K): Promise<Answer<K>> => {
    const settled = (await facts)[name];
    if (!settled.ok) throw new Error(settled.error);
    return settled.value as Answer<K>;
  };
  return { cpu: () => answer('cpu'), osInfo: () => answer('osInfo'), graphics: () => answer('graphics') };
}

async function settle<T, U>(call: Promise<T>, keep: (value: T) => U): Promise<Settled<U>> {
  try {
    return { ok: true, value: keep(await call) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
