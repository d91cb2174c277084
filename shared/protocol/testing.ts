/** Protocol fixtures for tests: a heartbeat as a real agent sends it, every field filled in. */
export const SAMPLE_HEARTBEAT = {
  type: 'heartbeat',
  seq: 3,
  sentAt: 1_700_000_000_000,
  metrics: {
    cpu: { cores: 8, model: 'AMD EPYC', loadPercent: 12.5 },
    memory: { totalBytes: 16e9, usedBytes: 4e9 },
    disk: { totalBytes: 100e9, usedBytes: 20e9 },
    network: { rxBytesPerSec: 1000, txBytesPerSec: 200 },
    uptimeSec: 3600,
    os: { platform: 'linux', distro: 'Ubuntu', release: '24.04', arch: 'x64', hostname: 'w1' },
    gpus: [{ model: 'A100', vendor: 'NVIDIA', vramMb: 40960 }],
  },
  k3s: { state: 'running', pid: 1234, restarts: 0, lastError: null },
};
