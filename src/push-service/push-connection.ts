import type { Logger } from 'pino';
import WebSocket, { type RawData } from 'ws';
import { parseP256PublicKey } from '../protocol/webpush/keys.ts';
import { encodeBase64url } from '../protocol/webpush/base64url.ts';
import type { ChannelStore } from './channel-store.ts';
import { hashEndpointToken, hashUaid, newEndpointToken, newUaid } from './identifiers.ts';
import type { PushServiceLimits } from './limits.ts';
import type { MessageStore, PendingMessage } from './message-store.ts';
import type { Router } from './router.ts';
import type { RateLimiter } from '../rate-limit/rate-limiter.ts';
import { TokenBucket } from './token-bucket.ts';
import {
  ACK_DELIVERED,
  CLOSE_BACKOFF,
  FrameError,
  PONG,
  canonicalChannelId,
  helloReply,
  isUaid,
  notificationFrame,
  parseClientFrame,
  registerReply,
  unregisterReply,
  type AckUpdate,
  type ClientFrame,
} from './ws-protocol.ts';

export interface ConnectionDeps {
  /** The client address this socket counts against (IPv6 by /64). */
  client: string;
  /** Buckets per client address: subscriptions and new uaids per hour. */
  perAddress: RateLimiter;
  channels: ChannelStore;
  messages: MessageStore;
  router: Router<PushConnection>;
  logger: Logger;
  /** ms since the epoch. */
  now: () => number;
  limits: PushServiceLimits;
  /** The endpoint URL handed out for a token. */
  endpointFor(token: string): string;
  /** Told each ack: its code (100 shown, 101 decryption failed, 102 not delivered) and the sender's reference, if any. */
  onAck?(ack: PushAck): void | Promise<void>;
}

export interface PushAck {
  code: number;
  /** The Carillon-Delivery reference the message was posted with, or null. */
  deliveryRef: string | null;
  /** The hash of the endpoint token the message was posted to, which the reference must match; null when unknown. */
  endpointTokenHash: string | null;
}

// RFC 6455 §7.4.1 close codes.
const CLOSE_GOING_AWAY = 1001;
const CLOSE_PROTOCOL_ERROR = 1002;
const CLOSE_UNSUPPORTED_DATA = 1003;
const CLOSE_POLICY = 1008;
const CLOSE_INTERNAL = 1011;

/** ms; the per-address limits are counts per hour. */
const HOUR_MS = 3_600_000;

/**
 * Acks still being written, per message store and uaid. A browser that acks and
 * reconnects at once (Firefox after a network change) must not be sent again what it
 * acked on the connection before: the new connection's backlog waits for those writes.
 */
const acksInFlight = new WeakMap<MessageStore, Map<string, Promise<unknown>>>();

function acksOf(store: MessageStore): Map<string, Promise<unknown>> {
  let map = acksInFlight.get(store);
  if (!map) acksInFlight.set(store, (map = new Map()));
  return map;
}

/**
 * One user agent's WebSocket: `hello` first, then subscriptions, pushes and acks.
 * Frames are handled one after another, in order. A message stays in the store until
 * the user agent acks it, so whatever is on the wire when the socket drops is sent
 * again after the next `hello`.
 */
export class PushConnection {
  /**
   * The uaid's hash, set by `hello`: the key of the store and the router, and what logs
   * name. The uaid itself is the connection's credential; it is only said back in the
   * `hello` reply, never kept, stored or logged.
   */
  uaidHash: string | null = null;
  /** Cleared by each heartbeat, set by any sign of life; still clear at the next one means the peer is gone. */
  alive = true;
  #state: 'hello' | 'ready' | 'closed' = 'hello';
  /** Sent and not acked yet, by version. */
  readonly #inFlight = new Map<string, { channelId: string; deliveryRef: string | null; tokenHash: string | null }>();
  /** The uaid is in the store: it was known at `hello`, or a subscription made it. */
  #stored = false;
  /** Subscriptions made on this connection. */
  #registered = 0;
  /** Messages are waiting in the store that did not fit the in-flight window. */
  #fillWanted = false;
  #work: Promise<void> = Promise.resolve();
  readonly #bucket: TokenBucket;
  readonly #helloTimer: NodeJS.Timeout;
  readonly #log: Logger;

  constructor(
    private readonly socket: WebSocket,
    private readonly deps: ConnectionDeps,
  ) {
    this.#log = deps.logger;
    this.#bucket = new TokenBucket(deps.limits.frameBurst, deps.limits.framesPerSecond, deps.now());
    this.#helloTimer = setTimeout(() => this.#close(CLOSE_POLICY, 'no hello'), deps.limits.helloTimeout);
    socket.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    socket.on('pong', () => {
      this.alive = true;
    });
    socket.on('close', () => this.#onClose());
    socket.on('error', (err) => this.#log.debug({ err, uaidHash: this.uaidHash }, 'socket error'));
  }

  /** Sends a message routed here at once, if the in-flight window has room; it stays in the store either way. */
  deliver(message: PendingMessage): void {
    if (this.#state !== 'ready' || this.#inFlight.has(message.id)) return;
    if (this.#inFlight.size >= this.deps.limits.maxInFlight) {
      this.#fillWanted = true;
      return;
    }
    this.#send(message);
  }

  /**
   * Called once the router has given the uaid to a newer connection: this one is
   * already out of the routing, and the close code keeps the superseded client from
   * reconnecting and taking the uaid back.
   */
  supersede(): void {
    this.#close(CLOSE_BACKOFF, 'superseded by a newer connection');
  }

  /** Server shutdown: Firefox reconnects after its backoff, to the restarted server. */
  shutdown(): void {
    this.#close(CLOSE_GOING_AWAY, 'server shutting down');
  }

  /** Drops the socket without a close handshake. */
  terminate(): void {
    this.#leave();
    this.socket.terminate();
  }

  /** One heartbeat: drops a peer that did not answer the previous ping, pings the others. */
  heartbeat(): void {
    if (!this.alive) {
      this.#log.debug({ uaidHash: this.uaidHash }, 'no pong: dropping connection');
      this.socket.terminate();
      return;
    }
    this.alive = false;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.ping();
  }

  #onFrame(data: RawData, isBinary: boolean): void {
    this.alive = true;
    if (this.#state === 'closed') return;
    if (isBinary) return this.#close(CLOSE_UNSUPPORTED_DATA, 'text frames only');
    if (!this.#bucket.take(this.deps.now())) return this.#close(CLOSE_POLICY, 'too many frames');
    let frame: ClientFrame;
    try {
      frame = parseClientFrame(data.toString());
    } catch (error) {
      if (error instanceof FrameError) return this.#close(CLOSE_PROTOCOL_ERROR, error.message);
      // Thrown inside a socket event, it would take the whole process down.
      this.#log.error({ err: error, uaidHash: this.uaidHash }, 'could not read a frame');
      return this.#close(CLOSE_INTERNAL, 'internal error');
    }
    if (frame.type === 'ping') {
      // Firefox pings with `{}` (dom.push.pingInterval) and counts any frame as the pong.
      this.#sendText(PONG);
      return;
    }
    this.#work = this.#work
      .then(() => this.#handle(frame))
      .catch((err: unknown) => {
        this.#log.error({ err, uaidHash: this.uaidHash }, 'push connection failed');
        this.#close(CLOSE_INTERNAL, 'internal error');
      });
  }

  async #handle(frame: Exclude<ClientFrame, { type: 'ping' }>): Promise<void> {
    if (this.#state === 'closed') return;
    if (frame.type === 'hello') return this.#hello(frame.uaid);
    if (this.#state !== 'ready') return this.#close(CLOSE_PROTOCOL_ERROR, 'say hello first');
    switch (frame.type) {
      case 'register':
        return this.#register(frame.channelID, frame.key);
      case 'unregister':
        return this.#unregister(frame.channelID);
      case 'ack':
        return this.#ack(frame.updates);
      case 'nack':
        // Firefox reports a service worker failure (codes 301-303) after it acked.
        this.#log.info({ uaidHash: this.uaidHash, version: frame.version, code: frame.code }, 'push message failed in the service worker');
        return;
      case 'broadcast_subscribe':
        // No broadcasts are served; autopush sends nothing back when none is known.
        return;
      case 'unknown':
        this.#log.debug({ uaidHash: this.uaidHash, messageType: frame.messageType }, 'ignored unknown messageType');
        return;
    }
  }

  async #hello(requested: string | null): Promise<void> {
    if (this.#state !== 'hello') return this.#close(CLOSE_PROTOCOL_ERROR, 'hello was already said');
    const { channels, router, now } = this.deps;
    // An unknown uaid gets a fresh one: Firefox then drops its old subscriptions and
    // tells the sites (pushsubscriptionchange), which is right when we lost them.
    const known = requested !== null && isUaid(requested) && (await channels.touchUaid(hashUaid(requested), now()));
    if (this.#state !== 'hello') return;
    const uaid = known ? requested : newUaid();
    const uaidHash = hashUaid(uaid);
    clearTimeout(this.#helloTimer);
    this.uaidHash = uaidHash;
    this.#stored = known;
    this.#state = 'ready';
    // The reply goes out before any notification: until it arrives Firefox reads
    // notifications in the old format and drops them.
    this.#sendText(helloReply(uaid));
    router.attach(uaidHash, this)?.supersede();
    this.#log.debug({ uaidHash, known }, 'hello');
    if (!known) return;
    await acksOf(this.deps.messages).get(uaidHash);
    if (this.#state === 'ready') await this.#fill();
  }

  async #register(rawChannelId: string, rawKey: string | null): Promise<void> {
    const uaidHash = this.uaidHash!;
    const channelId = canonicalChannelId(rawChannelId);
    if (channelId === null) return this.#sendText(registerReply(rawChannelId, 400));
    let appServerKey: string | null = null;
    if (rawKey !== null) {
      try {
        // Firefox sends the applicationServerKey as padded base64url; it is stored unpadded.
        appServerKey = encodeBase64url(parseP256PublicKey(rawKey));
      } catch {
        return this.#sendText(registerReply(channelId, 400));
      }
    }
    const { channels, limits, now } = this.deps;
    // Each subscription is rows on disk and a capability strangers can push to: bounded
    // per connection, per client address and per uaid, and a new uaid per address, so
    // no script can fill the disk through subscriptions. Firefox rejects the
    // subscribe() of a register answered with any status but 200.
    const refusal = await this.#registerRefusal(uaidHash);
    if (refusal !== null) {
      this.#log.info({ client: this.deps.client, limit: refusal.limit }, 'subscription refused: limit reached');
      return this.#sendText(registerReply(channelId, refusal.status));
    }
    const token = newEndpointToken();
    try {
      await channels.register({ uaidHash, channelId, tokenHash: hashEndpointToken(token), appServerKey, now: now() });
    } catch (err) {
      this.#log.error({ err, uaidHash }, 'register failed');
      return this.#sendText(registerReply(channelId, 500));
    }
    this.#stored = true;
    this.#registered++;
    this.#forgetChannel(channelId);
    this.#sendText(registerReply(channelId, 200, this.deps.endpointFor(token)));
  }

  /** Why a `register` is refused, with the status to answer (429: later; 413: never on this uaid), or null. */
  async #registerRefusal(uaidHash: string): Promise<{ status: number; limit: string } | null> {
    const { limits, perAddress, client, channels } = this.deps;
    if (this.#registered >= limits.channelsPerConnection) return { status: 429, limit: 'channels_per_connection' };
    if (!this.#stored && (await perAddress.take(`uaid:${client}`, 1, (limits.uaidsPerAddress * 1000) / HOUR_MS, limits.uaidsPerAddress)) > 0) {
      return { status: 429, limit: 'uaids_per_address' };
    }
    if ((await perAddress.take(`channel:${client}`, 1, (limits.channelsPerAddress * 1000) / HOUR_MS, limits.channelsPerAddress)) > 0) {
      return { status: 429, limit: 'channels_per_address' };
    }
    if ((await channels.activeCount(uaidHash)) >= limits.maxChannelsPerUaid) return { status: 413, limit: 'channels_per_uaid' };
    return null;
  }

  async #unregister(rawChannelId: string): Promise<void> {
    const channelId = canonicalChannelId(rawChannelId);
    if (channelId === null) return this.#sendText(unregisterReply(rawChannelId, 400));
    await this.deps.channels.unregister(this.uaidHash!, channelId, this.deps.now());
    this.#forgetChannel(channelId);
    this.#sendText(unregisterReply(channelId, 200));
  }

  async #ack(updates: AckUpdate[]): Promise<void> {
    const pending = acksOf(this.deps.messages);
    const uaidHash = this.uaidHash!;
    const work = this.#writeAcks(updates);
    // Chained after any earlier ack of this uaid still being written; settled either way.
    const settled = Promise.all([pending.get(uaidHash), work]).then(() => undefined, () => undefined);
    pending.set(uaidHash, settled);
    void settled.then(() => pending.get(uaidHash) === settled && pending.delete(uaidHash));
    await work;
  }

  async #writeAcks(updates: AckUpdate[]): Promise<void> {
    const versions: string[] = [];
    for (const update of updates) {
      // 101 (decryption failed) and 102 (not delivered) end the message too: sending it
      // again would fail the same way.
      if (update.code !== ACK_DELIVERED) {
        this.#log.info({ uaidHash: this.uaidHash, channelID: update.channelID, version: update.version, code: update.code }, 'push message not shown');
      }
      const sent = this.#inFlight.get(update.version);
      this.#inFlight.delete(update.version);
      versions.push(update.version);
      try {
        await this.deps.onAck?.({ code: update.code, deliveryRef: sent?.deliveryRef ?? null, endpointTokenHash: sent?.tokenHash ?? null });
      } catch (err) {
        // The ack still ends the message: reporting it is not worth sending it twice.
        this.#log.error({ err, uaidHash: this.uaidHash, version: update.version }, 'could not report an ack');
      }
    }
    await this.deps.messages.deleteAcked(this.uaidHash!, versions);
    if (this.#fillWanted && this.#inFlight.size <= this.deps.limits.maxInFlight / 2) await this.#fill();
  }

  /** Sends stored messages that are not on the wire yet, up to the in-flight window. */
  async #fill(): Promise<void> {
    this.#fillWanted = false;
    const room = this.deps.limits.maxInFlight - this.#inFlight.size;
    if (room <= 0) {
      this.#fillWanted = true;
      return;
    }
    const rows = await this.deps.messages.pending(this.uaidHash!, this.deps.now(), [...this.#inFlight.keys()], room);
    for (const row of rows) this.deliver(row);
    if (rows.length === room) this.#fillWanted = true;
  }

  #forgetChannel(channelId: string): void {
    for (const [version, sent] of this.#inFlight) if (sent.channelId === channelId) this.#inFlight.delete(version);
  }

  #send(message: PendingMessage): void {
    if (this.socket.bufferedAmount > this.deps.limits.maxBufferedBytes) {
      // The peer does not read: keep the messages in the store for its next connection.
      this.#log.warn({ uaidHash: this.uaidHash }, 'peer not reading: dropping connection');
      this.socket.terminate();
      return;
    }
    this.#inFlight.set(message.id, { channelId: message.channelId, deliveryRef: message.deliveryRef, tokenHash: message.tokenHash });
    this.#sendText(notificationFrame({ channelID: message.channelId, version: message.id, data: message.data, encoding: message.encoding }));
  }

  #sendText(text: string): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
  }

  #close(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.#leave();
    if (code !== CLOSE_GOING_AWAY && code !== CLOSE_BACKOFF) this.#log.debug({ uaidHash: this.uaidHash, code, reason }, 'closing connection');
    this.socket.close(code, reason);
  }

  #onClose(): void {
    this.#leave();
  }

  /** Leaves the routing first, so nothing more is routed to a socket that is going away. */
  #leave(): void {
    this.#state = 'closed';
    clearTimeout(this.#helloTimer);
    if (this.uaidHash !== null) this.deps.router.detach(this.uaidHash, this);
  }
}
