/**
 * The master over real sockets: the local chain, a real master (in-process), scripted agents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { systemClock } from '../shared/clock.ts';
import { deriveSealKey, newSealToken, sealPublicKey } from '../shared/chain/seal-key.ts';
import { startChainFixture, type ChainFixture } from './helpers/chain.ts';
import { NODE_TOKEN, startTestMaster, type MasterFixture } from './helpers/master.ts';
import { TestAgent } from './helpers/test-agent.ts';

let fx: ChainFixture;
let m: MasterFixture;
const agents: TestAgent[] = [];

beforeAll(async () => {
  fx = await startChainFixture();
  m = await startTestMaster(fx);
});
afterAll(async () => {
  for (const a of agents) a.close();
  await m?.master.close();
  await fx?.close();
});

/** A test agent against `url` (the shared master by default), closed after all tests. */
function agent(url = m.master.url): TestAgent {
  const a = new TestAgent(url);
  agents.push(a);
  return a;
}

async function registered(nodeId: string) {
  const token = newSealToken();
  const owner = await fx.fundedKey();
  const reg = await fx.chain.registerWorker({ signer: owner, nodeId, sealPubkey: sealPublicKey(token), stakeMist: 1_000_000_000n });
  return { token, owner, reg, sealKey: deriveSealKey(token) };
}

/** A registered worker whose agent, on the master at `url`, is welcomed (the digest fast path). */
async function welcomed(url: string, nodeId: string) {
  const w = await registered(nodeId);
  const a = agent(url);
  await a.authenticate(nodeId, w.sealKey, { registrationDigest: w.reg.digest });
  const welcome = await a.next('welcome');
  return { w, a, welcome };
}

async function poolStatus(nodeId: string, want: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (m.master.store.getWorker(nodeId)?.status !== want) {
    if (Date.now() > deadline) throw new Error(`${nodeId} is ${m.master.store.getWorker(nodeId)?.status ?? 'absent'}, wanted ${want}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('agent socket', () => {
  it('registration → pool → authenticated socket → welcome with the join token → heartbeats acked', async () => {
    const w = await registered('flow-1');
    await poolStatus('flow-1', 'pending');
    const a = agent();
    await a.authenticate('flow-1', w.sealKey);
    const welcome = await a.next('welcome');
    expect(welcome).toMatchObject({
      nodeId: 'flow-1',
      joinToken: NODE_TOKEN,
      serverUrl: 'https://127.0.0.1:6443',
      heartbeatIntervalMs: 500,
      labels: { 'k8s-daas.io/owner': w.owner.toSuiAddress(), 'k8s-daas.io/stake-mist': '1000000000' },
    });
    await poolStatus('flow-1', 'active');
    a.heartbeat(1);
    a.heartbeat(2);
    await a.until(() => a.received.filter((x) => x.type === 'ack').length === 2, 'two acks', 5000);
    expect(a.received.filter((x) => x.type === 'ack')).toEqual([{ type: 'ack', seq: 1 }, { type: 'ack', seq: 2 }]);
    // The heartbeat reaches the pool (buffered, flushed within about a second).
    await a.until(() => m.master.store.getWorker('flow-1')?.k3s?.state === 'running', 'the heartbeat in the pool', 5000);
    // The on-chain status mirror followed: the registry sees the worker active.
    const deadline = Date.now() + 10_000;
    while ((await fx.chain.findRegistration('flow-1'))?.status !== 'active') {
      if (Date.now() > deadline) throw new Error('status not mirrored on chain');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it('authenticates before the registration exists, gets pending, then welcome when the event arrives', async () => {
    const token = newSealToken();
    const owner = await fx.fundedKey();
    const a = agent();
    await a.authenticate('early-1', deriveSealKey(token));
    await a.next('pending');
    expect(a.received.some((x) => x.type === 'welcome')).toBe(false);
    await fx.chain.registerWorker({ signer: owner, nodeId: 'early-1', sealPubkey: sealPublicKey(token), stakeMist: 1_000_000_000n });
    const welcome = await a.next('welcome');
    expect(welcome.nodeId).toBe('early-1');
  });

  it('reads the registration transaction directly when the agent hands over its digest', async () => {
    const slow = await startTestMaster(fx, { pollIntervalMs: 600_000 });
    try {
      const w = await registered('digest-1');
      const a = agent(slow.master.url);
      await a.authenticate('digest-1', w.sealKey, { registrationDigest: w.reg.digest });
      const welcome = await a.next('welcome', 5000);
      expect(welcome.nodeId).toBe('digest-1');
      expect(a.received.some((x) => x.type === 'pending')).toBe(false);
      expect(slow.master.store.getWorker('digest-1')?.status).toBe('active');
    } finally {
      await slow.master.close();
    }
  });

  it('closes bad sockets with the right codes while a healthy agent stays connected', async () => {
    const healthy = await registered('healthy-1');
    const h = agent();
    await h.authenticate('healthy-1', healthy.sealKey);
    await h.next('welcome');

    const victim = await registered('victim-1');
    // Wrong seal key → 4401.
    const wrong = agent();
    await wrong.authenticate('victim-1', deriveSealKey(newSealToken()));
    expect((await wrong.closedWith()).code).toBe(4401);

    // Replayed auth frame (signed over another socket's nonce) → 4401.
    const first = agent();
    const frame = await first.authenticate('victim-1', victim.sealKey);
    await first.next('welcome');
    const replay = agent();
    await replay.next('challenge');
    replay.send(frame);
    expect((await replay.closedWith()).code).toBe(4401);

    // A second auth on the same socket: the nonce is good for one attempt → 4400.
    const twice = agent();
    const f2 = await twice.authenticate('victim-1', victim.sealKey);
    twice.send(f2);
    expect((await twice.closedWith()).code).toBe(4400);

    // Frames before auth, oversize, invalid JSON, unknown type → 4400.
    for (const bad of [
      () => ({ type: 'heartbeat', seq: 1, sentAt: 1, metrics: {}, k3s: { state: 'running', restarts: 0 } }),
      () => 'x'.repeat(70 * 1024),
      () => '{not json',
      () => ({ type: 'gossip' }),
    ]) {
      const s = agent();
      await s.next('challenge');
      s.send(bad());
      const closed = await s.closedWith();
      expect(closed.code).toBe(4400);
    }

    // No auth within the deadline → 4408.
    const late = await startTestMaster(fx, { authTimeoutMs: 300 });
    try {
      const l = agent(late.master.url);
      await l.next('challenge');
      expect((await l.closedWith()).code).toBe(4408);
    } finally {
      await late.master.close();
    }

    // The healthy agent was never disturbed.
    h.heartbeat(7);
    await h.until(() => h.received.find((x) => x.type === 'ack' && x.seq === 7), 'ack 7', 5000);
    expect(h.closed).toBeNull();
  });

  it('refuses an address that failed authentication 10 times within a minute', async () => {
    const own = await startTestMaster(fx);
    try {
      const w = await registered('limited-1');
      for (let i = 0; i < 10; i++) {
        const bad = agent(own.master.url);
        await bad.authenticate('limited-1', deriveSealKey(newSealToken()));
        expect((await bad.closedWith()).code).toBe(4401);
      }
      const blocked = agent(own.master.url);
      const closed = await blocked.closedWith();
      expect(closed).toEqual({ code: 4401, reason: 'too many failed authentications; retry later' });
      expect(blocked.received).toEqual([]);
      // The other master (another process in real life) is unaffected.
      const fine = agent();
      await fine.authenticate('limited-1', w.sealKey);
      await fine.next('welcome');
    } finally {
      await own.master.close();
    }
  });

  it('closes agent sockets with 1001 when it shuts down', async () => {
    const own = await startTestMaster(fx);
    const { a } = await welcomed(own.master.url, 'shutdown-1');
    await own.master.close();
    expect((await a.closedWith()).code).toBe(1001);
  });

  it('closes the older socket with 4409 when the same worker connects again', async () => {
    const w = await registered('twice-1');
    const a1 = agent();
    await a1.authenticate('twice-1', w.sealKey);
    await a1.next('welcome');
    const a2 = agent();
    await a2.authenticate('twice-1', w.sealKey);
    await a2.next('welcome');
    expect((await a1.closedWith()).code).toBe(4409);
    expect(a1.received.find((x) => x.type === 'revoke')).toEqual({ type: 'revoke', reason: 'replaced' });
    expect(a2.closed).toBeNull();
  });

  it('revokes with 4403 when the worker is slashed on chain, and refuses it afterwards', async () => {
    const w = await registered('slash-1');
    const a = agent();
    await a.authenticate('slash-1', w.sealKey);
    await a.next('welcome');
    await fx.chain.slashWorker({ signer: fx.master, masterCapId: fx.local.info.masterCapId, nodeId: 'slash-1', amountMist: 100n, reason: 'misbehaved' });
    expect(await a.next('revoke')).toEqual({ type: 'revoke', reason: 'slashed' });
    expect((await a.closedWith()).code).toBe(4403);
    expect(m.master.store.getWorker('slash-1')?.status).toBe('slashed');

    const again = agent();
    await again.authenticate('slash-1', w.sealKey);
    expect((await again.closedWith()).code).toBe(4403);
  });
});

describe('offline sweeper', () => {
  it('marks a silent worker offline and a re-authenticated one active again', async () => {
    const quick = await startTestMaster(fx, { heartbeatIntervalMs: 200, offlineAfterMs: 1_000 });
    try {
      const { w, a } = await welcomed(quick.master.url, 'sleepy-1');
      a.close();
      const deadline = Date.now() + 8_000;
      while (quick.master.store.getWorker('sleepy-1')?.status !== 'offline') {
        if (Date.now() > deadline) throw new Error('never went offline');
        await new Promise((r) => setTimeout(r, 100));
      }
      const b = agent(quick.master.url);
      await b.authenticate('sleepy-1', w.sealKey);
      await b.next('welcome');
      expect(quick.master.store.getWorker('sleepy-1')?.status).toBe('active');
      // The pool's own moves (chain echoes of the status mirror are recorded too, as source 'chain').
      const history = quick.master.store.history('sleepy-1', 10).filter((h) => h.source === 'master').map((h) => `${h.from}→${h.to}`);
      expect(history.slice(0, 3)).toEqual(['offline→active', 'active→offline', 'pending→active']);
    } finally {
      await quick.master.close();
    }
  });
});

describe('offline sweeper and the heartbeat writes', () => {
  it('keeps the row of a beating worker fresher than the offline deadline, so the sweep query does not return it', async () => {
    // Deadlines shorter than the 30 s the buffer would otherwise wait between a worker's writes:
    // a row written every 1.8 s is at most 1.8 + 0.2 + 1 s (flush tick) old.
    const quick = await startTestMaster(fx, { heartbeatIntervalMs: 200, offlineAfterMs: 4_000 });
    try {
      const { a } = await welcomed(quick.master.url, 'steady-1');
      const until = Date.now() + 6_500;
      let seq = 0;
      let silentSeen = 0;
      while (Date.now() < until) {
        a.heartbeat(++seq);
        if (quick.master.store.findSilent(4_000).some((x) => x.nodeId === 'steady-1')) silentSeen++;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(seq).toBeGreaterThan(25);
      expect(silentSeen).toBe(0);
      expect(quick.master.store.getWorker('steady-1')?.status).toBe('active');
      expect(Date.now() - (quick.master.store.getWorker('steady-1')?.lastHeartbeatAt ?? 0)).toBeLessThan(4_000);
    } finally {
      await quick.master.close();
    }
  });
});

describe('offline sweeper and reconnecting workers', () => {
  // The pool's clock runs ahead on demand, as if the worker had been silent that long.
  let ahead = 0;
  const clock = { now: () => Date.now() + ahead, sleep: systemClock.sleep };
  const status = (fx2: MasterFixture, id: string) => fx2.master.store.getWorker(id)?.status;

  /** A registered worker whose agent is welcomed and had one heartbeat acked. */
  async function beating(quick: MasterFixture, nodeId: string) {
    const { w, a } = await welcomed(quick.master.url, nodeId);
    a.heartbeat(1);
    await a.next('ack');
    return { w, a };
  }

  it('counts a fresh authentication as a sign of life: no offline between the welcome and the first heartbeat', async () => {
    ahead = 0;
    const quick = await startTestMaster(fx, { clock, heartbeatIntervalMs: 500, offlineAfterMs: 3_000 });
    try {
      const { w, a } = await beating(quick, 'returning-1');
      a.close();
      // Back after a silence longer than offlineAfterMs, before any sweep noticed it.
      ahead = 10_000;
      const b = agent(quick.master.url);
      await b.authenticate('returning-1', w.sealKey);
      await b.next('welcome');
      const until = Date.now() + 2_200; // two sweeps or more, well inside offlineAfterMs of the welcome
      while (Date.now() < until) {
        expect(status(quick, 'returning-1')).toBe('active');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await quick.master.close();
    }
  });

  it('brings an offline worker back to active on a heartbeat from its still-open session', async () => {
    ahead = 0;
    const quick = await startTestMaster(fx, { clock, heartbeatIntervalMs: 500, offlineAfterMs: 3_000 });
    try {
      const { a } = await beating(quick, 'stalled-1');
      ahead = 10_000; // the beats stopped reaching the master for longer than offlineAfterMs
      await a.until(() => status(quick, 'stalled-1') === 'offline', 'marked offline', 3_000);
      a.heartbeat(2);
      await a.until(() => status(quick, 'stalled-1') === 'active', 'active again', 2_000);
      const last = quick.master.store.history('stalled-1', 10).find((h) => h.source === 'master');
      expect(last).toMatchObject({ from: 'offline', to: 'active', reason: 'heartbeat on its authenticated session', source: 'master' });
    } finally {
      await quick.master.close();
    }
  });
});

describe('bootstrap join tokens', () => {
  it('creates a per-worker token with k3s token create and deletes it when the worker leaves', async () => {
    const boot = await startTestMaster(fx, { tokenMode: 'bootstrap' });
    try {
      const { w, a, welcome } = await welcomed(boot.master.url, 'boot-1');
      expect(welcome.joinToken).toMatch(/^K10[0-9a-f]{64}::[a-z0-9]{6}\.[a-z0-9]{16}$/);
      const db = () => JSON.stringify(JSON.parse(readFileSync(boot.tokensDb, 'utf8')));
      expect(db()).toContain('k8s-daas:boot-1');

      await fx.chain.unstake({ signer: w.owner, stakeProofId: w.reg.stakeProofId });
      expect(await a.next('revoke')).toEqual({ type: 'revoke', reason: 'deregistered' });
      await a.until(() => !db().includes('k8s-daas:boot-1') || null, 'the token to be deleted', 5000);
    } finally {
      await boot.master.close();
    }
  });
});
