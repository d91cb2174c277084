import { X509Certificate } from 'node:crypto';
import type { Server } from 'node:http';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { send } from './respond.ts';
import { baseUrl, closeServer, createMasterServer, listen } from './server.ts';

// A throwaway self-signed P-256 certificate for 127.0.0.1, made for this test only.
const TEST_TLS = {
  cert: `-----BEGIN CERTIFICATE-----
MIIBkDCCATagAwIBAgIUcC28dMm7WteMNEz58ZKkmMrzBIMwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyNzA5NTc1MloYDzIxMjYxMTAz
MDk1NzUyWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATTlf3fh/5Hj4UxxHl0y0H8Ls4OCFbD1u7WW3S3gshC6Rk2UE4CzZfI
wOgFwvhBqJfQLq7GyFGKTb2OCbtYR3Olo2QwYjAdBgNVHQ4EFgQU/CdZ+aOF/cIP
wagHBxmvMZ7IZvgwHwYDVR0jBBgwFoAU/CdZ+aOF/cIPwagHBxmvMZ7IZvgwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC
IQCs2z4i1Esq2TF4Aozu2z4NQk9iqcyDDdygIcgITDPIhwIgGDtFvH3xF72UtKXX
ZbNokc5i6IV7iO2V/6kB+DkFNPM=
-----END CERTIFICATE-----
`,
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgs3dS/CNTN5UzAj/x
BClNHBS22wwYnqMix3NKMMwyOXqhRANCAATTlf3fh/5Hj4UxxHl0y0H8Ls4OCFbD
1u7WW3S3gshC6Rk2UE4CzZfIwOgFwvhBqJfQLq7GyFGKTb2OCbtYR3Ol
-----END PRIVATE KEY-----
`,
};

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await closeServer(s);
});

describe('master server', () => {
  it('listens on an ephemeral port and reports its URL', async () => {
    const server = createMasterServer({ handler: (_q, res) => send(res, 200, 'text/plain', 'hi') });
    servers.push(server);
    const address = await listen(server, '127.0.0.1', 0);
    expect(address.port).toBeGreaterThan(0);
    const url = baseUrl(address, false);
    expect(url).toBe(`http://127.0.0.1:${address.port}`);
    expect(await (await fetch(url)).text()).toBe('hi');
  });

  it('fails with HTTP_LISTEN naming the address when the port is taken', async () => {
    const first = createMasterServer({ handler: () => {} });
    servers.push(first);
    const { port } = await listen(first, '127.0.0.1', 0);
    const second = createMasterServer({ handler: () => {} });
    await expect(listen(second, '127.0.0.1', port)).rejects.toMatchObject({
      code: 'HTTP_LISTEN',
      message: `cannot listen on 127.0.0.1:${port}: EADDRINUSE`,
    });
  });

  it('closes even with an idle keep-alive connection open', async () => {
    const server = createMasterServer({ handler: (_q, res) => send(res, 200, 'text/plain', 'hi') });
    const url = baseUrl(await listen(server, '127.0.0.1', 0), false);
    await (await fetch(url, { keepalive: true })).text();
    await closeServer(server);
    expect(server.listening).toBe(false);
    await closeServer(server); // a second close is harmless
  });

  it('serves HTTPS when given a certificate', async () => {
    const server = createMasterServer({ handler: (_q, res) => send(res, 200, 'text/plain', 'secure'), tls: TEST_TLS });
    servers.push(server);
    const url = baseUrl(await listen(server, '127.0.0.1', 0), true);
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // The certificate's own validity dates are not under test: accept it, then check it is ours.
    const { body, fingerprint } = await new Promise<{ body: string; fingerprint: string }>((resolve, reject) => {
      request(url, { rejectUnauthorized: false }, (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ body: text, fingerprint }));
      })
        .on('error', reject)
        .end();
    });
    expect(body).toBe('secure');
    expect(fingerprint).toBe(new X509Certificate(TEST_TLS.cert).fingerprint256);
  });

  it('formats IPv6 addresses in brackets', () => {
    expect(baseUrl({ address: '::1', family: 'IPv6', port: 8443 }, true)).toBe('https://[::1]:8443');
  });
});
