/**
 * A WebSocket client that speaks to the push service the way Firefox's
 * PushServiceWebSocket does: `push-notification` subprotocol, `hello` with
 * `use_webpush` (and the uaid only when it holds subscriptions), `register` with the
 * applicationServerKey as padded base64url, `{}` pings, and one `ack` frame per
 * notification after decrypting it with the subscription's own keys (RFC 8291).
 */
import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { decodeBase64url, encodeBase64url } from '../../src/protocol/webpush/base64url.ts';
import { decryptWebPush } from '../../src/protocol/webpush/ece.ts';

export interface BrowserSubscription {
  channelID: string;
  endpoint: string;
  /** What PushSubscription.toJSON().keys gives a site. */
  keys: { p256dh: string; auth: string };
  uaPrivate: Buffer;
  uaPublic: Buffer;
  authSecret: Buffer;
}

export interface ReceivedNotification {
  channelID: string;
  version: string;
  data?: string;
  headers?: Record<string, string>;
  /** The decrypted payload as UTF-8, or '' without data or when it did not decrypt. */
  plaintext: string;
  /** The ack code this client answers with: 100 delivered, 101 decryption failed, 102 unknown subscription. */
  code: number;
}

/** What a Firefox profile keeps between connections: its uaid and its subscriptions' keys. */
export class FirefoxProfile {
  uaid: string | null = null;
  readonly subscriptions = new Map<string, BrowserSubscription>();

  /** Opens a connection and completes the `hello` handshake. */
  async connect(wsUrl: string): Promise<FirefoxConnection> {
    const connection = new FirefoxConnection(this, new WebSocket(wsUrl, 'push-notification', { perMessageDeflate: false }));
    await connection.opened;
    // Firefox sends its uaid only when it has subscriptions (bug 1617136).
    const hello: Record<string, unknown> = {
      messageType: 'hello',
      broadcasts: { 'remote-settings/monitor_changes': '"0"' },
      use_webpush: true,
    };
    if (this.uaid !== null && this.subscriptions.size > 0) hello.uaid = this.uaid;
    connection.send(hello);
    const reply = await connection.waitFrame((f) => f.messageType === 'hello');
    if (reply.uaid !== this.uaid) this.subscriptions.clear(); // Firefox drops its records on a new uaid
    this.uaid = reply.uaid;
    connection.helloReply = reply;
    return connection;
  }
}

export class FirefoxConnection {
  readonly frames: any[] = [];
  readonly notifications: ReceivedNotification[] = [];
  helloReply: any;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Ack each notification automatically after decrypting it, as Firefox does. */
  autoAck = true;
  readonly #waiters = new Set<{ match: (frame: any) => boolean; resolve: (frame: any) => void }>();

  constructor(
    readonly profile: FirefoxProfile,
    readonly ws: WebSocket,
  ) {
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data) => this.#onFrame(JSON.parse(data.toString())));
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Subscribes like `pushManager.subscribe({ applicationServerKey })`; throws on a non-200 status. */
  async subscribe(applicationServerKey?: string): Promise<BrowserSubscription> {
    const reply = await this.register(applicationServerKey);
    if (reply.status !== 200) throw new Error(`register answered ${reply.status}`);
    const ecdh = createECDH('prime256v1');
    const uaPublic = ecdh.generateKeys();
    const authSecret = randomBytes(16);
    const subscription: BrowserSubscription = {
      channelID: reply.channelID,
      endpoint: reply.pushEndpoint,
      keys: { p256dh: encodeBase64url(uaPublic), auth: encodeBase64url(authSecret) },
      uaPrivate: ecdh.getPrivateKey(),
      uaPublic,
      authSecret,
    };
    this.profile.subscriptions.set(subscription.channelID, subscription);
    return subscription;
  }

  /** Sends `register` and returns the raw reply. */
  async register(applicationServerKey?: string, channelID: string = randomUUID()): Promise<any> {
    const frame: Record<string, unknown> = { channelID, messageType: 'register' };
    // "The Push server requires padding" (PushServiceWebSocket.register).
    if (applicationServerKey) frame.key = decodeBase64url(applicationServerKey).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    this.send(frame);
    return this.waitFrame((f) => f.messageType === 'register' && f.channelID.toLowerCase() === channelID.toLowerCase());
  }

  async unsubscribe(channelID: string): Promise<any> {
    this.send({ channelID, messageType: 'unregister', code: 200 });
    const reply = await this.waitFrame((f) => f.messageType === 'unregister' && f.channelID === channelID);
    this.profile.subscriptions.delete(channelID);
    return reply;
  }

  ack(channelID: string, version: string, code = 100): void {
    this.send({ messageType: 'ack', updates: [{ channelID, version, code }] });
  }

  /** Resolves with the next notification not yet taken, waiting for it if needed. */
  async nextNotification(timeoutMs = 5_000): Promise<ReceivedNotification> {
    const taken = this.#taken;
    if (this.notifications.length > taken) {
      this.#taken++;
      return this.notifications[taken]!;
    }
    await this.waitFrame((f) => f.messageType === 'notification', timeoutMs, this.frames.length);
    return this.nextNotification(timeoutMs);
  }
  #taken = 0;

  /** Resolves with the first frame matching, from `from` on (frames already received count). */
  waitFrame(match: (frame: any) => boolean, timeoutMs = 5_000, from = 0): Promise<any> {
    const found = this.frames.slice(from).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (frame: any) => {
          clearTimeout(timer);
          resolve(frame);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5))}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Resolves true if a notification arrives within `ms`, false otherwise (for "nothing arrives" checks). */
  async notificationWithin(ms: number): Promise<boolean> {
    try {
      await this.waitFrame((f) => f.messageType === 'notification', ms, this.frames.length);
      return true;
    } catch {
      return this.notifications.length > this.#taken;
    }
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    await this.closed;
  }

  #onFrame(frame: any): void {
    if (frame.messageType === 'notification') {
      const subscription = this.profile.subscriptions.get(frame.channelID);
      let plaintext = '';
      // Firefox's codes: 100 delivered, 101 decryption failed, 102 no such subscription.
      let code = subscription ? 100 : 102;
      if (typeof frame.data === 'string' && subscription) {
        try {
          plaintext = decryptWebPush({ body: decodeBase64url(frame.data), ...subscription }).toString('utf8');
        } catch {
          code = 101;
        }
      }
      this.notifications.push({ ...frame, plaintext, code });
      if (this.autoAck) this.ack(frame.channelID, frame.version, code);
    }
    this.frames.push(frame);
    for (const waiter of this.#waiters) {
      if (waiter.match(frame)) {
        this.#waiters.delete(waiter);
        waiter.resolve(frame);
      }
    }
  }
}
