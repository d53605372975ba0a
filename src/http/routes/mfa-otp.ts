import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Context } from '../../context.ts';
import { OtpInput, OtpVerifyInput, createOtp, verifyOtp } from '../../mfa/index.ts';
import { guard } from '../guards.ts';
import { guardedProblems } from '../openapi.ts';
import { AppParams } from '../schemas.ts';
import { CreatedOtp, OtpParams, OtpVerdict } from './mfa-otp.schemas.ts';
import { auditOrigin } from './mfa-origin.ts';

/** A refusal for a limit carries `retryAfter` (s): said in Retry-After too (RFC 9110 §10.2.3). */
async function withRetryAfter<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const retryAfter = (err as { extra?: { retryAfter?: unknown } }).extra?.retryAfter;
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    throw err;
  }
}

/**
 * One-time codes by push (docs/mfa.md#one-time-codes-by-push): the customer's server, with
 * the secret key as for the other push sign-in routes, sends a code to the user's devices
 * and checks what the user typed on its own page.
 */
export function mfaOtpRoutes(app: FastifyInstance, ctx: Context): void {
  const tags = ['mfa'];
  const secret = guard(ctx, 'secret');
  app.post<{ Params: AppParams; Body: OtpInput }>(
    '/v1/apps/:appId/mfa/otp',
    {
      onRequest: secret,
      schema: {
        operationId: 'createMfaOtp',
        tags,
        summary: 'Push a one-time code to the user’s enrolled devices (weaker than a challenge: the code shows on the lock screen)',
        params: AppParams,
        body: OtpInput,
        response: { 201: CreatedOtp, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'no_enrolled_device', 'sign_in_locked', 'sign_in_backoff', 'otp_push_limit') },
      },
    },
    async (req, reply) => reply.status(201).send(await withRetryAfter(reply, () => createOtp(ctx, req.params.appId, req.body, auditOrigin(req)))),
  );
  app.post<{ Params: OtpParams; Body: OtpVerifyInput }>(
    '/v1/apps/:appId/mfa/otp/:otpId/verify',
    {
      onRequest: secret,
      schema: {
        operationId: 'verifyMfaOtp',
        tags,
        summary: 'Check a one-time code: valid once, within its lifetime and attempts',
        params: OtpParams,
        body: OtpVerifyInput,
        response: { 200: OtpVerdict, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'otp_not_found', 'sign_in_locked', 'sign_in_backoff') },
      },
    },
    async (req, reply) => withRetryAfter(reply, () => verifyOtp(ctx, req.params.appId, req.params.otpId, req.body.userId, req.body.code, auditOrigin(req))),
  );
}
