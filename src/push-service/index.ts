/**
 * Carillon's own RFC 8030 push service: endpoints under `/push/`, and the WebSocket at
 * `/push/ws` that Firefox connects to when `dom.push.serverURL` points here. It runs on
 * the Fastify instance it is given, beside the API or alone (`carillon push-service`).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Database } from '../store/schema.ts';
import { resolveBaseUrl } from './base-url.ts';
import { ChannelStore } from './channel-store.ts';
import { PushConnection, type PushAck } from './push-connection.ts';
import { pushRoutes } from './http-routes.ts';
import type { Config } from '../config/defaults.ts';
import { trustProxyOption } from '../config/trust-proxy.ts';
import { DEFAULT_LIMITS, pushServiceLimits, type PushServiceLimits } from './limits.ts';
import { MessageStore } from './message-store.ts';
import { MemoryRateLimiter } from '../rate-limit/rate-limiter.ts';
import { upgradeClientKey, type TrustProxy } from './client-address.ts';
import { StorageMeter } from './storage-meter.ts';
import { Router } from './router.ts';
import { SUBPROTOCOL } from './ws-protocol.ts';
import { WEBSOCKET_PATH } from './websocket-path.ts';

export { DEFAULT_LIMITS, pushServiceLimits, type PushServiceLimits } from './limits.ts';
export type { PushAck } from './push-connection.ts';
export { DELIVERY_REF_HEADER } from './push-request.ts';
export { WEBSOCKET_PATH } from './websocket-path.ts';

/** ms; how long closing waits for peers to answer the close frame. */
const SHUTDOWN_GRACE_MS = 2_000;

export interface PushServiceOptions {
  db: Kysely<Database>;
  logger: Logger;
  /** ms since the epoch; injected so tests control expiry. */
  now?: () => number;
  /** Public base URL of the endpoints (pushServiceUrl, else publicUrl); empty derives it from the listening address. */
  publicUrl: string;
  /** The limits (pushMaxTtl, pushChannelsPerConnection, …) and trustProxy from the config keys; `limits` and `trustProxy` override. */
  config?: Config;
  limits?: Partial<PushServiceLimits>;
  /** Fastify's trustProxy, so WebSocket clients are counted by the same address as API clients; false when neither this nor config sets it. */
  trustProxy?: TrustProxy;
  /**
   * Told each ack from a browser: its code (100 shown, 101 decryption failed, 102 not
   * delivered) and the reference the sender posted the message with (Carillon-Delivery).
   */
  onAck?: (ack: PushAck) => void | Promise<void>;
}

export interface PushService {
  readonly router: Router<PushConnection>;
  readonly channels: ChannelStore;
  readonly messages: MessageStore;
  /** Drops expired messages and long-unsubscribed channels; runs on a timer too. */
  sweep(): Promise<void>;
}

/**
 * Mounts the push service on `app`: the HTTP routes, the WebSocket upgrade on the
 * same server, and the timers for heartbeats and expiry. Closing the app closes the
 * sockets (1001, so Firefox reconnects to the next start) and stops the timers.
 *
 * @example
 *   const app = Fastify();
 *   await registerPushService(app, { db: store.db, logger, publicUrl: '' });
 *   await app.listen({ port: 8080 }); // Firefox: dom.push.serverURL = ws://127.0.0.1:8080/push/ws
 */
export async function registerPushService(app: FastifyInstance, options: PushServiceOptions): Promise<PushService> {
  const limits: PushServiceLimits = { ...DEFAULT_LIMITS, ...(options.config ? pushServiceLimits(options.config) : {}), ...options.limits };
  const now = options.now ?? Date.now;
  const logger = options.logger;
  const channels = new ChannelStore(options.db);
  const messages = new MessageStore(options.db);
  const router = new Router<PushConnection>();
  const usage = new StorageMeter(messages, limits.usageRefresh, now);
  // Subscriptions and new uaids per client address, per hour; in this process (the push
  // service routes in-process too, see docs/push-service.md).
  const perAddress = new MemoryRateLimiter(now);
  const trustProxy = options.trustProxy ?? (options.config ? trustProxyOption(options.config.trustProxy) : false);
  const baseUrl = (hostHeader: string | undefined) => resolveBaseUrl(options.publicUrl, app.server.address(), hostHeader);

  await app.register(async (scope) =>
    pushRoutes(scope, {
      channels,
      messages,
      route: (uaidHash, message) => router.get(uaidHash)?.deliver(message),
      baseUrl,
      logger,
      now,
      limits,
      usage,
    }),
  );

  // No per-message compression: it would cost a zlib context per idle connection, and
  // the payloads are ciphertext that does not compress.
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    clientTracking: false,
    maxPayload: limits.maxFrameBytes,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  /** Open connections and when each has closed. */
  const sockets = new Map<PushConnection, Promise<void>>();
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== WEBSOCKET_PATH) {
      // Another upgrade handler may own other paths; alone, refuse them.
      if (app.server.listenerCount('upgrade') === 1) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    let endpointBase: string;
    try {
      endpointBase = baseUrl(req.headers.host);
    } catch (err) {
      logger.error({ err }, 'refusing WebSocket: no public URL');
      socket.end('HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\n');
      return;
    }
    const client = upgradeClientKey(req, trustProxy);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = new PushConnection(ws, {
        client,
        perAddress,
        channels,
        messages,
        router,
        logger,
        now,
        limits,
        endpointFor: (token) => `${endpointBase}/push/${token}`,
        ...(options.onAck ? { onAck: options.onAck } : {}),
      });
      sockets.set(
        connection,
        new Promise((resolve) =>
          ws.once('close', () => {
            sockets.delete(connection);
            resolve();
          }),
        ),
      );
    });
  };
  app.server.on('upgrade', onUpgrade);

  const sweep = async () => {
    const at = now();
    const expired = await messages.deleteExpired(at);
    const forgotten = await channels.deleteUnregisteredBefore(at - limits.unregisteredRetention);
    if (expired || forgotten) logger.debug({ expired, forgotten }, 'push service sweep');
  };
  // One heartbeat timer and one sweep timer for the whole service, none per socket or
  // message: an idle connection then costs only its socket and a few objects.
  const heartbeat = setInterval(() => {
    for (const connection of sockets.keys()) connection.heartbeat();
  }, limits.heartbeatInterval);
  const sweeper = setInterval(() => {
    sweep().catch((err: unknown) => logger.error({ err }, 'push service sweep failed'));
  }, limits.sweepInterval);
  heartbeat.unref();
  sweeper.unref();

  app.addHook('preClose', async () => {
    clearInterval(heartbeat);
    clearInterval(sweeper);
    app.server.off('upgrade', onUpgrade);
    for (const connection of sockets.keys()) connection.shutdown();
    // A peer that does not answer the close frame would hold the server's close for
    // ws's 30 s close timeout; it gets a short grace, then its socket is destroyed.
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(sockets.values()), new Promise((resolve) => (grace = setTimeout(resolve, SHUTDOWN_GRACE_MS)))]);
    clearTimeout(grace);
    for (const connection of sockets.keys()) connection.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await perAddress.close();
  });

  return { router, channels, messages, sweep };
}
