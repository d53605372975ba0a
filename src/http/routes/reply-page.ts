import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Context } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { REPLY_TOKEN_HEADER, ReplyThreadView, limitReplyReadAddress, readReplyThread } from '../../conversations/reply-read.ts';
import { REPLY_PAGE_DIR } from '../../../public/reply/build.ts';
import { PUBLIC, problems } from '../openapi.ts';
import { allowBrowsers } from '../cors.ts';
import { CSS, HTML, JS, fileOf, readPageFile, sendPageFile, type PageFile } from './page-assets.ts';

/**
 * The reply page's policy (CSP Level 3): nothing by default; its one script and one style
 * sheet from this origin, its calls to this origin, no framing, no form posted anywhere
 * (the script sends the reply), no base to rewrite links against.
 */
export const REPLY_PAGE_CSP = ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join('; ');

/** The page's headers: its policy, kept by no cache (it shows a user's thread), no referrer. */
const PAGE_HEADERS = { 'content-security-policy': REPLY_PAGE_CSP, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

const CONVERSATION_ID = /^cnv_[A-Za-z0-9_-]{1,64}$/;
// A preflight for the read's token header, as for POST /v1/reply (src/http/cors.ts): any origin, no credentials.
const PREFLIGHT_MAX_AGE = 7200;

const TokenHeader = Type.Object({
  [REPLY_TOKEN_HEADER]: Type.String({ minLength: 1, maxLength: 512, pattern: '^cr1\\.[A-Za-z0-9_.-]+$', description: 'The reply token of the push (data.reply.token): a header, so that it lands in no access log' }),
});

let script: Promise<PageFile> | undefined;

/** The page's script, built once per process from its TypeScript (public/reply/build.ts), else read from its dist/. */
function replyScript(logger: Logger): Promise<PageFile> {
  script ??= import('../../../public/reply/build.ts').then(async (b) => {
    try {
      return fileOf(await b.buildReplyScript(), JS);
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
      logger.debug({ err }, 'esbuild is not installed here; serving the reply page from dist/');
      return fileOf(b.readBuiltReplyScript(), JS);
    }
  });
  script.catch(() => {
    // Not kept: a fixed source is picked up by the next request.
    script = undefined;
  });
  return script;
}

/** As for POST /v1/reply: a refusal for a rate carries Retry-After beside the problem's retryAfter. */
async function withRetryAfter<T>(reply: FastifyReply, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ApiError && err.code === 'rate_limited' && typeof err.extra.retryAfter === 'number') void reply.header('retry-after', String(err.extra.retryAfter));
    throw err;
  }
}

/**
 * The reply page at /reply/{conversationId} (docs/conversations.md#the-reply-page), which a
 * Web Push's Reply action opens where the browser has no inline reply, and its read of the
 * thread. Public: the reply token is the authority, for its own thread only, as for POST
 * /v1/reply; the page carries it in its URL's fragment and sends it in a header.
 */
export function replyPageRoutes(app: FastifyInstance, ctx: Context): void {
  const logger = ctx.logger.child({ module: 'reply-page' });
  const page = readPageFile(REPLY_PAGE_DIR, 'index.html', HTML);
  const css = readPageFile(REPLY_PAGE_DIR, 'reply.css', CSS);
  const hidden = { schema: { hide: true } };
  const send = (req: FastifyRequest, reply: FastifyReply, file: PageFile) => sendPageFile(req, reply, file, PAGE_HEADERS);

  app.get('/reply/reply.css', hidden, async (req, reply) => send(req, reply, css));
  app.get('/reply/reply.js', hidden, async (req, reply) => send(req, reply, await replyScript(logger)));
  app.get<{ Params: { conversationId: string } }>('/reply/:conversationId', hidden, async (req, reply) => {
    if (!CONVERSATION_ID.test(req.params.conversationId)) throw new ApiError('not_found', `No route GET /reply/${req.params.conversationId}`);
    return send(req, reply, page);
  });

  app.options('/v1/reply/thread', hidden, async (_req, reply) =>
    reply
      .status(204)
      .header('access-control-allow-origin', '*')
      .header('access-control-allow-methods', 'GET')
      .header('access-control-allow-headers', REPLY_TOKEN_HEADER)
      .header('access-control-max-age', String(PREFLIGHT_MAX_AGE))
      .send(),
  );
  app.get(
    '/v1/reply/thread',
    {
      // Rated per address before the token is looked at; per thread once it verifies (src/conversations/reply-read.ts).
      onRequest: async (req, reply) => withRetryAfter(reply, () => limitReplyReadAddress(ctx, req.ip, req.log)),
      onSend: allowBrowsers,
      schema: {
        operationId: 'getReplyThread',
        tags: ['conversations'],
        summary: 'The thread of a reply token, as its user sees it (the reply page reads it)',
        description: `The token goes in the ${REPLY_TOKEN_HEADER} header, never in the URL. The same checks as POST /v1/reply: another thread's token, an expired one and a closed thread are refused.`,
        ...PUBLIC,
        headers: TokenHeader,
        response: { 200: ReplyThreadView, ...problems('invalid_request', 'rate_limited', 'reply_token_invalid', 'reply_token_expired', 'conversation_closed') },
      },
    },
    async (req, reply) => withRetryAfter(reply, () => readReplyThread(ctx, (req.headers as Record<string, string>)[REPLY_TOKEN_HEADER]!, req.log)),
  );
}
