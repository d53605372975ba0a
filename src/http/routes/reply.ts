import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { ReplyAccepted, ReplyInput, limitReplyAddress, receiveReply } from '../../conversations/index.ts';
import { PUBLIC, problems } from '../openapi.ts';
import { allowBrowsers, browserPreflight } from '../cors.ts';

const BODY = ['invalid_request', 'invalid_json', 'json_too_deep', 'invalid_unicode', 'body_too_large', 'unsupported_media_type'] as const;

/** A refusal for a rate carries Retry-After (RFC 9110 §10.2.3) beside the problem's retryAfter. */
async function withRetryAfter<T>(reply: FastifyReply, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ApiError && err.code === 'rate_limited' && typeof err.extra.retryAfter === 'number') void reply.header('retry-after', String(err.extra.retryAfter));
    throw err;
  }
}

/**
 * The reply route (docs/conversations.md#post-v1reply). Public: no API key in a browser or an
 * app; the reply token of the push is the authority, for its own thread only. Rated per client
 * address before the body is read, and per thread once the token verifies. A site's service
 * worker posts from the site's origin: the answer is readable cross-origin (no cookie or key
 * rides on it, only the token in the body).
 */
export function replyRoutes(app: FastifyInstance, ctx: Context): void {
  const onRequest = async (req: FastifyRequest, reply: FastifyReply) => withRetryAfter(reply, () => limitReplyAddress(ctx, req.ip, req.log));
  browserPreflight(app, '/v1/reply', ['POST']);
  app.post<{ Body: ReplyInput }>(
    '/v1/reply',
    {
      onRequest,
      onSend: allowBrowsers,
      schema: {
        operationId: 'postReply',
        tags: ['conversations'],
        summary: 'A user replies to a notification, with the reply token its push carried',
        description: 'Idempotent by clientId: a retry answers the stored reply again and adds nothing. The assistant’s answer comes back as a push into the same thread. With choice, the reply is a tapped button of the thread’s latest answer (a slot): text is its title, and it goes to the app’s conversation.message webhook.',
        ...PUBLIC,
        body: ReplyInput,
        response: {
          200: ReplyAccepted,
          ...problems(...BODY, 'rate_limited', 'reply_token_invalid', 'reply_token_expired', 'reply_too_long', 'reply_client_id_reused', 'reply_choice_unknown', 'reply_choice_taken', 'conversation_closed', 'conversation_full'),
        },
      },
    },
    async (req, reply) => withRetryAfter(reply, () => receiveReply(ctx, req.body, req.log)),
  );
}
