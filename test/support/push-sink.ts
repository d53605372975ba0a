/**
 * A loopback push service (RFC 8030 §5) standing in for a browser vendor's in
 * integration tests: it hands out subscriptions, checks each push request the
 * way Mozilla's, Google's and Apple's services do (TTL, aes128gcm, VAPID per
 * RFC 8292 §4, the 4096-byte limit), decrypts the message as the browser would,
 * and records it. Fault switches make it answer 429, 5xx or 410 on demand.
 */
import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { decodeBase64url, encodeBase64url } from '../../src/protocol/webpush/base64url.ts';
import { MAX_BODY_BYTES, decryptWebPush } from '../../src/protocol/webpush/ece.ts';
import { ProtocolError, VapidTokenError } from '../../src/protocol/webpush/errors.ts';
import { isUrgency, parseTtlHeader, validateTopic } from '../../src/protocol/webpush/headers.ts';
import { verifyVapidAuthorization, type VapidClaims } from '../../src/protocol/webpush/vapid.ts';

export interface PushSinkOptions {
  /** Serve HTTP/2 over cleartext (h2c, prior knowledge) instead of HTTP/1.1. */
  http2?: boolean;
  /** Check headers, VAPID and encryption as a real push service does (default true). */
  verify?: boolean;
  /** Unix seconds for VAPID expiry checks; the wall clock unless given. */
  now?: () => number;
}

export interface SubscribeOptions {
  /** Makes a restricted subscription (RFC 8292 §4.2): pushes must be signed by this key. */
  applicationServerKey?: string;
}

/** What a browser's PushSubscription.toJSON() carries, plus the sink's id for it. */
export interface SinkSubscription {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface CannedResponse {
  status: number;
  /** Seconds, sent as Retry-After (RFC 9110 §10.2.3). */
  retryAfter?: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface ReceivedPush {
  subscriptionId: string;
  endpoint: string;
  headers: { ttl: number | null; urgency: string | null; topic: string | null };
  vapidPublicKey: string | null;
  vapidClaims: VapidClaims | null;
  /** The decrypted payload as UTF-8: '' for a push without payload (or, unverified, one that did not decrypt). */
  plaintext: string;
  /** The payload parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  /** The encrypted body as received. */
  body: Buffer;
  receivedAt: number;
  httpVersion: string;
}

export interface SinkResponse {
  subscriptionId: string | null;
  status: number;
  reason: string;
}

export interface PushSink {
  /** The origin, e.g. http://127.0.0.1:41234; also the VAPID audience. */
  readonly url: string;
  readonly received: ReceivedPush[];
  /** Every answer given, in order, including failures and canned ones. */
  readonly responses: SinkResponse[];
  readonly requestCount: number;
  /** TCP connections accepted, to check that senders reuse them. */
  readonly connections: number;
  subscribe(options?: SubscribeOptions): SinkSubscription;
  /** Queues answers for one subscription, used in order before normal behaviour resumes. */
  respondWith(endpointOrId: string, responses: CannedResponse[]): void;
  /** Answers 410 Gone for this subscription from now on. */
  gone(endpointOrId: string): void;
  /** Cuts the connection of this subscription's next request before answering it. */
  dropNext(endpointOrId: string): void;
  /** Holds every answer back by this many milliseconds. */
  setDelay(ms: number): void;
  receivedFor(endpointOrId: string): ReceivedPush[];
  /** Resolves with all recorded messages once at least `count` have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedPush[]>;
  close(): Promise<void>;
}

interface SubscriptionState {
  id: string;
  endpoint: string;
  uaPrivate: Buffer;
  uaPublic: Buffer;
  authSecret: Buffer;
  applicationServerKey: string | undefined;
  gone: boolean;
  canned: CannedResponse[];
  drops: number;
}

interface Waiter {
  count: number;
  resolve(received: ReceivedPush[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

// The parts of node:http and node:http2 (compatibility API) requests and
// responses that the sink uses, so one handler serves both.
type SinkRequest = AsyncIterable<Buffer> & {
  method?: string | undefined;
  url?: string | undefined;
  headers: IncomingHttpHeaders;
  httpVersion: string;
  socket?: { destroy(): void } | null;
};
interface SinkReply {
  writeHead(status: number, headers?: OutgoingHttpHeaders): unknown;
  end(body: string): unknown;
}

/** Reads no more than this, so that a runaway sender cannot fill memory. */
const READ_LIMIT_BYTES = 1024 * 1024;
const PATH = /^\/push\/([A-Za-z0-9_-]+)$/;

class Sink implements PushSink {
  url = '';
  readonly received: ReceivedPush[] = [];
  readonly responses: SinkResponse[] = [];
  requestCount = 0;
  connections = 0;

  readonly #subscriptions = new Map<string, SubscriptionState>();
  readonly #sockets = new Set<Socket>();
  readonly #waiters = new Set<Waiter>();
  readonly #verify: boolean;
  readonly #now: () => number;
  #delayMs = 0;
  #server: http.Server | http2.Http2Server | undefined;

  constructor(options: PushSinkOptions) {
    this.#verify = options.verify ?? true;
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  async listen(server: http.Server | http2.Http2Server): Promise<void> {
    this.#server = server;
    server.on('connection', (socket: Socket) => {
      this.connections++;
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  subscribe(options: SubscribeOptions = {}): SinkSubscription {
    const ecdh = createECDH('prime256v1');
    const uaPublic = ecdh.generateKeys();
    const id = encodeBase64url(randomBytes(16));
    const state: SubscriptionState = {
      id,
      endpoint: `${this.url}/push/${id}`,
      uaPrivate: ecdh.getPrivateKey(),
      uaPublic,
      authSecret: randomBytes(16),
      applicationServerKey: options.applicationServerKey,
      gone: false,
      canned: [],
      drops: 0,
    };
    this.#subscriptions.set(id, state);
    return {
      id,
      endpoint: state.endpoint,
      keys: { p256dh: encodeBase64url(uaPublic), auth: encodeBase64url(state.authSecret) },
    };
  }

  respondWith(endpointOrId: string, responses: CannedResponse[]): void {
    this.#lookup(endpointOrId).canned.push(...responses);
  }

  dropNext(endpointOrId: string): void {
    this.#lookup(endpointOrId).drops++;
  }

  gone(endpointOrId: string): void {
    this.#lookup(endpointOrId).gone = true;
  }

  setDelay(ms: number): void {
    this.#delayMs = ms;
  }

  receivedFor(endpointOrId: string): ReceivedPush[] {
    const { id } = this.#lookup(endpointOrId);
    return this.received.filter((push) => push.subscriptionId === id);
  }

  waitFor(count: number, timeoutMs = 5000): Promise<ReceivedPush[]> {
    if (this.received.length >= count) return Promise.resolve(this.received.slice());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        count,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(
            new Error(
              `push sink: waited ${timeoutMs} ms for ${count} message(s) but ${this.received.length} arrived; ${this.#summary()}`,
            ),
          );
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  async close(): Promise<void> {
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`push sink closed with ${this.received.length} of ${waiter.count} message(s) received`));
    }
    this.#waiters.clear();
    const server = this.#server;
    if (!server?.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Senders keep connections alive on purpose; end them so that close() returns.
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  async handle(req: SinkRequest, res: SinkReply): Promise<void> {
    this.requestCount++;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += chunk.length;
      if (size <= READ_LIMIT_BYTES) chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    if (this.#delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.#delayMs));

    const match = PATH.exec(new URL(req.url ?? '/', this.url).pathname);
    const subscription = match?.[1] ? this.#subscriptions.get(match[1]) : undefined;
    if (!subscription) return this.#fail(res, null, 404, 'no such subscription');
    const id = subscription.id;
    if (subscription.drops > 0) {
      subscription.drops--;
      this.responses.push({ subscriptionId: id, status: 0, reason: 'connection dropped' });
      req.socket?.destroy();
      return;
    }
    if (req.method !== 'POST') return this.#fail(res, id, 405, 'push messages are POSTed (RFC 8030 §5)');
    if (subscription.gone) return this.#fail(res, id, 410, 'subscription expired');
    const canned = subscription.canned.shift();
    if (canned) return this.#canned(res, id, canned);

    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const ttlHeader = header('ttl');
    const urgency = header('urgency') ?? null;
    const topic = header('topic') ?? null;
    let ttl: number | null = null;
    let vapid: { publicKey: string; claims: VapidClaims } | null = null;
    let plaintext: Buffer = Buffer.alloc(0);

    if (this.#verify) {
      if (size > MAX_BODY_BYTES) return this.#fail(res, id, 413, `body of ${size} bytes exceeds ${MAX_BODY_BYTES}`);
      // RFC 8030 §5.2: the TTL header is required.
      if (ttlHeader === undefined) return this.#fail(res, id, 400, 'missing TTL header');
      try {
        ttl = parseTtlHeader(ttlHeader);
        if (topic !== null) validateTopic(topic);
      } catch (error) {
        return this.#fail(res, id, 400, errorReason(error));
      }
      if (urgency !== null && !isUrgency(urgency)) return this.#fail(res, id, 400, 'invalid Urgency');
      const authorization = header('authorization');
      if (!authorization) return this.#fail(res, id, 401, 'missing VAPID authorization');
      try {
        vapid = verifyVapidAuthorization(authorization, {
          audience: this.url,
          now: this.#now(),
          ...(subscription.applicationServerKey !== undefined && {
            expectedPublicKey: subscription.applicationServerKey,
          }),
        });
      } catch (error) {
        // RFC 8292 §4.2: a key other than the subscription's is 403; anything else is 401.
        const status = error instanceof VapidTokenError && error.reason === 'key_mismatch' ? 403 : 401;
        return this.#fail(res, id, status, errorReason(error));
      }
      if (body.length > 0) {
        if (header('content-encoding')?.toLowerCase() !== 'aes128gcm') {
          return this.#fail(res, id, 415, 'Content-Encoding must be aes128gcm');
        }
        try {
          plaintext = decryptWebPush({ body, ...subscription });
        } catch (error) {
          return this.#fail(res, id, 400, errorReason(error));
        }
      }
    } else {
      ttl = ttlHeader !== undefined && /^\d+$/.test(ttlHeader.trim()) ? Number(ttlHeader) : null;
      try {
        if (body.length > 0) plaintext = decryptWebPush({ body, ...subscription });
      } catch {
        // Unverified mode records what arrived, decryptable or not.
      }
    }

    const text = plaintext.toString('utf8');
    this.#record({
      subscriptionId: id,
      endpoint: subscription.endpoint,
      headers: { ttl, urgency, topic },
      vapidPublicKey: vapid?.publicKey ?? null,
      vapidClaims: vapid?.claims ?? null,
      plaintext: text,
      json: parseJson(text),
      body,
      receivedAt: Date.now(),
      httpVersion: req.httpVersion,
    });
    this.responses.push({ subscriptionId: id, status: 201, reason: 'created' });
    // RFC 8030 §5: 201 with the push message resource in Location; §5.2: the TTL kept.
    const headers: OutgoingHttpHeaders = { location: `${this.url}/message/${randomUUID()}` };
    if (ttl !== null) headers.ttl = String(ttl);
    res.writeHead(201, headers);
    res.end('');
  }

  #record(push: ReceivedPush): void {
    this.received.push(push);
    for (const waiter of this.#waiters) {
      if (this.received.length >= waiter.count) {
        clearTimeout(waiter.timer);
        this.#waiters.delete(waiter);
        waiter.resolve(this.received.slice());
      }
    }
  }

  #fail(res: SinkReply, subscriptionId: string | null, status: number, reason: string): void {
    this.responses.push({ subscriptionId, status, reason });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: status, reason }));
  }

  #canned(res: SinkReply, subscriptionId: string, canned: CannedResponse): void {
    this.responses.push({ subscriptionId, status: canned.status, reason: 'canned' });
    const headers: OutgoingHttpHeaders = { ...canned.headers };
    if (canned.retryAfter !== undefined) headers['retry-after'] = String(canned.retryAfter);
    res.writeHead(canned.status, headers);
    res.end(canned.body ?? '');
  }

  #lookup(endpointOrId: string): SubscriptionState {
    const id = endpointOrId.includes('/')
      ? (PATH.exec(new URL(endpointOrId, this.url).pathname)?.[1] ?? '')
      : endpointOrId;
    const state = this.#subscriptions.get(id);
    if (!state) throw new Error(`push sink: no subscription ${endpointOrId}`);
    return state;
  }

  #summary(): string {
    const tally = new Map<number, number>();
    for (const { status } of this.responses) tally.set(status, (tally.get(status) ?? 0) + 1);
    const statuses = [...tally].map(([status, n]) => `${status}x${n}`).join(', ') || 'none';
    const failures = this.responses
      .filter((response) => response.status !== 201)
      .slice(-3)
      .map((response) => `${response.status} ${response.reason}`);
    return `${this.requestCount} request(s), answers: ${statuses}${failures.length ? `; last failures: ${failures.join(' | ')}` : ''}`;
  }
}

function errorReason(error: unknown): string {
  if (error instanceof ProtocolError) {
    const reason = (error as ProtocolError & { reason?: unknown }).reason;
    return `${error.code}${typeof reason === 'string' ? ` (${reason})` : ''}: ${error.message}`;
  }
  return String(error);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Starts a push sink on 127.0.0.1 on a free port.
 *
 * @example
 *   const sink = await startPushSink();
 *   const subscription = sink.subscribe();
 *   // ... have Carillon send to subscription.endpoint ...
 *   const [push] = await sink.waitFor(1);
 *   await sink.close();
 */
export async function startPushSink(options: PushSinkOptions = {}): Promise<PushSink> {
  const sink = new Sink(options);
  const onRequest = (req: SinkRequest, res: SinkReply): void => {
    sink.handle(req, res).catch((error: unknown) => {
      sink.responses.push({ subscriptionId: null, status: 500, reason: String(error) });
      try {
        res.writeHead(500);
        res.end('');
      } catch {
        // The connection is already gone.
      }
    });
  };
  await sink.listen(options.http2 ? http2.createServer(onRequest) : http.createServer(onRequest));
  return sink;
}

/** Decodes a subscription's base64url keys, for tests that encrypt by hand. */
export function subscriptionKeys(subscription: SinkSubscription): { uaPublic: Buffer; authSecret: Buffer } {
  return {
    uaPublic: decodeBase64url(subscription.keys.p256dh),
    authSecret: decodeBase64url(subscription.keys.auth),
  };
}
