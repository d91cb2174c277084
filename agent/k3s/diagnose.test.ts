import { describe, expect, it } from 'vitest';
import { diagnoseK3sLine, diagnoseSpawnError, isK3sReadyLine, parseLogrusLine } from './diagnose.ts';

// Lines as real k3s agents print them (journal excerpts and k3s sources; see the report).
const T = 'time="2026-05-06T11:05:04+02:00"';
const lines = {
  caMismatch: `${T} level=error msg="Failed to validate connection to cluster at https://210.110.250.33:6443: token CA hash does not match the Cluster CA certificate hash: 1f526b0c3b2d558faaa261356f96ffca0474ac91dc0c7a0bc1ed84750a11dfe3 != f3afef4c29cb20a8390dbf17e4ebb2d9b81607af73946116d8c571d8a9d09926"`,
  unauthorized: `${T} level=info msg="Waiting to retrieve agent configuration; server is not ready: failed to retrieve configuration from server: https://127.0.0.1:6444/v1-k3s/config: 401 Unauthorized"`,
  nodePassword: `${T} level=info msg="Waiting to retrieve agent configuration; server is not ready: Node password rejected, duplicate hostname or contents of '/etc/rancher/node/password' may not match server node-passwd entry, try enabling a unique node name with the --with-node-id flag"`,
  resetByPeer: `${T} level=error msg="Failed to validate connection to cluster at https://10.0.0.195:6443: failed to get CA certs: Get \\"https://127.0.0.1:6444/cacerts\\": read tcp 127.0.0.1:41234->127.0.0.1:6444: read: connection reset by peer"`,
  deadline: `${T} level=error msg="Failed to validate connection to cluster at https://100.119.182.72:6443: failed to get CA certs: Get \\"https://127.0.0.1:6444/cacerts\\": context deadline exceeded"`,
  refused: `${T} level=error msg="Failed to validate connection to cluster at https://10.0.0.1:6443: failed to get CA certs: Get \\"https://127.0.0.1:6444/cacerts\\": dial tcp 10.0.0.1:6443: connect: connection refused"`,
  expired: `${T} level=error msg="Failed to validate connection to cluster at https://10.0.0.1:6443: CA cert validation failed: Get \\"https://127.0.0.1:6444/cacerts\\": tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-01-01T00:00:00Z is before 2026-05-01T00:00:00Z"`,
  unknownCA: `${T} level=error msg="Failed to validate connection to cluster at https://10.0.0.1:6443: CA cert validation failed: Get \\"https://127.0.0.1:6444/cacerts\\": tls: failed to verify certificate: x509: certificate signed by unknown authority"`,
  badFlag: `${T} level=fatal msg="flag provided but not defined: -xyz"`,
  badLabel: `${T} level=error msg="kubelet exited: failed to validate kubelet flags: invalid node labels: '0xabc' - must be no more than 63 characters"`,
  notRoot: `${T} level=fatal msg="agent requires additional privilege if not run with --rootless"`,
  tokenFile: `${T} level=fatal msg="open /var/lib/k8s-daas-agent/k3s-join-token: permission denied"`,
  malformed: `${T} level=error msg="Failed to validate connection to cluster at https://10.0.0.1:6443: invalid token CA hash length"`,
};

describe('diagnoseK3sLine', () => {
  it.each([
    ['caMismatch', 'K3S_TOKEN_CA_MISMATCH', /different cluster CA.*K3S_TOKEN_FILE and K3S_SERVER_URL/],
    ['unauthorized', 'K3S_TOKEN_REJECTED', /401 Unauthorized.*wrong, expired or revoked.*fresh token/],
    ['nodePassword', 'K3S_NODE_PASSWORD_REJECTED', /node named worker-1 .*delete secret worker-1\.node-password\.k3s/],
    ['resetByPeer', 'K3S_SERVER_UNREACHABLE', /cannot be reached.*connection reset by peer.*TCP 6443/],
    ['deadline', 'K3S_SERVER_UNREACHABLE', /context deadline exceeded/],
    ['refused', 'K3S_SERVER_UNREACHABLE', /https:\/\/10\.0\.0\.1:6443 cannot be reached .*connection refused/],
    ['expired', 'K3S_TLS_CLOCK', /clock/],
    ['unknownCA', 'K3S_TLS_UNTRUSTED', /signed by unknown authority.*port 6443/],
    ['badFlag', 'K3S_BAD_FLAG', /--xyz.*K3S_EXTRA_ARGS/],
    ['badLabel', 'K3S_BAD_NODE_LABEL', /63 characters/],
    ['notRoot', 'K3S_NOT_PRIVILEGED', /root/],
    ['tokenFile', 'K3S_TOKEN_FILE_UNREADABLE', /permission denied/],
    ['malformed', 'K3S_TOKEN_MALFORMED', /invalid token CA hash length/],
  ] as const)('recognises %s as %s', (name, code, cause) => {
    const d = diagnoseK3sLine(lines[name], { serverUrl: 'https://10.0.0.1:6443', nodeName: 'worker-1' });
    expect(d?.code).toBe(code);
    expect(d?.cause).toMatch(cause);
    expect(d?.cause.split('. ').length).toBe(1); // one sentence
  });

  it('ignores ordinary lines', () => {
    for (const line of [
      `${T} level=info msg="Starting k3s agent v1.31.4+k3s1 (a562d090)"`,
      `${T} level=info msg="Running load balancer k3s-agent-load-balancer 127.0.0.1:6444 -> [] [default: 10.0.0.1:6443]"`,
      'I0506 11:05:06.491876   72179 shared_informer.go:370] "Waiting for caches to sync"',
    ]) {
      expect(diagnoseK3sLine(line)).toBeNull();
    }
  });
});

describe('isK3sReadyLine', () => {
  it('accepts the tunnel-up and node-labelled lines only', () => {
    expect(isK3sReadyLine(`${T} level=info msg="Remotedialer connected to proxy" url="wss://192.168.1.103:6443/v1-k3s/connect"`)).toBe(true);
    expect(isK3sReadyLine(`${T} level=info msg="Annotations and labels have been set successfully on node: w1"`)).toBe(true);
    expect(isK3sReadyLine(`${T} level=info msg="Connecting to proxy" url="wss://192.168.1.103:6443/v1-k3s/connect"`)).toBe(false);
    expect(isK3sReadyLine('Remotedialer connected to proxy')).toBe(false);
  });
});

describe('parseLogrusLine', () => {
  it('reads level and the unquoted message', () => {
    expect(parseLogrusLine(lines.resetByPeer)).toEqual({
      level: 'error',
      msg: 'Failed to validate connection to cluster at https://10.0.0.195:6443: failed to get CA certs: Get "https://127.0.0.1:6444/cacerts": read tcp 127.0.0.1:41234->127.0.0.1:6444: read: connection reset by peer',
    });
    expect(parseLogrusLine(`${T} level=info msg=Done`)).toEqual({ level: 'info', msg: 'Done' });
    expect(parseLogrusLine('Incorrect Usage: flag provided but not defined: -xyz')).toBeNull();
  });
});

describe('diagnoseSpawnError', () => {
  it('names the binary and K3S_BIN', () => {
    expect(diagnoseSpawnError('ENOENT', { bin: '/opt/k3s' })).toMatchObject({ code: 'K3S_NOT_FOUND', cause: expect.stringMatching(/\/opt\/k3s.*K3S_BIN/) });
    expect(diagnoseSpawnError('EACCES', { bin: '/opt/k3s' }).code).toBe('K3S_NOT_EXECUTABLE');
  });
});
