/**
 * TLS pinning for `K8S_DAAS_MASTER_CA_SHA256`: the SHA-256 of the master's certificate or of any
 * certificate in the chain it presents (its CA, when the master sends it). A set pin REPLACES CA and
 * hostname validation, so a master with a self-signed certificate works without touching the host's
 * trust store.
 *
 * Why not just `checkServerIdentity`: Node calls it only when the CA check passed (a self-signed
 * certificate never gets there), and with `rejectUnauthorized: false` an error it returns does not
 * close the socket. So the check runs on the socket's `secureConnect` and destroys the socket on a
 * mismatch, before the WebSocket upgrade completes: no frame (and so no signature) is ever exchanged
 * with a master that does not match.
 */
import { isIP } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type PeerCertificate, type TLSSocket } from 'node:tls';
import { DaasError } from '../../shared/errors.ts';

/** The pin in canonical form: 64 lowercase hex digits. */
export type Sha256Pin = string & { readonly __pin: unique symbol };

/** A checkServerIdentity-style check: undefined when the chain matches, else the error. */
export type IdentityCheck = (hostname: string, cert: PeerCertificate) => Error | undefined;

const MAX_CHAIN = 16;

/**
 * Parses a pin written as hex, colons and spaces allowed (`AB:CD:…` as `openssl x509 -fingerprint
 * -sha256` prints it). Throws DaasError `TLS_PIN_INVALID` unless it is 32 bytes of hex.
 */
export function parsePin(text: string): Sha256Pin {
  // Also takes openssl's own line, "sha256 Fingerprint=AB:CD:…", pasted whole.
  const hex = text.trim().replace(/^.*fingerprint\s*=\s*/i, '').replace(/^sha256\s*[:=]\s*/i, '').replace(/[:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new DaasError(
      'TLS_PIN_INVALID',
      `K8S_DAAS_MASTER_CA_SHA256 must be the SHA-256 of a certificate: 64 hex digits, colons allowed (got ${hex.length} hex digits)`,
    );
  }
  return hex as Sha256Pin;
}

/** The SHA-256 fingerprints (canonical hex) of the leaf, then each issuer Node knows of, leaf first. */
export function chainFingerprints(cert: PeerCertificate): string[] {
  const seen: string[] = [];
  let current: PeerCertificate | undefined = cert;
  while (current && seen.length < MAX_CHAIN) {
    const fp = current.fingerprint256 ? current.fingerprint256.replace(/:/g, '').toLowerCase() : '';
    if (!fp || seen.includes(fp)) break; // a self-signed root is its own issuer
    seen.push(fp);
    current = (current as PeerCertificate & { issuerCertificate?: PeerCertificate }).issuerCertificate;
  }
  return seen;
}

/**
 * The pin check with the signature of `checkServerIdentity`: accepts when the leaf or any
 * certificate of its chain matches; otherwise a DaasError `TLS_PIN_MISMATCH` (not retryable) naming
 * the expected and the seen fingerprints. The hostname is not checked: the pin is stronger.
 */
export function checkPinnedIdentity(pin: Sha256Pin): IdentityCheck {
  return (_hostname, cert) => {
    const seen = cert && typeof cert === 'object' ? chainFingerprints(cert) : [];
    if (seen.includes(pin)) return undefined;
    return new DaasError(
      'TLS_PIN_MISMATCH',
      `the master's TLS certificate does not match K8S_DAAS_MASTER_CA_SHA256: expected ${pin}, ` +
        `saw ${seen.length > 0 ? seen.join(' ← ') : 'no certificate'} (leaf first)`,
    );
  };
}

/**
 * A `createConnection` for `ws` (or `https.request` without an agent) that connects with TLS,
 * skips CA validation and enforces the pin instead: a mismatch destroys the socket with the
 * `TLS_PIN_MISMATCH` error, which `ws` reports as its `error` event.
 */
export function pinnedConnect(pin: Sha256Pin): (options: ConnectionOptions) => TLSSocket {
  const check = checkPinnedIdentity(pin);
  return (options) => {
    const host = options.host ?? 'localhost';
    // As ws's own tlsConnect: SNI only for names (Node warns on an IP as servername).
    const servername = options.servername || options.servername === '' ? options.servername : isIP(host) ? '' : host;
    const socket = tlsConnect({
      ...options,
      path: undefined,
      servername,
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    socket.once('secureConnect', () => {
      const err = check(host, socket.getPeerCertificate(true));
      if (err) socket.destroy(err);
    });
    return socket;
  };
}

/**
 * The TLS options to spread into `new WebSocket(url, …)`, or `https.request(…)` WITHOUT an `agent`
 * (an agent, even `agent: false`, ignores `createConnection`): `{ createConnection,
 * checkServerIdentity }`. `rejectUnauthorized: false` lives only inside createConnection, so a
 * caller whose createConnection is ignored fails closed: normal CA validation, then the pin check.
 * Without a pin, nothing: normal CA and hostname validation applies.
 */
export function pinnedTlsOptions(pin: Sha256Pin | undefined): {
  checkServerIdentity?: IdentityCheck;
  createConnection?: (options: ConnectionOptions) => TLSSocket;
} {
  if (!pin) return {};
  return { checkServerIdentity: checkPinnedIdentity(pin), createConnection: pinnedConnect(pin) };
}
