/**
 * The peer of the fan-out figure: the best a user of the `web-push` package can do on
 * the same sink. Subscriptions are streamed from the same seeded SQLite file, page by
 * page, and sent with `sendNotification` over one keep-alive https.Agent with 100
 * requests in flight (web-push signs VAPID and encrypts on the calling thread).
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import SQLite from 'better-sqlite3';
import webpush from 'web-push';
import { childArgs, main, onMessage, peakRssKb, send, wallNow } from '../lib/ipc.ts';

export interface PeerArgs {
  dbFile: string;
  appId: string;
  caFile: string;
  concurrency: number;
  /** The same Declarative Web Push JSON Carillon sends. */
  payload: string;
  ttl: number;
}

const PAGE = 1_000;

main(async () => {
  const args = childArgs<PeerArgs>();
  const db = new SQLite(args.dbFile);
  const page = db.prepare('select seq, address, p256dh, auth from subscriptions where app_id = ? and seq > ? order by seq limit ?');
  const agent = new https.Agent({ keepAlive: true, maxSockets: args.concurrency, ca: readFileSync(args.caFile) });
  const vapid = webpush.generateVAPIDKeys();
  const options = {
    TTL: args.ttl,
    agent,
    vapidDetails: { subject: 'mailto:bench@example.org', publicKey: vapid.publicKey, privateKey: vapid.privateKey },
  };

  onMessage(async (message) => {
    if (message.type === 'go') {
      const t0 = wallNow();
      const cpu0 = process.cpuUsage();
      let buffer: { seq: number; address: string; p256dh: string; auth: string }[] = [];
      let cursor = 0;
      let done = false;
      const next = () => {
        if (buffer.length === 0 && !done) {
          buffer = page.all(args.appId, cursor, PAGE) as typeof buffer;
          buffer.reverse();
          if (buffer.length < PAGE) done = true;
          if (buffer.length > 0) cursor = buffer[0]!.seq;
        }
        return buffer.pop();
      };
      let sent = 0;
      let errors = 0;
      let firstError = '';
      const worker = async () => {
        for (let s = next(); s; s = next()) {
          try {
            await webpush.sendNotification({ endpoint: s.address, keys: { p256dh: s.p256dh, auth: s.auth } }, args.payload, options);
            sent++;
          } catch (err) {
            errors++;
            firstError ||= String((err as Error).message ?? err);
          }
        }
      };
      await Promise.all(Array.from({ length: args.concurrency }, worker));
      const cpu = process.cpuUsage(cpu0);
      send({ type: 'sent', t0, tEnd: wallNow(), sent, errors, firstError, cpuMs: (cpu.user + cpu.system) / 1000 });
    } else if (message.type === 'stop') {
      agent.destroy();
      db.close();
      await send({ type: 'stopped', maxRssKb: peakRssKb() });
      process.exit(0);
    }
  });
  send({ type: 'ready' });
});
