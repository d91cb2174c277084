import { afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeMaster, type FakeMaster, type FakePeer } from './testing/fake-master.ts';
import { DIGEST, NODE_ID, SEAL_PUBKEY, SEAL_TOKEN, sleep, testSession, type TestSession } from './testing/test-support.ts';

const running: Array<{ master?: FakeMaster; t?: TestSession }> = [];
afterEach(async () => {
  for (const { master, t } of running.splice(0)) {
    await t?.session.stop();
    await master?.close();
  }
});

async function setup(script: (peer: FakePeer, index: number) => Promise<void>, extra = {}) {
  const master = await startFakeMaster({ sealPubkey: SEAL_PUBKEY, script });
  const t = testSession(master.url, extra);
  running.push({ master, t });
  t.session.start();
  return { master, ...t };
}

const waitState = (t: TestSession, state: string, timeout = 5000) =>
  vi.waitFor(() => expect(t.session.status().state).toBe(state), { timeout, interval: 5 });

describe('MasterSession against a fake master', () => {
  it('challenge → auth → pending → welcome → heartbeats and acks; reconnects and re-authenticates with a fresh nonce', async () => {
    const auths: Array<Awaited<ReturnType<FakePeer['challenge']>>> = [];
    const { master, session, log, welcomes } = await setup(async (peer, i) => {
      auths.push(await peer.challenge());
      if (i === 0) {
        peer.send({ type: 'pending', reason: 'awaiting-registration' });
        await sleep(50);
        peer.send({ type: 'pending', reason: 'awaiting-registration' }); // said twice, logged once
        await sleep(50);
      }
      peer.welcome({ nodeId: NODE_ID, heartbeatIntervalMs: 80 });
      if (i === 0) {
        await peer.waitForHeartbeats(4);
        await sleep(20); // let the last ack arrive
        peer.ws.terminate(); // the master drops the socket
      }
    });

    await vi.waitFor(() => expect(master.peers[1]?.heartbeats.length ?? 0).toBeGreaterThanOrEqual(2), { timeout: 5000 });
    expect(master.errors).toEqual([]);

    // Both auths verify against the on-chain key; fresh nonce each time; the digest only until the first welcome.
    expect(auths.map((a) => a.verified)).toEqual([true, true]);
    expect(auths[0].nonce).not.toBe(auths[1].nonce);
    expect(auths[0].auth).toMatchObject({ type: 'auth', nodeId: NODE_ID, agentVersion: '0.1.0-test', registrationDigest: DIGEST });
    expect(auths[1].auth.registrationDigest).toBeUndefined();

    // Heartbeats at the dictated interval (±10 % jitter, plus scheduling slack), seq increasing across reconnects.
    const first = master.peers[0].heartbeats;
    const gaps = first.slice(1).map((h, i) => h.sentAt - first[i].sentAt); // the agent's send times: no network variance
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(70), expect(gap).toBeLessThan(250);
    const seqs = [...first, ...master.peers[1].heartbeats].map((h) => h.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(first[0]).toMatchObject({ seq: 1, metrics: { cpu: { cores: 4 } }, k3s: { state: 'running', pid: 4242, restarts: 0, lastError: null } });

    const status = session.status();
    expect(status.state).toBe('welcomed');
    expect(status.lastAckAt).not.toBeNull();
    expect(status.lastAckLatencyMs).toBeGreaterThanOrEqual(0);
    expect(status.connectedSince).not.toBeNull();
    expect(status.welcome).toMatchObject({ nodeId: NODE_ID, heartbeatIntervalMs: 80 });
    expect(status.welcome).not.toHaveProperty('joinToken');
    expect(welcomes).toHaveLength(2);

    await session.stop();
    expect(await master.peers[1].closed).toMatchObject({ code: 1000 });
    expect(session.status().state).toBe('stopped');

    // Every move logged once, in order; the backoff is named and its delay logged.
    expect(log.moves()).toEqual([
      'connecting', 'challenged', 'authenticating', 'pending', 'welcomed', 'closed', 'backoff',
      'connecting', 'challenged', 'authenticating', 'welcomed', 'stopped',
    ]);
    expect(log.records().find((r) => r.to === 'backoff')).toMatchObject({ backoff: 'test-reconnect', delayMs: 10 });
    expect(log.records().filter((r) => r.msg === 'heartbeat sent').every((r) => r.level === 20)).toBe(true);

    // No secrets: the seal token, the signatures, the join token past 20 characters.
    const text = log.text();
    expect(text).not.toContain(SEAL_TOKEN);
    for (const a of auths) expect(text).not.toContain(a.auth.signature);
    expect(text).not.toContain(welcomes[0].joinToken.slice(0, 21));
    expect(text).toContain(welcomes[0].joinToken.slice(0, 20));
  });

  it('revoke → onRevoke once, state revoked, no reconnect', async () => {
    const { master, session, revokes } = await setup(async (peer) => {
      await peer.challenge();
      peer.welcome({ nodeId: NODE_ID, heartbeatIntervalMs: 50 });
      await peer.waitForHeartbeats(1);
      peer.send({ type: 'revoke', reason: 'slashed' });
      peer.ws.close(4403, 'slashed');
    });
    await waitState({ session } as TestSession, 'revoked');
    await sleep(300);
    expect(revokes).toEqual(['slashed']);
    expect(master.peers).toHaveLength(1);
    expect(session.status()).toMatchObject({ state: 'revoked', revocation: 'slashed' });
    await session.stop();
    expect(session.status().state).toBe('stopped');
  });

  it('close 4403 without a revoke frame is a revocation too', async () => {
    const { master, session, revokes } = await setup(async (peer) => {
      await peer.challenge();
      peer.ws.close(4403, 'deregistered');
    });
    await waitState({ session } as TestSession, 'revoked');
    await sleep(200);
    expect(revokes).toEqual(['slashed-or-deregistered']);
    expect(master.peers).toHaveLength(1);
  });

  it('4409 (replaced by a newer connection) → stops for good and says why', async () => {
    const { master, session, revokes, log } = await setup(async (peer) => {
      await peer.challenge();
      peer.welcome({ nodeId: NODE_ID, heartbeatIntervalMs: 50 });
      await peer.waitForHeartbeats(1);
      peer.ws.close(4409, 'replaced');
    });
    await waitState({ session } as TestSession, 'revoked');
    await sleep(200);
    expect(revokes).toEqual(['replaced']);
    expect(master.peers).toHaveLength(1);
    expect(log.records().find((r) => r.to === 'revoked')?.explanation).toMatch(/another agent with this node id connected/);
  });

  it('a malformed or out-of-order master frame → close 4400 and reconnect', async () => {
    const { master, session } = await setup(async (peer, i) => {
      if (i === 0) return peer.sendRaw('{"type":"challenge","v":1,"nonce":"short","masterId":"m"}');
      if (i === 1) return peer.send({ type: 'ack', seq: 1 }); // ack before any auth
      if (i === 2) return peer.sendRaw('not json');
      await peer.challenge();
      peer.welcome({ nodeId: NODE_ID });
    });
    await waitState({ session } as TestSession, 'welcomed');
    expect(master.peers).toHaveLength(4);
    for (const peer of master.peers.slice(0, 3)) expect((await peer.closed).code).toBe(4400);
    expect(master.errors).toEqual([]);
  });

  it('4401 → one clear error per streak, the long backoff, and it keeps trying', async () => {
    const { master, session, persistent, log } = await setup(async (peer, i) => {
      await peer.challenge();
      if (i < 2) return peer.ws.close(4401, 'bad signature');
      peer.welcome({ nodeId: NODE_ID });
    });
    await waitState({ session } as TestSession, 'welcomed');
    expect(master.peers).toHaveLength(3);
    expect(persistent.map((e) => e.code)).toEqual(['MASTER_AUTH_REJECTED']);
    const errors = log.records().filter((r) => r.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0].msg).toMatch(/seal_pubkey registered on chain/);
    expect(log.records().filter((r) => r.to === 'backoff').map((r) => r.backoff)).toEqual(['test-rejected', 'test-rejected']);
  });

  it('drops a master that never sends the challenge, after the deadline, and retries', async () => {
    const { master, session } = await setup(
      async (peer, i) => {
        if (i === 0) return; // silent
        await peer.challenge();
        peer.welcome({ nodeId: NODE_ID });
      },
      { timeouts: { challengeMs: 150, closeMs: 500 } },
    );
    await waitState({ session } as TestSession, 'welcomed');
    expect(master.peers).toHaveLength(2);
    expect(session.status().lastError).toMatchObject({ code: 'MASTER_SILENT' });
  });

  it('a welcomed master that stops acking and answering pings is dropped after offlineAfterMs + probe; one that answers pings is kept', async () => {
    const hung = await startFakeMaster({
      sealPubkey: SEAL_PUBKEY,
      autoPong: false,
      script: async (peer, i) => {
        await peer.challenge();
        peer.welcome({ nodeId: NODE_ID, heartbeatIntervalMs: 40, offlineAfterMs: 150 }, { ack: i > 0 });
      },
    });
    const t = testSession(hung.url, { timeouts: { probeMs: 100, closeMs: 500 } });
    running.push({ master: hung, t });
    t.session.start();
    await vi.waitFor(() => expect(hung.peers).toHaveLength(2), { timeout: 5000, interval: 5 });
    await waitState(t, 'welcomed');
    expect(t.session.status().lastError).toMatchObject({ code: 'MASTER_SILENT' });
    expect(t.log.records().some((r) => r.msg === 'master silent; dropping the connection')).toBe(true);

    const quiet = await setup(
      async (peer) => {
        await peer.challenge();
        peer.welcome({ nodeId: NODE_ID, heartbeatIntervalMs: 40, offlineAfterMs: 100 }, { ack: false });
      },
      { timeouts: { probeMs: 100, closeMs: 500 } },
    );
    await waitState(quiet, 'welcomed');
    await sleep(500); // several silences, each answered by a pong
    expect(quiet.master.peers).toHaveLength(1);
    expect(quiet.session.status().state).toBe('welcomed');
  });

  it('an unreachable master is retried with backoff; stop() during the backoff resolves at once', async () => {
    const master = await startFakeMaster({ sealPubkey: SEAL_PUBKEY, script: async () => {} });
    const url = master.url;
    await master.close();
    const t = testSession(url);
    running.push({ t });
    t.session.start();
    await vi.waitFor(() => expect(t.session.status().attempts).toBeGreaterThanOrEqual(3), { timeout: 5000 });
    expect(t.session.status().lastError).toMatchObject({ code: 'MASTER_UNREACHABLE' });
    expect(t.persistent).toEqual([]);
    await t.session.stop();
    expect(t.session.status().state).toBe('stopped');
  });

  it('refuses to start twice; stop() before start() is fine', async () => {
    const t = testSession('ws://127.0.0.1:9');
    expect(() => t.session.start()).not.toThrow();
    expect(() => t.session.start()).toThrow(/cannot go from/);
    await t.session.stop();
    const idle = testSession('ws://127.0.0.1:9');
    await idle.session.stop();
    expect(idle.session.status().state).toBe('stopped');
  });
});
