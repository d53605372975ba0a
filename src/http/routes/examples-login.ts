import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { MAX_CHALLENGE_WAIT } from '../../mfa/index.ts';
import { EXAMPLES_LOGIN_DIR } from '../../../public/authenticator/build.ts';
import { CSS, HTML, JS, builtPages, fileOf, readPageFile, sendPageFile } from './page-assets.ts';

const UserBody = Type.Object({ userId: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });
type UserBody = Static<typeof UserBody>;
const ChallengeParams = Type.Object({ challengeId: Type.String({ minLength: 1, maxLength: 64 }) });
type ChallengeParams = Static<typeof ChallengeParams>;
const WaitQuery = Type.Object({ wait: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_CHALLENGE_WAIT })) }, { additionalProperties: false });
type WaitQuery = Static<typeof WaitQuery>;


/**
 * The example login page at /examples/login/ and its tiny backend under
 * /examples/login/api/: the part of a customer's login server that uses push sign-in,
 * calling Carillon's API with the app's secret key as any server would (here in process,
 * through the same routes and guards). Registered only when `examples` is on, and answers
 * 503 until `examplesAppId` and `examplesSecretKey` name the app (read at each call): the backend
 * lets anyone start an enrollment for any user, which a real one does only after the user
 * proved who they are another way.
 */
export function examplesLoginRoutes(app: FastifyInstance, ctx: Context): void {
  if (!ctx.config.examples) return;
  const logger = ctx.logger.child({ module: 'examples' });
  const hidden = { schema: { hide: true } };
  const index = readPageFile(EXAMPLES_LOGIN_DIR, 'index.html', HTML);
  const css = readPageFile(EXAMPLES_LOGIN_DIR, 'login.css', CSS);

  /** A call to Carillon's API with the secret key; its problem, if any, passed on as it is. */
  const carillon = async (reply: FastifyReply, method: 'GET' | 'POST', path: string, body?: unknown) => {
    const { examplesAppId: appId, examplesSecretKey: key } = ctx.config;
    if (!appId || !key) throw new ApiError('not_ready', 'The examples have no app: set examplesAppId and examplesSecretKey');
    const res = await app.inject({ method, url: `/v1/apps/${encodeURIComponent(appId)}/mfa/${path}`, headers: { authorization: `Bearer ${key}` }, ...(body !== undefined ? { payload: body as Record<string, unknown> } : {}) });
    const json = res.json() as Record<string, unknown>;
    if (res.statusCode >= 400) {
      void reply.status(res.statusCode).type('application/problem+json');
      return { ok: false as const, json };
    }
    return { ok: true as const, json };
  };

  app.get('/examples/login', hidden, async (_req, reply) => reply.redirect('/examples/login/', 301));
  app.get('/examples/login/', hidden, async (req, reply) => sendPageFile(req, reply, index));
  app.get('/examples/login/login.css', hidden, async (req, reply) => sendPageFile(req, reply, css));
  app.get('/examples/login/login.js', hidden, async (req, reply) => sendPageFile(req, reply, fileOf((await builtPages(logger)).login['login.js'], JS)));

  app.post<{ Body: UserBody }>('/examples/login/api/enroll', { schema: { hide: true, body: UserBody } }, async (req, reply) => {
    const res = await carillon(reply, 'POST', 'enrollments', { userId: req.body.userId });
    if (!res.ok) return res.json;
    const { uri, token, expiresAt } = res.json as { uri: string; token: string; expiresAt: string };
    // The link opens the authenticator with the token in the fragment, which no server logs.
    return { uri, link: `/authenticator/#${new URLSearchParams({ app: ctx.config.examplesAppId, token })}`, expiresAt };
  });

  app.post<{ Body: UserBody }>('/examples/login/api/sign-in', { schema: { hide: true, body: UserBody } }, async (req: FastifyRequest<{ Body: UserBody }>, reply) => {
    const userAgent = typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'].slice(0, 512) : undefined;
    // What the device shows: the address and browser of this sign-in. A real login server adds
    // `location` from its own geo-IP lookup.
    const context = { ip: req.ip, ...(userAgent ? { userAgent } : {}), appName: 'Example Bank', action: 'Sign in' };
    const res = await carillon(reply, 'POST', 'challenges', { userId: req.body.userId, context });
    if (!res.ok) return res.json;
    // answerMode: the page says "type" the code, or "pick" it among three numbers (number matching).
    const { challengeId, code, expiresAt, answerMode } = res.json as { challengeId: string; code: string; expiresAt: string; answerMode: string };
    return { challengeId, code, expiresAt, answerMode };
  });

  // A long poll passed on (`wait`, s): the page asks again as soon as it is answered.
  app.get<{ Params: ChallengeParams; Querystring: WaitQuery }>('/examples/login/api/sign-in/:challengeId', { schema: { hide: true, params: ChallengeParams, querystring: WaitQuery } }, async (req, reply) => {
    const wait = req.query.wait ? `?wait=${req.query.wait}` : '';
    const res = await carillon(reply, 'GET', `challenges/${encodeURIComponent(req.params.challengeId)}${wait}`);
    if (!res.ok) return res.json;
    const { status, reason } = res.json as { status: string; reason: string | null };
    return { status, reason };
  });
}
