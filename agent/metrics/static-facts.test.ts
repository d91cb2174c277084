import { serialize, deserialize } from 'node:v8';
import * as si from 'systeminformation';
import { describe, expect, it } from 'vitest';
import { readStaticHostFacts, staticHostApiOf, type StaticHostApi } from './static-facts.ts';

describe('static host facts', () => {
  it('answer cpu(), osInfo() and graphics() after crossing a process boundary as systeminformation did', async () => {
    const facts = await readStaticHostFacts(si);
    // what the IPC channel ('advanced' serialization) does to them
    const api = staticHostApiOf(Promise.resolve(deserialize(serialize(facts))));
    const [cpu, os] = await Promise.all([si.cpu(), si.osInfo()]);
    expect(await api.cpu()).toEqual({ cores: cpu.cores, manufacturer: cpu.manufacturer, brand: cpu.brand });
    expect(await api.osInfo()).toEqual({ platform: os.platform, distro: os.distro, release: os.release, arch: os.arch, hostname: os.hostname });
    expect(Array.isArray((await api.graphics()).controllers)).toBe(true);
  });

  it('keep a failure as its message, and fail the same call again on the other side', async () => {
    const broken: StaticHostApi = {
      cpu: () => Promise.reject(new Error('no /proc/cpuinfo')),
      osInfo: async () => ({ platform: 'linux', distro: 'Ubuntu', release: '24.04', arch: 'x64', hostname: 'w1' }),
      graphics: async () => ({ controllers: [{ vendor: 'NVIDIA Corporation', model: 'A100', vram: 40960 }] }),
    };
    const facts = await readStaticHostFacts(broken);
    expect(facts.cpu).toEqual({ ok: false, error: 'no /proc/cpuinfo' });
    const api = staticHostApiOf(Promise.resolve(facts));
    await expect(api.cpu()).rejects.toThrow('no /proc/cpuinfo');
    expect(await api.graphics()).toEqual({ controllers: [{ vendor: 'NVIDIA Corporation', model: 'A100', vram: 40960, name: undefined, memoryTotal: undefined }] });
  });

  it('fail every call when the facts never came (the startup step died)', async () => {
    const api = staticHostApiOf(Promise.reject(new Error('the startup step exited with code 1')));
    await expect(api.osInfo()).rejects.toThrow(/startup step/);
  });
});
