/**
 * The curl-piped installer end to end: a real master (local chain) serves scripts/install.sh and a
 * freshly built agent bundle over loopback; `curl -sfL …/install.sh | … sh -s -` (real curl, real
 * sh) installs into a temporary INSTALL_K8S_DAAS_ROOT; then the installed agent joins the pool.
 * Needs curl, shellcheck and systemd-analyze (Debian: curl, shellcheck, systemd).
 */
import { execa, type ResultPromise } from 'execa';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadRoutes } from '../master/downloads/routes.ts';
import { BUNDLE_NAME, buildAgentBundle, sha256 } from '../scripts/build-agent-bundle.ts';
import { agentConfigSchema } from '../agent/config/schema.ts';
import { masterConfigSchema } from '../master/config.ts';
import { sealPublicKey } from '../shared/chain/seal-key.ts';
import { parseEnvFile } from '../shared/config/env-file.ts';
import { FAKE_K3S, FAST_FAKE_ENV, readRecord } from './fixtures/fake-k3s-harness.ts';
import { startChainFixture, type ChainFixture } from './helpers/chain.ts';
import { NODE_TOKEN, startTestMaster, type MasterFixture } from './helpers/master.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const INSTALL_SH = join(REPO, 'scripts', 'install.sh');
const LIB = '/usr/local/lib/k8s-daas-agent';
const UNIT = '/etc/systemd/system/k8s-daas-agent.service';
const UNINSTALL = '/usr/local/bin/k8s-daas-agent-uninstall.sh';
const EXTRA_ARGS = "--node-ip 127.0.0.1 --kubelet-arg 'max-pods=50'";

let work: string;
let dist: string;
let fx: ChainFixture;
let m: MasterFixture;
let root: string;
let vars: Record<string, string>;
let firstRun = '';
const agents: ResultPromise[] = [];

/** Fails (never skips) when a tool the checks need is missing, naming its Debian package. */
async function requireTool(command: string, debianPackage: string): Promise<void> {
  const found = await execa('sh', ['-c', `command -v ${command}`], { reject: false });
  if (found.exitCode !== 0) throw new Error(`${command} is not installed: apt-get install -y ${debianPackage}`);
}

/** `curl -sfL <master>/install.sh | <vars> sh -s -`, with nothing else in the environment. */
function install(vars: Record<string, string>) {
  return execa('sh', ['-c', `curl -sfL ${m.master.url}/install.sh | sh -s -`], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...vars },
    extendEnv: false,
    reject: false,
    all: true,
  });
}

const at = (path: string, base = root) => join(base, path);
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');
const read = (path: string) => readFileSync(path, 'utf8');

/** A copy of the host's system units below `dir`, so `systemd-analyze verify --root` finds the targets a unit names. */
function withSystemUnits(dir: string): void {
  const host = ['/usr/lib/systemd/system', '/lib/systemd/system'].find((d) => existsSync(join(d, 'sysinit.target')));
  if (!host) throw new Error('no systemd unit directory with sysinit.target on this host: apt-get install -y systemd');
  mkdirSync(join(dir, 'usr/lib/systemd'), { recursive: true });
  cpSync(host, join(dir, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
}

/** `systemd-analyze verify` of `unit` as installed below `dir`: clean means exit 0 and nothing on stderr. */
async function verifyUnit(dir: string, unit: string) {
  const r = await execa('systemd-analyze', ['verify', '--man=no', `--root=${dir}`, unit], { reject: false });
  return { exitCode: r.exitCode, stderr: String(r.stderr) };
}

beforeAll(async () => {
  await requireTool('curl', 'curl');
  await requireTool('shellcheck', 'shellcheck');
  await requireTool('systemd-analyze', 'systemd');
  work = mkdtempSync(join(tmpdir(), 'k8s-daas-installer-'));
  dist = join(work, 'dist');
  // Both builds before the master starts: bundling and gzip block the event loop for a while.
  await buildAgentBundle(dist);
  await buildAgentBundle(join(work, 'dist-again'));
  fx = await startChainFixture();
  m = await startTestMaster(fx, { extraRoutes: () => downloadRoutes({ distDir: dist, installScript: INSTALL_SH }) });
  root = join(work, 'root');
  mkdirSync(root);
  const key = await fx.fundedKey();
  const i = fx.local.info;
  vars = {
    K8S_DAAS_MASTER_URL: m.master.url.replace('http://', 'ws://'),
    K8S_DAAS_NODE_ID: 'installed-worker-1',
    SUI_RPC_URL: i.rpcUrl,
    K8S_DAAS_PACKAGE_ID: i.packageId,
    K8S_DAAS_REGISTRY_ID: i.registryId,
    K8S_DAAS_SCHEDULER_ID: i.schedulerId,
    SUI_PRIVATE_KEY: key.getSecretKey(),
    K8S_DAAS_STATE_DIR: join(root, 'var/lib/k8s-daas-agent'),
    K3S_BIN: FAKE_K3S,
    K3S_EXTRA_ARGS: EXTRA_ARGS,
    INSTALL_K8S_DAAS_ROOT: root,
    INSTALL_K8S_DAAS_SKIP_START: 'true',
    INSTALL_K8S_DAAS_INIT: 'systemd',
  };
}, 240_000);

afterAll(async () => {
  for (const a of agents) a.kill('SIGKILL');
  await m?.master.close();
  await fx?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('agent bundle', () => {
  it('is reproducible, holds bin/lib/VERSION with fixed owners and times, and runs', async () => {
    const again = join(work, 'dist-again');
    const tgz = readFileSync(join(dist, BUNDLE_NAME));
    expect(readFileSync(join(again, BUNDLE_NAME)).equals(tgz)).toBe(true);
    expect(read(join(dist, `${BUNDLE_NAME}.sha256`))).toBe(`${sha256(tgz)}  ${BUNDLE_NAME}\n`);
    expect((await execa('sha256sum', ['-c', `${BUNDLE_NAME}.sha256`], { cwd: dist })).stdout).toBe(`${BUNDLE_NAME}: OK`);

    const listing = (await execa('tar', ['-tvzf', join(dist, BUNDLE_NAME)])).stdout.split('\n');
    expect(listing.map((l) => l.split(/\s+/).slice(0, 2).concat(l.split(/\s+/).slice(-1)))).toEqual([
      ['drwxr-xr-x', 'root/root', 'k8s-daas-agent/'],
      ['-rw-r--r--', 'root/root', 'k8s-daas-agent/VERSION'],
      ['drwxr-xr-x', 'root/root', 'k8s-daas-agent/bin/'],
      ['-rwxr-xr-x', 'root/root', 'k8s-daas-agent/bin/k8s-daas-agent'],
      ['drwxr-xr-x', 'root/root', 'k8s-daas-agent/lib/'],
      ['-rw-r--r--', 'root/root', 'k8s-daas-agent/lib/agent.mjs'],
    ]);
    expect(listing.every((l) => l.includes('1970-01-01'))).toBe(true);

    const x = join(work, 'extracted');
    mkdirSync(x);
    await execa('tar', ['-xzf', join(dist, BUNDLE_NAME), '-C', x]);
    const token = (await execa('node', [join(x, 'k8s-daas-agent/lib/agent.mjs'), 'new-seal-token'])).stdout.trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    // The wrapper finds lib/ through a symlink, as from /usr/local/bin.
    await execa('ln', ['-s', join(x, 'k8s-daas-agent/bin/k8s-daas-agent'), join(x, 'link')]);
    const pub = await execa(join(x, 'link'), ['seal-pubkey'], { env: { K8S_DAAS_SEAL_TOKEN: token } });
    expect(pub.stdout).toBe(`0x${Buffer.from(sealPublicKey(token)).toString('hex')}`);
    expect(read(join(x, 'k8s-daas-agent/VERSION'))).toMatch(/^\d+\.\d+\.\d+\+[0-9a-f]{12}\n$/);
  }, 120_000);
});

describe('install.sh', () => {
  it('installs from the master over curl | sh: bundle, command, env file, unit, uninstall script', async () => {
    const r = await install(vars);
    firstRun = String(r.all);
    expect(r.exitCode, firstRun).toBe(0);
    expect(firstRun).toContain(`Downloading bundle ${m.master.url}/dist/k8s-daas-agent.tgz`);
    expect(firstRun).toContain('Skipping service start (INSTALL_K8S_DAAS_SKIP_START=true)');

    expect(mode(at('/etc/k8s-daas'))).toBe('0700');
    expect(mode(at('/etc/k8s-daas/agent.env'))).toBe('0600');
    expect(mode(at('/etc/k8s-daas/seal-token'))).toBe('0600');
    expect(mode(at(UNIT))).toBe('0644');
    expect(mode(at('/usr/local/bin/k8s-daas-agent'))).toBe('0755');
    expect(mode(at(UNINSTALL))).toBe('0755');
    expect(mode(at(`${LIB}/lib/agent.mjs`))).toBe('0644');
    expect(read(at(`${LIB}/BUNDLE.sha256`))).toBe(read(join(dist, `${BUNDLE_NAME}.sha256`)));
    expect(readlinkSync(at('/etc/systemd/system/multi-user.target.wants/k8s-daas-agent.service'))).toBe(UNIT);

    // The seal token was generated, stored, printed once, and its public key shown.
    const token = read(at('/etc/k8s-daas/seal-token')).trim();
    expect(firstRun).toContain(`K8S_DAAS_SEAL_TOKEN=${token}`);
    expect(firstRun).toContain(`Seal public key: 0x${Buffer.from(sealPublicKey(token)).toString('hex')}`);

    expect(read(at('/etc/k8s-daas/agent.env')).split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([
      `K8S_DAAS_MASTER_URL=${vars.K8S_DAAS_MASTER_URL}`,
      'K8S_DAAS_NODE_ID=installed-worker-1',
      `SUI_RPC_URL=${vars.SUI_RPC_URL}`,
      `K8S_DAAS_PACKAGE_ID=${vars.K8S_DAAS_PACKAGE_ID}`,
      `K8S_DAAS_REGISTRY_ID=${vars.K8S_DAAS_REGISTRY_ID}`,
      `K8S_DAAS_SCHEDULER_ID=${vars.K8S_DAAS_SCHEDULER_ID}`,
      'K8S_DAAS_SEAL_TOKEN_FILE=/etc/k8s-daas/seal-token',
      `SUI_PRIVATE_KEY=${vars.SUI_PRIVATE_KEY}`,
      `K8S_DAAS_STATE_DIR=${vars.K8S_DAAS_STATE_DIR}`,
      `K3S_BIN=${FAKE_K3S}`,
      `K3S_EXTRA_ARGS="${EXTRA_ARGS}"`,
    ]);

    const unit = read(at(UNIT));
    for (const line of ['Type=simple', 'Restart=always', 'RestartSec=5s', 'Wants=network-online.target', 'After=network-online.target', 'KillMode=mixed', 'TimeoutStopSec=60s', 'Delegate=yes', 'WantedBy=multi-user.target', 'ExecStart=/usr/local/bin/k8s-daas-agent run --env-file /etc/k8s-daas/agent.env']) {
      expect(unit.split('\n'), line).toContain(line);
    }
    // The env file holds the owner key: k3s must not inherit it through EnvironmentFile=.
    expect(unit).not.toMatch(/^EnvironmentFile=-?\/etc\/k8s-daas/m);
    expect(read(at('/usr/local/bin/k8s-daas-agent'))).toContain(`exec '${process.execPath}' '${LIB}/lib/agent.mjs' "$@"`);
  }, 120_000);

  it('run again with the same variables: downloads nothing, writes nothing, restarts nothing, and says so', async () => {
    const watched = [UNIT, '/etc/k8s-daas/agent.env', '/etc/k8s-daas/seal-token', `${LIB}/lib/agent.mjs`, '/usr/local/bin/k8s-daas-agent'];
    const before = watched.map((p) => statSync(at(p)).mtimeMs);
    const r = await install(vars);
    const out = String(r.all);
    expect(r.exitCode, out).toBe(0);
    expect(out).toMatch(/Skipping download, installed agent .* matches hash [0-9a-f]{64}/);
    expect(out).toContain('No change detected in the agent, its command, service or configuration');
    expect(out).not.toContain('Writing');
    expect(out).not.toContain(read(at('/etc/k8s-daas/seal-token')).trim());
    expect(watched.map((p) => statSync(at(p)).mtimeMs)).toEqual(before);
  }, 120_000);

  it('refuses a bundle that does not match the published checksum, and leaves the install alone', async () => {
    const sumFile = join(dist, `${BUNDLE_NAME}.sha256`);
    const good = read(sumFile);
    const installed = sha256(readFileSync(at(`${LIB}/lib/agent.mjs`)));
    writeFileSync(sumFile, `${'0'.repeat(64)}  ${BUNDLE_NAME}\n`);
    try {
      const r = await install(vars);
      expect(r.exitCode).toBe(1);
      expect(String(r.all)).toMatch(/\[ERROR\] +Download sha256 does not match 0{64}, got [0-9a-f]{64}: refusing to install it/);
    } finally {
      writeFileSync(sumFile, good);
    }
    expect(sha256(readFileSync(at(`${LIB}/lib/agent.mjs`)))).toBe(installed);
    expect(read(at(`${LIB}/BUNDLE.sha256`))).toBe(good);
  }, 120_000);

  it('refuses unsafe or incomplete settings before touching anything', async () => {
    const empty = mkdtempSync(join(work, 'refused-'));
    const base = { ...vars, INSTALL_K8S_DAAS_ROOT: empty };
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ K8S_DAAS_MASTER_URL: 'ws://10.1.2.3:8080' }, /ws:\/\/ to 10\.1\.2\.3 would send the join token unencrypted/],
      [{ K8S_DAAS_MASTER_URL: 'https://master.example.com' }, /must be a wss:\/\/ URL .* write wss:\/\/master\.example\.com/],
      [{ K8S_DAAS_NODE_ID: 'Bad_Node' }, /K8S_DAAS_NODE_ID must be a Kubernetes node name/],
      [{ SUI_PRIVATE_KEY: '' }, /No key to register this worker with.*INSTALL_K8S_DAAS_PREREGISTERED=true/s],
      [{ K8S_DAAS_SEAL_TOKEN: 'too-short' }, /K8S_DAAS_SEAL_TOKEN must be one line of at least 32 characters/],
      [{ INSTALL_K8S_DAAS_INIT: 'upstart' }, /INSTALL_K8S_DAAS_INIT must be systemd or openrc/],
      [{ INSTALL_K8S_DAAS_NODE: '/nonexistent/node' }, /Node\.js >= 20\.19 is required.*nodejs\.org/s],
    ];
    for (const [change, message] of cases) {
      const r = await install({ ...base, ...change });
      expect({ change, exitCode: r.exitCode }).toEqual({ change, exitCode: 1 });
      expect(String(r.all)).toMatch(message);
    }
    expect((await execa('find', [empty, '-mindepth', '1'])).stdout).toBe('');
  }, 120_000);

  it('is shellcheck-clean, and so is the uninstall script it writes', async () => {
    for (const file of [INSTALL_SH, at(UNINSTALL)]) {
      const r = await execa('shellcheck', ['-s', 'sh', file], { reject: false });
      expect({ file, exitCode: r.exitCode, out: r.stdout }).toEqual({ file, exitCode: 0, out: '' });
    }
  });

  it('writes a unit that systemd-analyze verify accepts, and so is the master unit', async () => {
    withSystemUnits(root);
    expect(await verifyUnit(root, UNIT)).toEqual({ exitCode: 0, stderr: '' });
    // The check is real: a bad directive in a copy is reported.
    const broken = join(work, 'broken-root');
    mkdirSync(join(broken, 'etc/systemd/system'), { recursive: true });
    withSystemUnits(broken);
    cpSync(at('/usr/local/bin'), join(broken, 'usr/local/bin'), { recursive: true });
    writeFileSync(join(broken, UNIT), read(at(UNIT)).replace('KillMode=mixed', 'KillMode=sometimes'));
    expect((await verifyUnit(broken, UNIT)).stderr).toMatch(/k8s-daas-agent\.service:\d+: Failed to parse kill mode/);

    // The master unit, with its ExecStart executable present below the root.
    const masterRoot = join(work, 'master-root');
    mkdirSync(join(masterRoot, 'etc/systemd/system'), { recursive: true });
    mkdirSync(join(masterRoot, 'usr/bin'), { recursive: true });
    withSystemUnits(masterRoot);
    writeFileSync(join(masterRoot, 'usr/bin/node'), '#!/bin/sh\n', { mode: 0o755 });
    cpSync(join(REPO, 'packaging/k8s-daas-master.service'), join(masterRoot, 'etc/systemd/system/k8s-daas-master.service'));
    expect(await verifyUnit(masterRoot, '/etc/systemd/system/k8s-daas-master.service')).toEqual({ exitCode: 0, stderr: '' });
  }, 120_000);

  it('the installed agent, started with the written env file, becomes active in the master pool', async () => {
    const record = join(work, 'k3s-starts.jsonl');
    const agent = execa('node', [at(`${LIB}/lib/agent.mjs`), 'run', '--env-file', at('/etc/k8s-daas/agent.env')], {
      // Only what the service would not have: the token file's path below the test root, and the fake's script.
      env: { PATH: process.env.PATH ?? '', K8S_DAAS_SEAL_TOKEN_FILE: at('/etc/k8s-daas/seal-token'), FAKE_K3S_EXPECT_TOKEN: NODE_TOKEN, FAKE_K3S_RECORD: record, ...FAST_FAKE_ENV },
      extendEnv: false,
      reject: false,
      all: true,
    });
    agents.push(agent);
    let output = '';
    let exited = false;
    agent.all?.on('data', (c: Buffer) => (output += c.toString()));
    void agent.then(() => (exited = true));
    const deadline = Date.now() + 60_000;
    const worker = () => m.master.store.getWorker('installed-worker-1');
    while (!(worker()?.status === 'active' && worker()?.k3s?.state === 'running')) {
      if (Date.now() > deadline || exited) throw new Error(`the installed agent did not become active:\n${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const [start] = readRecord(record);
    expect(start.argv).toEqual(expect.arrayContaining(['--node-name', 'installed-worker-1', '--node-ip', '127.0.0.1', '--kubelet-arg', 'max-pods=50']));
    agent.kill('SIGTERM');
    expect((await agent).exitCode).toBe(0);
  }, 120_000);

  it('the uninstall script removes the agent, its service and configuration, and keeps its state', async () => {
    const r = await execa(at(UNINSTALL), [], { reject: false, all: true });
    expect(r.exitCode, String(r.all)).toBe(0);
    expect(String(r.all)).toContain('Kept the agent state');
    for (const gone of [UNIT, '/etc/systemd/system/multi-user.target.wants/k8s-daas-agent.service', '/etc/k8s-daas/agent.env', '/usr/local/bin/k8s-daas-agent', LIB, UNINSTALL]) {
      expect({ gone, exists: existsSync(at(gone)) }).toEqual({ gone, exists: false });
    }
    expect(existsSync(at('/etc/k8s-daas/seal-token'))).toBe(true);
    expect(existsSync(vars.K8S_DAAS_STATE_DIR)).toBe(true);
  });

  it('openrc, pre-registered with a given seal token: init script, no key written; --purge removes everything', async () => {
    const orc = mkdtempSync(join(work, 'openrc-'));
    const token = 'given-seal-token-0123456789abcdefghij';
    const r = await install({ ...vars, SUI_PRIVATE_KEY: '', K8S_DAAS_SEAL_TOKEN: token, INSTALL_K8S_DAAS_PREREGISTERED: 'true', INSTALL_K8S_DAAS_INIT: 'openrc', INSTALL_K8S_DAAS_ROOT: orc });
    const out = String(r.all);
    expect(r.exitCode, out).toBe(0);
    expect(out).toContain(`seal_pubkey 0x${Buffer.from(sealPublicKey(token)).toString('hex')}`);
    expect(out).not.toContain(token);
    expect(read(at('/etc/k8s-daas/seal-token', orc))).toBe(`${token}\n`);
    expect(read(at('/etc/k8s-daas/agent.env', orc))).not.toMatch(/SUI_PRIVATE_KEY|SUI_KEYSTORE|K8S_DAAS_SEAL_TOKEN=/);
    const init = at('/etc/init.d/k8s-daas-agent', orc);
    expect(mode(init)).toBe('0755');
    expect(read(init)).toContain('command_args="run --env-file /etc/k8s-daas/agent.env"');
    expect(readlinkSync(at('/etc/runlevels/default/k8s-daas-agent', orc))).toBe('/etc/init.d/k8s-daas-agent');
    expect((await execa('shellcheck', ['-s', 'sh', init], { reject: false })).exitCode).toBe(0);

    const u = await execa(at(UNINSTALL, orc), ['--purge'], { reject: false, all: true });
    expect(u.exitCode, String(u.all)).toBe(0);
    expect((await execa('find', [orc, '-type', 'f'])).stdout).toBe('');
  }, 120_000);
});

describe('packaging', () => {
  const documented = (text: string) => new Set([...text.matchAll(/^#?([A-Z][A-Z0-9_]+)=/gm)].map((x) => x[1]));

  it('the env examples parse as the programs read them, and document every variable', () => {
    for (const [file, schema] of [['agent.env.example', agentConfigSchema], ['master.env.example', masterConfigSchema]] as const) {
      const text = read(join(REPO, 'packaging', file));
      expect(() => parseEnvFile(text, file)).not.toThrow();
      // Uncommented, every line still parses: the examples show values as they must be written.
      expect(() => parseEnvFile(text.replace(/^#([A-Z])/gm, '$1'), file)).not.toThrow();
      const missing = Object.keys(schema.shape).filter((k) => !documented(text).has(k));
      expect({ file, missing }).toEqual({ file, missing: [] });
    }
  });

  it('the installer documents, and writes, every agent variable', () => {
    const script = read(INSTALL_SH);
    const header = script.slice(0, script.indexOf('\ninfo()'));
    const written = /^ {4}ENV_FILE_VARS='([^']+)'/m.exec(script)?.[1].split(' ') ?? [];
    for (const key of Object.keys(agentConfigSchema.shape)) {
      expect({ key, inHeader: header.includes(key) }).toEqual({ key, inHeader: true });
      // The seal token itself is kept in its own file, referenced by K8S_DAAS_SEAL_TOKEN_FILE.
      if (key !== 'K8S_DAAS_SEAL_TOKEN') expect(written).toContain(key);
    }
  });
});
