/**
 * A load-generator process: plays bench workers [from, to) as SimAgents and obeys the runner over
 * IPC (load-protocol.ts). Like real agents, every welcomed agent heartbeats from its welcome on,
 * one beat per 10 s (the master's interval), through connects and storms alike; a `beat` command
 * raises the rate for a measured window. It exits when told, when the runner goes away, or after
 * its lifetime.
 */
import { createReconnectBackoff } from '../../agent/session/backoff.ts';
import { Histogram } from './histogram.ts';
import type { BeatReport, ConnectReport, LoadCommand, LoadGenArgs, LoadReply } from './load-protocol.ts';
import { SimAgent } from './sim-agent.ts';
import { benchSealSigner } from './workers.ts';

/** The master's heartbeat interval (DESIGN.md default). */
const BASE_INTERVAL_MS = 10_000;
/** Heartbeats one agent may have in flight; beyond, its turn is skipped (counted as deferred). */
const MAX_UNACKED = 8;
/** The scheduler's tick. */
const TICK_MS = 2;
/** Falling further behind than this drops the excess instead of bursting to catch up. */
const MAX_LAG_MS = 100;
const MAX_ATTEMPTS = 12;

const args = JSON.parse(process.argv[2] ?? '{}') as LoadGenArgs;
const sendTimes = new Map<number, number>();
let nextSeq = 1;
let unexpectedCloses = 0;

/** The measured window: heartbeats sent in [from, to) have their latency recorded. */
const win = { from: Infinity, to: -Infinity, sent: 0, acked: 0, deferred: 0, missed: 0, hist: new Histogram() };

const hooks = {
  onAck(agent: SimAgent, seq: number) {
    const sentAt = sendTimes.get(seq);
    if (sentAt === undefined) return;
    sendTimes.delete(seq);
    agent.unacked--;
    const now = performance.now();
    if (now >= win.from && now < win.to) win.acked++;
    if (sentAt >= win.from && sentAt < win.to) win.hist.record(now - sentAt);
  },
  onWelcome(agent: SimAgent) {
    const seq = nextSeq++;
    sendTimes.set(seq, performance.now());
    agent.beat(seq);
  },
  onLost() {
    unexpectedCloses++;
  },
};

const keysStarted = performance.now();
const agents: SimAgent[] = [];
for (let i = args.from; i < args.to; i++) agents.push(new SimAgent(i, benchSealSigner(i), args.sourceIps[(i - args.from) % args.sourceIps.length], hooks));
const keysMs = performance.now() - keysStarted;

// ── the heartbeat scheduler: one loop for the life of the process ──
let baseRate = 0;
let windowRate: { rate: number; until: number } | null = null;
let credit = 0;
let lastTick = performance.now();
let cursor = 0;

function tick(): void {
  const now = performance.now();
  const measuring = windowRate !== null && now < windowRate.until;
  const rate = measuring ? windowRate!.rate : baseRate;
  credit += (rate * (now - lastTick)) / 1000;
  lastTick = now;
  const cap = Math.max(1, (rate * MAX_LAG_MS) / 1000);
  if (credit > cap) {
    if (measuring && now >= win.from) win.missed += Math.floor(credit - cap);
    credit = cap;
  }
  for (; credit >= 1; credit--) {
    let tried = 0;
    while (tried < agents.length && (agents[cursor].state !== 'welcomed' || agents[cursor].unacked >= MAX_UNACKED)) {
      cursor = (cursor + 1) % agents.length;
      tried++;
    }
    if (tried === agents.length) {
      if (measuring && now >= win.from) win.deferred += Math.floor(credit);
      credit = 0;
      break;
    }
    const seq = nextSeq++;
    sendTimes.set(seq, now);
    agents[cursor].beat(seq);
    if (now >= win.from && now < win.to) win.sent++;
    cursor = (cursor + 1) % agents.length;
  }
}
setInterval(tick, TICK_MS);
setInterval(() => {
  baseRate = (agents.filter((a) => a.state === 'welcomed').length * 1000) / BASE_INTERVAL_MS;
}, 250);

function reply(msg: LoadReply): void {
  process.send?.(msg);
}

/** Connects every agent not yet welcomed, `concurrency` at a time, retrying failures with the agent's backoff. */
async function connectAll(concurrency: number, timeoutMs: number): Promise<ConnectReport> {
  const started = performance.now();
  const deadline = started + timeoutMs;
  const latency = new Histogram();
  const failures: Record<string, number> = {};
  let retries = 0;
  let failed = 0;
  const todo = agents.filter((a) => a.state !== 'welcomed');
  let next = 0;
  const lane = async () => {
    while (next < todo.length) {
      const agent = todo[next++];
      const first = performance.now();
      const backoff = createReconnectBackoff({ name: 'bench-reconnect' });
      for (let attempt = 1; ; attempt++) {
        const result = await agent.attempt(args.url, Math.max(1, deadline - performance.now()));
        if (result.ok) {
          latency.record(performance.now() - first);
          break;
        }
        failures[result.why] = (failures[result.why] ?? 0) + 1;
        const wait = backoff.next();
        if (attempt >= MAX_ATTEMPTS || performance.now() + wait >= deadline) {
          failed++;
          break;
        }
        retries++;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, todo.length)) }, lane));
  const welcomed = agents.filter((a) => a.state === 'welcomed').length;
  return { type: 'connected', welcomed, failed, retries, failures, latency: latency.toJSON(), elapsedMs: performance.now() - started };
}

/** Raises the rate to `ratePerSec` for warmup+measure; reports on the heartbeats sent in the measure part. */
async function beat(c: Extract<LoadCommand, { cmd: 'beat' }>): Promise<BeatReport> {
  const start = performance.now();
  Object.assign(win, { from: start + c.warmupMs, to: start + c.warmupMs + c.measureMs, sent: 0, acked: 0, deferred: 0, missed: 0, hist: new Histogram() });
  windowRate = { rate: c.ratePerSec, until: win.to };
  await new Promise((r) => setTimeout(r, win.to - start));
  // Every ack of a window heartbeat lands in the window's histogram, so the difference is what is missing.
  const pending = () => win.sent - win.hist.count;
  const drainUntil = performance.now() + c.drainMs;
  while (pending() > 0 && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
  return {
    type: 'beaten',
    sentInWindow: win.sent,
    ackedInWindow: win.acked,
    ackedOfWindow: win.hist.count,
    lostFromWindow: pending(),
    deferred: win.deferred,
    missed: win.missed,
    latency: win.hist.toJSON(),
    unexpectedCloses,
  };
}

async function drop(): Promise<number> {
  const open = agents.filter((a) => a.state !== 'idle').length;
  await Promise.all(agents.map((a) => a.drop()));
  sendTimes.clear();
  return open;
}

async function handle(c: LoadCommand): Promise<void> {
  if (c.cmd === 'connect') reply(await connectAll(c.concurrency, c.timeoutMs));
  else if (c.cmd === 'beat') reply(await beat(c));
  else if (c.cmd === 'drop') reply({ type: 'dropped', closed: await drop() });
  else if (c.cmd === 'exit') {
    await drop();
    process.exit(0);
  }
}

process.on('message', (c: LoadCommand) => {
  handle(c).catch((err: Error) => {
    process.stderr.write(`load-gen ${args.from}-${args.to}: ${err.stack}\n`);
    process.exit(1);
  });
});
process.on('disconnect', () => process.exit(0));
setTimeout(() => {
  process.stderr.write(`load-gen ${args.from}-${args.to}: lifetime of ${args.maxLifetimeMs} ms reached, exiting\n`);
  process.exit(3);
}, args.maxLifetimeMs).unref();
reply({ type: 'ready', agents: agents.length, keysMs });
