/**
 * The peer of the connection figure: a bare `ws` server (no compression, as Carillon)
 * that answers `hello` with a uaid and keeps each socket in a map by uaid, the least a
 * push service must hold per idle client.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { main, onMessage, send } from '../lib/ipc.ts';

main(async () => {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, path: '/push/ws', perMessageDeflate: false });
  const byUaid = new Map<string, WebSocket>();
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { messageType?: string };
      if (m.messageType !== 'hello') return;
      const uaid = randomBytes(16).toString('hex');
      byUaid.set(uaid, ws);
      ws.on('close', () => byUaid.delete(uaid));
      ws.send(JSON.stringify({ messageType: 'hello', uaid, status: 200, use_webpush: true, broadcasts: {} }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  onMessage(async (message) => {
    if (message.type === 'memory') {
      const gc = (globalThis as { gc?: () => void }).gc;
      for (let i = 0; i < 3; i++) {
        gc?.();
        await new Promise((r) => setTimeout(r, 50));
      }
      send({ type: 'memory', ...process.memoryUsage() });
    } else if (message.type === 'stop') {
      for (const ws of wss.clients) ws.terminate();
      server.close();
      await send({ type: 'stopped' });
      process.exit(0);
    }
  });
  send({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
});
