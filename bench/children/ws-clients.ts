/**
 * Idle push clients for section 6: WebSockets that connect as Firefox does to its push
 * service (subprotocol push-notification, a `hello`), then stay open doing nothing.
 */
import WebSocket from 'ws';
import { childArgs, main, onMessage, send } from '../lib/ipc.ts';

export interface ClientsArgs {
  url: string;
}

/** Handshakes in progress at once. */
const PARALLEL = 100;

main(async () => {
  const { url } = childArgs<ClientsArgs>();
  const sockets: WebSocket[] = [];
  const connect = () =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(url, 'push-notification', { perMessageDeflate: false });
      const timer = setTimeout(() => reject(new Error('no hello answer within 30 s')), 30_000);
      ws.once('open', () => ws.send(JSON.stringify({ messageType: 'hello', use_webpush: true, broadcasts: {} })));
      ws.once('message', (data) => {
        clearTimeout(timer);
        const answer = JSON.parse(String(data)) as { messageType?: string; status?: number };
        if (answer.messageType !== 'hello' || answer.status !== 200) reject(new Error(`unexpected answer ${String(data)}`));
        else resolve();
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      sockets.push(ws);
    });

  onMessage(async (message) => {
    if (message.type === 'open') {
      // Opens `count` more clients.
      const count = Number(message.count);
      let failed = 0;
      let firstError = '';
      let next = 0;
      const worker = async () => {
        while (next < count) {
          next++;
          await connect().catch((err: Error) => {
            failed++;
            firstError ||= err.message;
          });
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));
      send({ type: 'opened', open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length, failed, firstError });
    } else if (message.type === 'stop') {
      for (const s of sockets) s.terminate();
      await send({ type: 'stopped' });
      process.exit(0);
    }
  });
  send({ type: 'ready' });
});
