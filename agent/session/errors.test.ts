import { describe, expect, it } from 'vitest';
import { DaasError } from '../../shared/errors.ts';
import { classifyClose, classifyConnectError, classifyHttpStatus, isFinal, RevokedError } from './errors.ts';

describe('classifyClose', () => {
  it('maps the protocol close codes to final, retryable and non-retryable ends', () => {
    const revoked = classifyClose(4403, 'slashed');
    expect(isFinal(revoked) && revoked.reason).toBe('slashed-or-deregistered');
    const replaced = classifyClose(4409, '');
    expect(isFinal(replaced) && replaced.reason).toBe('replaced');
    expect(replaced.code).toBe('MASTER_REPLACED');
    expect(classifyClose(4401, 'bad signature')).toMatchObject({ code: 'MASTER_AUTH_REJECTED', retryable: false });
    expect(classifyClose(4401, '').message).toMatch(/rotate_seal_key/);
    expect(classifyClose(4408, '')).toMatchObject({ code: 'MASTER_AUTH_TIMEOUT', retryable: true });
    expect(classifyClose(4400, 'x')).toMatchObject({ code: 'MASTER_SAID_MALFORMED', retryable: true });
    for (const code of [1000, 1001, 1006, 1011, 4999]) {
      expect(classifyClose(code, '')).toMatchObject({ code: 'MASTER_CLOSED', retryable: true });
      expect(isFinal(classifyClose(code, ''))).toBe(false);
    }
  });
});

describe('classifyConnectError', () => {
  it('keeps an error already decided, calls TLS trust failures non-retryable and the rest retryable', () => {
    const decided = new DaasError('TLS_PIN_MISMATCH', 'x');
    expect(classifyConnectError(decided)).toBe(decided);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(classifyConnectError(refused)).toMatchObject({ code: 'MASTER_UNREACHABLE', retryable: true, cause: refused });
    for (const code of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']) {
      expect(classifyConnectError(Object.assign(new Error(code), { code }))).toMatchObject({ code: 'MASTER_TLS_UNTRUSTED', retryable: false });
    }
  });
});

describe('classifyHttpStatus', () => {
  it('retries 5xx and 429, not other 4xx; explains a 404', () => {
    expect(classifyHttpStatus(502).retryable).toBe(true);
    expect(classifyHttpStatus(429).retryable).toBe(true);
    expect(classifyHttpStatus(403).retryable).toBe(false);
    expect(classifyHttpStatus(404).message).toMatch(/\/v1\/agent/);
  });
});

describe('RevokedError', () => {
  it('says that another agent took over for replaced', () => {
    expect(new RevokedError('replaced').message).toMatch(/another agent with this node id/);
    expect(new RevokedError('deregistered')).toMatchObject({ code: 'MASTER_REVOKED', reason: 'deregistered', retryable: false });
  });
});
