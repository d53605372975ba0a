import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Context } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { beginTotp, confirmTotp, generateRecoveryCodes, removeTotp, verifyRecoveryCode, verifyTotp } from '../../mfa/index.ts';
import { guard } from '../guards.ts';
import { NO_CONTENT, guardedProblems } from '../openapi.ts';
import { AppParams } from '../schemas.ts';
import { UserBody } from './mfa.schemas.ts';
import { RecoveryCodes, RecoveryVerdict, TotpConfirmed, TotpEnrollment, TotpVerdict, UserCode } from './mfa-fallbacks.schemas.ts';
import { auditOrigin } from './mfa-origin.ts';

const origin = auditOrigin;

/** A backoff refusal carries Retry-After (RFC 9110 §10.2.3) beside the problem's retryAfter, as a challenge's does. */
async function withRetryAfter<T>(reply: FastifyReply, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const retryAfter = err instanceof ApiError ? err.extra.retryAfter : undefined;
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    throw err;
  }
}

/**
 * The fallbacks of push sign-in (docs/mfa.md#fallbacks): TOTP and recovery codes. The customer's server calls them with the secret key, as it does the
 * other push sign-in routes: it checks what its user typed on its own login page.
 */
export function mfaFallbackRoutes(app: FastifyInstance, ctx: Context): void {
  const tags = ['mfa'];
  const secret = guard(ctx, 'secret');
  app.post<{ Params: AppParams; Body: UserBody }>(
    '/v1/apps/:appId/mfa/totp',
    { onRequest: secret, schema: { operationId: 'beginMfaTotp', tags, summary: 'Start a user’s TOTP authenticator: the secret and otpauth URI, shown once', params: AppParams, body: UserBody, response: { 201: TotpEnrollment, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'totp_enabled') } } },
    async (req, reply) => reply.status(201).send(await beginTotp(ctx, req.params.appId, req.body.userId, origin(req))),
  );
  app.post<{ Params: AppParams; Body: UserCode }>(
    '/v1/apps/:appId/mfa/totp/confirm',
    { onRequest: secret, schema: { operationId: 'confirmMfaTotp', tags, summary: 'Confirm the TOTP authenticator with a first code', params: AppParams, body: UserCode, response: { 200: TotpConfirmed, ...guardedProblems('secret', { params: true, body: true }, 'totp_not_pending', 'totp_confirmation_failed') } } },
    async (req) => confirmTotp(ctx, req.params.appId, req.body.userId, req.body.code, origin(req)),
  );
  app.post<{ Params: AppParams; Body: UserCode }>(
    '/v1/apps/:appId/mfa/totp/verify',
    { onRequest: secret, schema: { operationId: 'verifyMfaTotp', tags, summary: 'Check a TOTP code (each is taken once)', params: AppParams, body: UserCode, response: { 200: TotpVerdict, ...guardedProblems('secret', { params: true, body: true }, 'totp_not_enrolled', 'sign_in_locked', 'sign_in_backoff') } } },
    async (req, reply) => withRetryAfter(reply, () => verifyTotp(ctx, req.params.appId, req.body.userId, req.body.code, origin(req))),
  );
  app.post<{ Params: AppParams; Body: UserBody }>(
    '/v1/apps/:appId/mfa/totp/remove',
    { onRequest: secret, schema: { operationId: 'removeMfaTotp', tags, summary: 'Remove a user’s TOTP authenticator', params: AppParams, body: UserBody, response: { ...NO_CONTENT, ...guardedProblems('secret', { params: true, body: true }, 'totp_not_enrolled') } } },
    async (req, reply) => {
      await removeTotp(ctx, req.params.appId, req.body.userId, origin(req));
      return reply.status(204).send();
    },
  );
  app.post<{ Params: AppParams; Body: UserBody }>(
    '/v1/apps/:appId/mfa/recovery-codes',
    { onRequest: secret, schema: { operationId: 'generateMfaRecoveryCodes', tags, summary: 'Ten new recovery codes, shown once; the user’s earlier ones stop working', params: AppParams, body: UserBody, response: { 201: RecoveryCodes, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found') } } },
    async (req, reply) => reply.status(201).send(await generateRecoveryCodes(ctx, req.params.appId, req.body.userId, origin(req))),
  );
  app.post<{ Params: AppParams; Body: UserCode }>(
    '/v1/apps/:appId/mfa/recovery-codes/verify',
    { onRequest: secret, schema: { operationId: 'verifyMfaRecoveryCode', tags, summary: 'Check a recovery code and spend it', params: AppParams, body: UserCode, response: { 200: RecoveryVerdict, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'sign_in_locked', 'sign_in_backoff') } } },
    async (req, reply) => withRetryAfter(reply, () => verifyRecoveryCode(ctx, req.params.appId, req.body.userId, req.body.code, origin(req))),
  );
}
