/**
 * The authenticators of section 14: one Firefox-like push client per enrolled device on
 * Carillon's own push service (subprotocol push-notification, `hello`, `register` with
 * the app's VAPID key, RFC 8291 decryption of every push, one `ack` each), each holding a
 * non-extractable P-256 key (test/mfa/device.ts) that signs its requests.
 *
 * On a sign-in push (ids only, src/mfa/push.ts) a device does what the reference
 * authenticator does: it fetches the details with a signed request, then signs the
 * answer with the code the user read off the login screen (the harness plays the user
 * and hands the code over by IPC) and posts it. Each step's wall-clock time goes back to
 * the harness, which plays the login server.
 *
 * Every device speaks from an address of its own behind a loopback proxy
 * (X-Forwarded-For, with the server trusting 127.0.0.1), so the per-address limits of
 * the push service and of the device routes apply as they would to real phones.
 */
import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import WebSocket from 'ws';
import { decodeBase64url, encodeBase64url } from '../../src/protocol/webpush/base64url.ts';
import { decryptWebPush } from '../../src/protocol/webpush/ece.ts';
import { newDevice, nonce, type TestDevice } from '../../test/mfa/device.ts';
import { childArgs, main, onMessage, send, wallNow } from '../lib/ipc.ts';

export interface DevicesArgs {
  /** http://127.0.0.1:port of the Carillon process (API and push service). */
  base: string;
  appId: string;
  /** The app's VAPID public key (base64url), the applicationServerKey of each subscription. */
  vapidPublicKey: string;
}

export interface Enrollment {
  userId: string;
  token: string;
}

/** Enrollments in progress at once. */
const PARALLEL = 20;
/** s; lifetime of a signed request: short, as the reference authenticator makes them. */
const SIGNED_LIFETIME_S = 60;

interface Phone {
  userId: string;
  address: string;
  ws: WebSocket;
  channelID: string;
  uaPrivate: Buffer;
  uaPublic: Buffer;
  authSecret: Buffer;
  device: TestDevice;
}

/** 10.x.y.z from the device's number: a private range (RFC 1918), one address per phone. */
const addressOf = (k: number) => `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;

main(async () => {
  const { base, appId, vapidPublicKey } = childArgs<DevicesArgs>();
  const wsUrl = `${base.replace(/^http/, 'ws')}/push/ws`;
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  const phones: Phone[] = [];
  /** The code the user read off the login screen, by challenge; or who waits for it. */
  const codes = new Map<string, string>();
  const waitingForCode = new Map<string, (code: string) => void>();

  const call = async (phone: { address: string }, path: string, body: unknown) => {
    const res = await request(`${base}${path}`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', 'x-forwarded-for': phone.address }, body: JSON.stringify(body) });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
  };

  const signed = (phone: Phone, payload: Record<string, unknown>) => phone.device.sign({ ...payload, nonce: nonce(), exp: Math.floor(Date.now() / 1000) + SIGNED_LIFETIME_S });

  /** The reference authenticator's flow for one sign-in push. */
  const onSignIn = async (phone: Phone, challengeId: string, pushAt: number) => {
    send({ type: 'push', challengeId, t: pushAt });
    const path = `/v1/apps/${appId}/mfa/challenges/${challengeId}`;
    const details = await call(phone, `${path}/details`, { request: await signed(phone, { challengeId, purpose: 'details' }) });
    if (details.status !== 200) throw new Error(`details: ${details.status} ${JSON.stringify(details.body)}`);
    const detailsAt = wallNow();
    const code = codes.get(challengeId) ?? (await new Promise<string>((resolve) => waitingForCode.set(challengeId, resolve)));
    codes.delete(challengeId);
    const answerFrom = wallNow();
    const answer = await call(phone, `${path}/answer`, { answer: await signed(phone, { challengeId, purpose: 'answer', decision: 'approve', code }) });
    if (answer.status !== 200) throw new Error(`answer: ${answer.status} ${JSON.stringify(answer.body)}`);
    send({ type: 'answered', challengeId, detailsAt, answerFrom, t: wallNow(), status: answer.body.status });
  };

  const onFrame = (phone: Phone, frame: any) => {
    if (frame.messageType !== 'notification') return;
    const at = wallNow();
    let plaintext: string;
    // Firefox's ack codes: 100 delivered, 101 decryption failed.
    try {
      plaintext = decryptWebPush({ body: decodeBase64url(String(frame.data)), uaPrivate: phone.uaPrivate, uaPublic: phone.uaPublic, authSecret: phone.authSecret }).toString('utf8');
    } catch (err) {
      phone.ws.send(JSON.stringify({ messageType: 'ack', updates: [{ channelID: frame.channelID, version: frame.version, code: 101 }] }));
      send({ type: 'device-error', message: `a push did not decrypt: ${(err as Error).message}` });
      return;
    }
    phone.ws.send(JSON.stringify({ messageType: 'ack', updates: [{ channelID: frame.channelID, version: frame.version, code: 100 }] }));
    const data = (JSON.parse(plaintext) as { notification?: { data?: { mfa?: string; challengeId?: string } } }).notification?.data;
    if (data?.mfa !== 'challenge' || typeof data.challengeId !== 'string') return;
    const challengeId = data.challengeId;
    onSignIn(phone, challengeId, at).catch((err: Error) => send({ type: 'device-error', challengeId, message: err.message }));
  };

  /** Connects as Firefox does, subscribes once, enrolls the device with the token. */
  const enroll = async (k: number, e: Enrollment): Promise<void> => {
    const address = addressOf(k + 1);
    const ws = new WebSocket(wsUrl, 'push-notification', { perMessageDeflate: false, headers: { 'x-forwarded-for': address } });
    const frames: any[] = [];
    let wake: (() => void) | undefined;
    const frame = async (match: (f: any) => boolean) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const i = frames.findIndex(match);
        if (i >= 0) return frames.splice(i, 1)[0];
        if (Date.now() > deadline) throw new Error(`no answer from the push service: ${JSON.stringify(frames)}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 1_000);
        });
      }
    };
    let phone: Phone | undefined;
    ws.on('message', (data) => {
      const f = JSON.parse(String(data));
      if (phone && f.messageType === 'notification') onFrame(phone, f);
      else {
        frames.push(f);
        wake?.();
      }
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ messageType: 'hello', broadcasts: {}, use_webpush: true }));
    const hello = await frame((f) => f.messageType === 'hello');
    if (hello.status !== 200) throw new Error(`hello: ${JSON.stringify(hello)}`);
    const channelID = randomUUID();
    // "The Push server requires padding" (Firefox's PushServiceWebSocket.register).
    ws.send(JSON.stringify({ messageType: 'register', channelID, key: decodeBase64url(vapidPublicKey).toString('base64').replace(/\+/g, '-').replace(/\//g, '_') }));
    const reg = await frame((f) => f.messageType === 'register');
    if (reg.status !== 200) throw new Error(`register: ${JSON.stringify(reg)}`);
    const ecdh = createECDH('prime256v1');
    const uaPublic = ecdh.generateKeys();
    const authSecret = randomBytes(16);
    const device = await newDevice();
    const res = await call({ address }, `/v1/apps/${appId}/mfa/devices`, {
      token: e.token,
      publicKey: device.publicJwk,
      name: `Bench phone ${k}`,
      subscription: { channel: 'webpush', endpoint: reg.pushEndpoint, keys: { p256dh: encodeBase64url(uaPublic), auth: encodeBase64url(authSecret) } },
    });
    if (res.status !== 201) throw new Error(`enroll: ${res.status} ${JSON.stringify(res.body)}`);
    device.id = res.body.id;
    phone = { userId: e.userId, address, ws, channelID, uaPrivate: ecdh.getPrivateKey(), uaPublic, authSecret, device };
    phones.push(phone);
  };

  onMessage(async (message) => {
    if (message.type === 'enroll') {
      const list = message.enrollments as Enrollment[];
      let next = 0;
      let failed = 0;
      let firstError = '';
      const first = phones.length;
      const worker = async () => {
        while (next < list.length) {
          const k = next++;
          await enroll(first + k, list[k]!).catch((err: Error) => {
            failed++;
            firstError ||= err.message;
          });
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));
      send({ type: 'enrolled', count: phones.length, failed, firstError });
    } else if (message.type === 'code') {
      const challengeId = String(message.challengeId);
      const code = String(message.code);
      const waiting = waitingForCode.get(challengeId);
      if (waiting) {
        waitingForCode.delete(challengeId);
        waiting(code);
      } else codes.set(challengeId, code);
    } else if (message.type === 'stop') {
      for (const p of phones) p.ws.terminate();
      await agent.close();
      await send({ type: 'stopped' });
      process.exit(0);
    }
  });
  send({ type: 'ready' });
});
