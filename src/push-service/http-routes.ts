import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { MAX_BODY_BYTES } from '../protocol/webpush/ece.ts';
import type { ChannelStore } from './channel-store.ts';
import { hashEndpointToken, isEndpointToken, isMessageId, newMessageId } from './identifiers.ts';
import type { PushServiceLimits } from './limits.ts';
import type { MessageStore, PendingMessage } from './message-store.ts';
import { PushRequestError, checkPushRequest } from './push-request.ts';

export interface PushRoutesDeps {
  channels: ChannelStore;
  messages: MessageStore;
  /** Sends a stored message at once when its uaid is connected to this process. */
  route(uaid: string, message: PendingMessage): void;
  /** Public base URL for a request (see resolveBaseUrl). */
  baseUrl(hostHeader: string | undefined): string;
  logger: Logger;
  now: () => number;
  limits: PushServiceLimits;
}

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/**
 * Answers in RFC 8030 status codes, as problem+json without a catalogue code
 * (`about:blank`, RFC 9457 §4.2.1): senders act on the status alone.
 */
function problem(reply: FastifyReply, status: number, detail: string): FastifyReply {
  return reply.status(status).type(PROBLEM_TYPE).send({ type: 'about:blank', title: STATUS_CODES[status], status, detail });
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
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return problem(reply, 413, `at most ${MAX_BODY_BYTES} bytes of body are accepted (RFC 8030 §7.2)`);
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
      if (error instanceof PushRequestError) return problem(reply, error.status, error.message);
      throw error;
    }

    const message = { id: newMessageId(), channelId: channel.channelId, data: push.data, encoding: push.encoding, deliveryRef: push.deliveryRef, tokenHash };
    // RFC 8030 §5.2: TTL 0 is "now or never", so it is only sent to a connected user
    // agent and never stored; anything else waits in the store until acked or expired.
    if (push.ttl > 0) {
      // A browser offline for long gathers messages; a hostile sender would gather more.
      if ((await deps.messages.count(channel.uaid)) >= deps.limits.maxPendingPerUaid) {
        void reply.header('retry-after', '3600');
        return problem(reply, 429, `at most ${deps.limits.maxPendingPerUaid} messages wait for one browser; try again once it has collected them`);
      }
      await deps.messages.put({
        ...message,
        uaid: channel.uaid,
        topic: push.topic,
        urgency: push.urgency,
        createdAt: now,
        expiresAt: now + push.ttl * 1000,
      });
    }
    deps.route(channel.uaid, message);
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
