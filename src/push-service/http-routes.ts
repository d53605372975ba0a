import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { ApiError } from '../errors/api-error.ts';
import type { ErrorCode } from '../errors/catalogue.ts';
import { MAX_BODY_BYTES } from '../protocol/webpush/ece.ts';
import type { ChannelStore } from './channel-store.ts';
import { hashEndpointToken, isEndpointToken, isMessageId, newMessageId } from './identifiers.ts';
import type { PushServiceLimits } from './limits.ts';
import type { MessageStore, PendingMessage } from './message-store.ts';
import { PushRequestError, checkPushRequest } from './push-request.ts';
import type { StorageMeter } from './storage-meter.ts';

export interface PushRoutesDeps {
  channels: ChannelStore;
  messages: MessageStore;
  /** Sends a stored message at once when its uaid (by hash) is connected to this process. */
  route(uaidHash: string, message: PendingMessage): void;
  /** Public base URL for a request (see resolveBaseUrl). */
  baseUrl(hostHeader: string | undefined): string;
  logger: Logger;
  now: () => number;
  limits: PushServiceLimits;
  /** Totals of what is stored, for the caps on them. */
  usage: StorageMeter;
}

/** s; told to a sender refused for a full store: browsers collect on their next connection, TTLs run out meanwhile. */
const FULL_RETRY_AFTER = 3600;

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/**
 * Answers in RFC 8030 status codes, as problem+json without a catalogue code
 * (`about:blank`, RFC 9457 §4.2.1): senders act on the status alone.
 */
function problem(reply: FastifyReply, status: number, detail: string): FastifyReply {
  return reply.status(status).type(PROBLEM_TYPE).send({ type: 'about:blank', title: STATUS_CODES[status], status, detail });
}

/** The refusals a sender may want to tell apart (a full store, a body too large) carry a catalogue code. */
function coded(reply: FastifyReply, code: ErrorCode, detail: string, extra: Record<string, unknown> = {}, retryAfter?: number): FastifyReply {
  const error = new ApiError(code, detail, { ...extra, ...(retryAfter !== undefined ? { retryAfter } : {}) });
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
  return reply.status(error.status).type(PROBLEM_TYPE).send(error.toProblem());
}

/** Why a message cannot be stored now, or null when it can: caps per subscription, per browser and in all. */
async function fullness(deps: PushRoutesDeps, uaidHash: string, channelId: string, bytes: number): Promise<{ code: ErrorCode; limit: string; detail: string } | null> {
  const { limits } = deps;
  const channel = await deps.messages.channelUsage(uaidHash, channelId);
  if (channel.messages + 1 > limits.messagesPerChannel) {
    return { code: 'push_recipient_full', limit: 'channel_messages', detail: `at most ${limits.messagesPerChannel} messages wait for one subscription; try again once its browser has collected them` };
  }
  if (channel.bytes + bytes > limits.bytesPerChannel) {
    return { code: 'push_recipient_full', limit: 'channel_bytes', detail: `at most ${limits.bytesPerChannel} bytes of payload wait for one subscription; try again once its browser has collected them` };
  }
  // A browser offline for long gathers messages; a hostile sender would gather more.
  if ((await deps.messages.count(uaidHash)) >= limits.maxPendingPerUaid) {
    return { code: 'push_recipient_full', limit: 'browser_messages', detail: `at most ${limits.maxPendingPerUaid} messages wait for one browser; try again once it has collected them` };
  }
  const total = await deps.usage.usage();
  if (total.messages + 1 > limits.storedMessages) {
    return { code: 'push_service_full', limit: 'service_messages', detail: 'the push service holds all the messages it may; try again later' };
  }
  if (total.bytes + bytes > limits.storedBytes) {
    return { code: 'push_service_full', limit: 'service_bytes', detail: 'the push service holds all the payload it may; try again later' };
  }
  return null;
}

/**
 * The push resource side of RFC 8030: `POST <base>/push/<token>` asks for delivery (§5)
 * and `DELETE <base>/push/m/<id>` cancels a message not yet acknowledged. Both are
 * public: the unguessable token or message id is the capability, and for restricted
 * subscriptions VAPID is checked (RFC 8292 §4.2).
 */
export async function pushRoutes(scope: FastifyInstance, deps: PushRoutesDeps): Promise<void> {
  // Bodies are opaque encrypted bytes whatever Content-Type says (senders send
  // application/octet-stream, or nothing).
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) => done(null, body));
  scope.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return coded(reply, 'body_too_large', `at most ${MAX_BODY_BYTES} bytes of body are accepted (RFC 8030 §7.2)`, { maxBytes: MAX_BODY_BYTES });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return problem(reply, err.statusCode, err.message);
    req.log.error({ err }, 'push request failed');
    return problem(reply, 500, 'the push service could not store the message');
  });

  scope.post<{ Params: { token: string } }>('/push/:token', { schema: { hide: true } }, async (req, reply) => {
    const { token } = req.params;
    const tokenHash = isEndpointToken(token) ? hashEndpointToken(token) : null;
    const channel = tokenHash !== null ? await deps.channels.findByTokenHash(tokenHash) : undefined;
    if (!channel) return problem(reply, 404, 'no such push subscription');
    // RFC 8030 §7.3: the user agent ended the subscription.
    if (channel.unregisteredAt !== null) return problem(reply, 410, 'the push subscription has expired');

    const base = deps.baseUrl(req.headers.host);
    const now = deps.now();
    let push;
    try {
      push = checkPushRequest({
        headers: req.headers,
        body: req.body as Buffer | undefined,
        appServerKey: channel.appServerKey,
        audience: new URL(base).origin,
        now: Math.floor(now / 1000),
        maxTtl: deps.limits.maxTtl,
      });
    } catch (error) {
      if (error instanceof PushRequestError) {
        if (error.status === 413) return coded(reply, 'body_too_large', error.message, { maxBytes: MAX_BODY_BYTES });
        return problem(reply, error.status, error.message);
      }
      throw error;
    }

    const message = { id: newMessageId(), channelId: channel.channelId, data: push.data, encoding: push.encoding, deliveryRef: push.deliveryRef, tokenHash };
    // RFC 8030 §5.2: TTL 0 is "now or never", so it is only sent to a connected user
    // agent and never stored; anything else waits in the store until acked or expired.
    if (push.ttl > 0) {
      // Every stored message costs disk until acked or expired: refused (429, nothing
      // stored) past the caps, so no sender, with or without a key, can fill the disk.
      const bytes = push.data?.length ?? 0;
      const full = await fullness(deps, channel.uaidHash, channel.channelId, bytes);
      if (full) return coded(reply, full.code, full.detail, { limit: full.limit }, FULL_RETRY_AFTER);
      await deps.messages.put({
        ...message,
        uaidHash: channel.uaidHash,
        topic: push.topic,
        urgency: push.urgency,
        createdAt: now,
        expiresAt: now + push.ttl * 1000,
      });
      deps.usage.add(bytes);
    }
    deps.route(channel.uaidHash, message);
    // RFC 8030 §5: 201 with the push message resource; §5.2: the TTL actually kept.
    return reply
      .status(201)
      .header('location', `${base}/push/m/${message.id}`)
      .header('ttl', String(push.ttl))
      .send();
  });

  scope.delete<{ Params: { id: string } }>('/push/m/:id', { schema: { hide: true } }, async (req, reply) => {
    const { id } = req.params;
    if (!isMessageId(id) || !(await deps.messages.deleteById(id))) return problem(reply, 404, 'no such pending push message');
    return reply.status(204).send();
  });
}
