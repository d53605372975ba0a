import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { changePassword, checkSignIn, verifyOperatorPassword } from '../../operators/accounts.ts';
import { limitLogin } from '../../operators/login-limit.ts';
import { csrfTokenFor, endAllSessions, endSession, openSession, readSession, type OpenedSession, type SessionOperator } from '../../operators/sessions.ts';
import { completeSetup } from '../../operators/setup.ts';
import { beginTotp, confirmTotp, removeTotp } from '../../operators/totp.ts';
import { ApiError } from '../../errors/api-error.ts';
import { guardedProblems, NO_CONTENT, problems, PUBLIC } from '../openapi.ts';
import { clearSessionCookie, setSessionCookie, VERSION } from '../session-cookie.ts';
import { sessionGuard } from '../session-guard.ts';
import { CodeBody, ConfirmPasswordBody, PasswordBody, Session, SetupBody, SignInBody, TotpEnrolment } from './session.schemas.ts';

const BODY = ['invalid_request', 'invalid_json', 'json_too_deep', 'invalid_unicode', 'body_too_large', 'unsupported_media_type'] as const;
// A session route's guard: a live session, and the CSRF token on writes (src/http/session-guard.ts).
const SESSION_SECURITY = { security: [{ session: [] }] };
const sessionProblems = (body: boolean, ...own: Parameters<typeof problems>) => problems('session_required', 'session_expired', 'csrf_invalid', ...(body ? BODY : []), ...own);

function sessionAnswer(operator: SessionOperator, session: { csrfToken: string; expiresAt?: number }) {
  return { operator, csrfToken: session.csrfToken, ...(session.expiresAt !== undefined ? { expiresAt: new Date(session.expiresAt).toISOString() } : {}), version: VERSION };
}

async function signIn(ctx: Context, req: FastifyRequest, reply: FastifyReply, operatorId: string): Promise<OpenedSession> {
  const session = await openSession(ctx, operatorId);
  setSessionCookie(ctx, req, reply, session);
  return session;
}

/**
 * Every password check draws on the sign-in limits (src/operators/login-limit.ts), the
 * ones made inside a session too: refused with 429 and Retry-After past them, with 503
 * when the shared limiter is down, before any hashing.
 */
async function limitPasswordCheck(ctx: Context, req: FastifyRequest, reply: FastifyReply, email: string): Promise<void> {
  try {
    await limitLogin(ctx, email, req.ip, req.log);
  } catch (err) {
    if (err instanceof ApiError && typeof err.extra.retryAfter === 'number') void reply.header('retry-after', String(err.extra.retryAfter));
    throw err;
  }
}

/** The operator's own session: sign-in, setup, sign-out, password and second factor (docs/dashboard.md). */
export function sessionRoutes(app: FastifyInstance, ctx: Context): void {
  const me = async (token: string) => (await readSession(ctx, token))!;
  app.post<{ Body: SignInBody }>(
    '/v1/session',
    { schema: { operationId: 'signIn', tags: ['operators'], summary: 'Sign in: sets the session cookie; with a second factor, `code` too', ...PUBLIC, body: SignInBody, response: { 200: Session, ...problems(...BODY, 'invalid_credentials', 'totp_required', 'invalid_totp', 'rate_limited', 'not_ready') } } },
    async (req, reply) => {
      await limitPasswordCheck(ctx, req, reply, req.body.email);
      const id = await checkSignIn(ctx, req.body);
      const session = await signIn(ctx, req, reply, id);
      return sessionAnswer(await me(session.token), session);
    },
  );
  app.post<{ Body: SetupBody }>(
    '/v1/session/setup',
    { schema: { operationId: 'completeSetup', tags: ['operators'], summary: 'Create the first operator (an administrator) with the setup link of the first start, and sign in', ...PUBLIC, body: SetupBody, response: { 201: Session, ...problems(...BODY, 'setup_link_invalid', 'weak_password', 'operator_exists') } } },
    async (req, reply) => {
      const operator = await completeSetup(ctx, req.body);
      const session = await signIn(ctx, req, reply, operator.id);
      return reply.status(201).send(sessionAnswer(await me(session.token), session));
    },
  );
  app.get(
    '/v1/session',
    { onRequest: sessionGuard(ctx), schema: { operationId: 'getSession', tags: ['operators'], summary: 'The signed-in operator, their roles and the CSRF token', ...SESSION_SECURITY, response: { 200: Session, ...sessionProblems(false) } } },
    async (req) => sessionAnswer(req.operator!, { csrfToken: csrfTokenFor(req.sessionToken!) }),
  );
  app.delete(
    '/v1/session',
    { onRequest: sessionGuard(ctx), schema: { operationId: 'signOut', tags: ['operators'], summary: 'Sign out: this session ends', ...SESSION_SECURITY, response: { ...NO_CONTENT, ...sessionProblems(false) } } },
    async (req, reply) => {
      await endSession(ctx, req.sessionToken!);
      clearSessionCookie(ctx, req, reply);
      return reply.status(204).send();
    },
  );
  app.post(
    '/v1/session/sign-out-everywhere',
    { onRequest: sessionGuard(ctx), schema: { operationId: 'signOutEverywhere', tags: ['operators'], summary: 'Every session of this operator ends, on every browser', ...SESSION_SECURITY, response: { ...NO_CONTENT, ...sessionProblems(false) } } },
    async (req, reply) => {
      await endAllSessions(ctx, req.operator!.id);
      clearSessionCookie(ctx, req, reply);
      return reply.status(204).send();
    },
  );
  app.post<{ Body: PasswordBody }>(
    '/v1/session/password',
    { onRequest: sessionGuard(ctx), schema: { operationId: 'changePassword', tags: ['operators'], summary: 'Change the password: every other session ends, this one goes on with a new token', ...SESSION_SECURITY, body: PasswordBody, response: { 200: Session, ...sessionProblems(true, 'invalid_credentials', 'weak_password', 'rate_limited', 'not_ready') } } },
    async (req, reply) => {
      const id = req.operator!.id;
      await limitPasswordCheck(ctx, req, reply, req.operator!.email);
      await changePassword(ctx, id, req.body.currentPassword, req.body.newPassword);
      // OWASP: a changed password ends the sessions that the old one may have opened.
      await endAllSessions(ctx, id);
      const session = await signIn(ctx, req, reply, id);
      return sessionAnswer(await me(session.token), session);
    },
  );
  app.post(
    '/v1/session/totp',
    { onRequest: sessionGuard(ctx), schema: { operationId: 'beginTotp', tags: ['operators'], summary: 'Start enrolling a TOTP second factor: a new secret, used once confirmed', ...SESSION_SECURITY, response: { 201: TotpEnrolment, ...sessionProblems(false, 'totp_enabled') } } },
    async (req, reply) => reply.status(201).send(await beginTotp(ctx, req.operator!)),
  );
  app.post<{ Body: CodeBody }>(
    '/v1/session/totp/confirm',
    { onRequest: sessionGuard(ctx), schema: { operationId: 'confirmTotp', tags: ['operators'], summary: 'Confirm the second factor with a current code; sign-in asks for one from then on', ...SESSION_SECURITY, body: CodeBody, response: { ...NO_CONTENT, ...sessionProblems(true, 'invalid_totp', 'totp_not_pending') } } },
    async (req, reply) => {
      await confirmTotp(ctx, req.operator!, req.body.code);
      return reply.status(204).send();
    },
  );
  app.post<{ Body: ConfirmPasswordBody }>(
    '/v1/session/totp/remove',
    { onRequest: sessionGuard(ctx), schema: { operationId: 'removeTotp', tags: ['operators'], summary: 'Remove the second factor (the password confirms it)', ...SESSION_SECURITY, body: ConfirmPasswordBody, response: { ...NO_CONTENT, ...sessionProblems(true, 'invalid_credentials', 'rate_limited', 'not_ready') } } },
    async (req, reply) => {
      await limitPasswordCheck(ctx, req, reply, req.operator!.email);
      await verifyOperatorPassword(ctx, req.operator!.id, req.body.password);
      await removeTotp(ctx, req.operator!.id);
      return reply.status(204).send();
    },
  );
}
