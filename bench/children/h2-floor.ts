/**
 * The peer of the app push figures: a bare node:http2 client on one session with 100
 * streams in flight, sending requests made by Carillon's own pure builders (so the bytes
 * are the same) to the same simulator. No store, no queue, no retries: the floor of
 * HTTP/2 sending on this machine against this simulator.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { apnsSigningKey, signProviderToken } from '../../src/protocol/apns/provider-token.ts';
import { parseTokenResponse, signAssertion, tokenRequestBody } from '../../src/protocol/fcm/assertion.ts';
import { buildApnsPayloadFor } from '../../src/providers/apns/build-payload.ts';
import { buildApnsRequest } from '../../src/providers/apns/build-request.ts';
import type { OutgoingMessage } from '../../src/providers/channel.ts';
import { buildFcmMessageFor } from '../../src/providers/fcm/build-message.ts';
import { buildFcmRequest } from '../../src/providers/fcm/build-request.ts';
import { BROADCAST, TTL } from '../lib/content.ts';
import { childArgs, main, onMessage, peakRssKb, send, wallNow } from '../lib/ipc.ts';

export interface FloorArgs {
  provider: 'apns' | 'fcm';
  url: string;
  tokensFile: string;
  caFile: string;
  concurrency: number;
  apns?: { keyId: string; teamId: string; key: string; topic: string };
  fcm?: Record<string, string>;
}

interface Answer {
  status: number;
  body: string;
}

main(async () => {
  const args = childArgs<FloorArgs>();
  const tokens = readFileSync(args.tokensFile, 'utf8').split('\n').filter(Boolean);
  const session = http2.connect(args.url, { ca: readFileSync(args.caFile) });
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  const request = (path: string, headers: Record<string, string>, body: Uint8Array | string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const stream = session.request({ ':method': 'POST', ':path': path, ...headers });
      let status = 0;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
      stream.on('error', reject);
      stream.end(body);
    });

  const message: OutgoingMessage = { id: 'ntf_floor0123456789abcd', appId: 'app_floor', content: BROADCAST, ttl: TTL, urgency: 'normal', topic: null };
  const nowS = () => Math.floor(Date.now() / 1000);
  let build: (token: string, i: number) => { path: string; headers: Record<string, string>; body: Uint8Array };
  if (args.provider === 'apns') {
    const creds = args.apns!;
    const authorization = `bearer ${signProviderToken({ key: apnsSigningKey(creds.key), keyId: creds.keyId, teamId: creds.teamId, issuedAt: nowS() })}`;
    const payload = Buffer.from(JSON.stringify(buildApnsPayloadFor(message.id, message.content)));
    build = (token, i) => buildApnsRequest({ id: `sub_${i}`, address: token, environment: 'production', appTopic: null }, message, { apnsUrl: args.url, defaultTopic: creds.topic, authorization, payload, nowMs: Date.now() });
  } else {
    const account = args.fcm!;
    const assertion = signAssertion({ key: createPrivateKey(account.private_key!), clientEmail: account.client_email!, privateKeyId: account.private_key_id!, audience: account.token_uri!, issuedAt: nowS() });
    const answer = await request(new URL(account.token_uri!).pathname, { 'content-type': 'application/x-www-form-urlencoded' }, tokenRequestBody(assertion));
    const { accessToken } = parseTokenResponse(answer.status, answer.body);
    build = (token) => buildFcmRequest(args.url, account.project_id!, accessToken, buildFcmMessageFor(message.id, token, message));
  }

  onMessage(async (m) => {
    if (m.type === 'go') {
      const t0 = wallNow();
      const statuses: Record<string, number> = {};
      let next = 0;
      const worker = async () => {
        while (next < tokens.length) {
          const i = next++;
          const req = build(tokens[i]!, i);
          const res = await request(req.path, req.headers, req.body);
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        }
      };
      await Promise.all(Array.from({ length: args.concurrency }, worker));
      send({ type: 'sent', t0, statuses });
    } else if (m.type === 'stop') {
      session.close();
      await send({ type: 'stopped', maxRssKb: peakRssKb() });
      process.exit(0);
    }
  });
  send({ type: 'ready' });
});
