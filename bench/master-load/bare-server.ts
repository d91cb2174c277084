/**
 * The yardstick: a bare `ws` server with the master's socket settings (no compression, same frame
 * cap, same HTTP server) that only JSON-parses each frame and answers it. It speaks just enough of
 * protocol v1 for the same load generators to drive it: a challenge on connect, a welcome for any
 * auth (no signature check, no pool), an ack for every heartbeat. No validation, no state.
 * argv[2]: JSON of { maxLifetimeMs }.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES } from '../../shared/protocol/messages.ts';
import { announceReady, serveRunner } from './server-child.ts';

const { maxLifetimeMs } = JSON.parse(process.argv[2] ?? '{}') as { maxLifetimeMs: number };
const started = performance.now();
const WELCOME = JSON.stringify({ type: 'welcome', nodeId: 'x', joinToken: 'K10…', serverUrl: 'https://127.0.0.1:6443', heartbeatIntervalMs: 10_000, offlineAfterMs: 40_000, labels: {} });

const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_FRAME_BYTES, perMessageDeflate: false });
server.on('upgrade', (req, socket, head) => {
  if (req.url !== '/v1/agent') return socket.destroy();
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.send(JSON.stringify({ type: 'challenge', v: 1, nonce: randomBytes(32).toString('base64'), masterId: 'bare' }));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; seq?: number };
      if (msg.type === 'heartbeat') ws.send(JSON.stringify({ type: 'ack', seq: msg.seq }));
      else if (msg.type === 'auth') ws.send(WELCOME);
    });
    ws.on('error', () => undefined);
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveRunner('bare-server', maxLifetimeMs, async () => {
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  announceReady(`http://127.0.0.1:${port}`, performance.now() - started);
});
