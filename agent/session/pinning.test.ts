import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DaasError } from '../../shared/errors.ts';
import { startFakeMaster, type FakeMaster } from './testing/fake-master.ts';
import { chainFingerprints, checkPinnedIdentity, parsePin, pinnedTlsOptions } from './pinning.ts';
import { NODE_ID, SEAL_PUBKEY, sleep, testSession, type TestSession } from './testing/test-support.ts';

// Certificates made with openssl in a temp dir: a self-signed master, and a leaf issued by a CA
// where the master sends leaf + CA (so the CA can be pinned).
let dir: string;
const pem = { selfCert: '', selfKey: '', chainCert: '', leafKey: '', caCert: '' };
const fp = (certPem: string) => new X509Certificate(certPem).fingerprint256.replace(/:/g, '').toLowerCase();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'k8s-daas-pin-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'self.key', '-out', 'self.pem', '-days', '2', '-subj', '/CN=k8s-daas-master', '-addext', 'subjectAltName=IP:127.0.0.1');
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=k8s-daas test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  ssl('req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=master.example');
  writeFileSync(join(dir, 'leaf.ext'), 'subjectAltName=DNS:master.example\n');
  ssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '2', '-extfile', 'leaf.ext');
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  Object.assign(pem, { selfCert: read('self.pem'), selfKey: read('self.key'), leafKey: read('leaf.key'), caCert: read('ca.pem') });
  pem.chainCert = read('leaf.pem') + pem.caCert;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const open: Array<{ master: FakeMaster; t: TestSession }> = [];
afterAll(async () => {
  for (const { master, t } of open) {
    await t.session.stop();
    await master.close();
  }
});

async function tlsMaster(cert: string, key: string, pin: string | undefined) {
  const master = await startFakeMaster({
    sealPubkey: SEAL_PUBKEY,
    tls: { cert, key },
    script: async (peer) => {
      if (!(await peer.challenge()).verified) throw new Error('bad signature');
      peer.welcome({ nodeId: NODE_ID });
    },
  });
  const t = testSession(master.url, { pinSha256: pin });
  open.push({ master, t });
  t.session.start();
  return { master, t };
}

describe('parsePin', () => {
  it('takes hex with or without colons, any case, or openssl -fingerprint output', () => {
    const hex = fp(pem.selfCert);
    const colons = new X509Certificate(pem.selfCert).fingerprint256;
    expect(parsePin(hex)).toBe(hex);
    expect(parsePin(colons)).toBe(hex);
    expect(parsePin(` ${colons.toLowerCase()} `)).toBe(hex);
    const line = execFileSync('openssl', ['x509', '-in', join(dir, 'self.pem'), '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
    expect(parsePin(line)).toBe(hex);
  });

  it('refuses anything but 32 bytes of hex with TLS_PIN_INVALID', () => {
    for (const bad of ['', 'abcd', 'zz'.repeat(32), 'ab'.repeat(33)]) {
      expect(() => parsePin(bad)).toThrow(DaasError);
      expect(() => parsePin(bad)).toThrow(/K8S_DAAS_MASTER_CA_SHA256/);
    }
  });
});

describe('checkPinnedIdentity', () => {
  const cert = (fingerprint256: string, issuer?: PeerCertificate) =>
    ({ fingerprint256, ...(issuer ? { issuerCertificate: issuer } : {}) }) as unknown as PeerCertificate;
  const A = 'AA:'.repeat(31) + 'AA';
  const B = 'BB:'.repeat(31) + 'BB';
  const root = cert(B);
  (root as unknown as { issuerCertificate: PeerCertificate }).issuerCertificate = root; // self-signed: its own issuer
  const leaf = cert(A, root);

  it('walks leaf → issuers and stops at a self-signed root', () => {
    expect(chainFingerprints(leaf)).toEqual(['aa'.repeat(32), 'bb'.repeat(32)]);
  });

  it('accepts a pin of the leaf or of any issuer, and names expected and seen on a mismatch', () => {
    expect(checkPinnedIdentity(parsePin(A))('x', leaf)).toBeUndefined();
    expect(checkPinnedIdentity(parsePin(B))('x', leaf)).toBeUndefined();
    const err = checkPinnedIdentity(parsePin('cc'.repeat(32)))('x', leaf);
    expect(err).toBeInstanceOf(DaasError);
    expect(err).toMatchObject({ code: 'TLS_PIN_MISMATCH', retryable: false });
    expect(err?.message).toContain(`expected ${'cc'.repeat(32)}`);
    expect(err?.message).toContain(`saw ${'aa'.repeat(32)} ← ${'bb'.repeat(32)}`);
  });
});

describe('a session pinned to the master certificate', () => {
  it('connects to a self-signed master with the right pin (colon form)', async () => {
    const { t } = await tlsMaster(pem.selfCert, pem.selfKey, new X509Certificate(pem.selfCert).fingerprint256);
    await vi.waitFor(() => expect(t.session.status().state).toBe('welcomed'), { timeout: 5000, interval: 5 });
  });

  it('connects when the pin is the CA of the chain the master sends (hostname not checked)', async () => {
    const { t } = await tlsMaster(pem.chainCert, pem.leafKey, fp(pem.caCert));
    await vi.waitFor(() => expect(t.session.status().state).toBe('welcomed'), { timeout: 5000, interval: 5 });
  });

  it('refuses a master whose chain does not match: no upgrade, no frame, a clear persistent error', async () => {
    const wrong = 'ab'.repeat(32);
    const { master, t } = await tlsMaster(pem.selfCert, pem.selfKey, wrong);
    await vi.waitFor(() => expect(t.session.status().attempts).toBeGreaterThanOrEqual(2), { timeout: 5000, interval: 5 });
    await sleep(50);
    expect(t.session.status().state).not.toBe('welcomed');
    expect(t.session.status().lastError?.code).toBe('TLS_PIN_MISMATCH');
    expect(master.peers).toHaveLength(0);
    expect(master.requests).toBe(0);
    expect(t.persistent).toHaveLength(1);
    expect(t.persistent[0].message).toContain(`expected ${wrong}`);
    expect(t.persistent[0].message).toContain(fp(pem.selfCert));
  });

  it('without a pin, a self-signed master is refused by normal CA validation', async () => {
    const { master, t } = await tlsMaster(pem.selfCert, pem.selfKey, undefined);
    await vi.waitFor(() => expect(t.session.status().lastError?.code).toBe('MASTER_TLS_UNTRUSTED'), { timeout: 5000, interval: 5 });
    expect(master.peers).toHaveLength(0);
    expect(t.persistent[0]?.message).toMatch(/K8S_DAAS_MASTER_CA_SHA256/);
  });
});

describe('pinnedTlsOptions with https.request', () => {
  it('gets through with the right pin and fails the request with a wrong one; fails closed when an agent ignores createConnection', async () => {
    const server = createServer({ cert: pem.selfCert, key: pem.selfKey }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const get = (pin: string, extra: object = {}) =>
      new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/', ...extra, ...pinnedTlsOptions(parsePin(pin)) } as never, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      expect(await get(fp(pem.selfCert))).toBe('ok');
      await expect(get('00'.repeat(32))).rejects.toMatchObject({ code: 'TLS_PIN_MISMATCH' });
      // An agent (even agent: false) ignores createConnection: CA validation still refuses the self-signed master.
      await expect(get(fp(pem.selfCert), { agent: false })).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
