import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { AnswerRequest, DetailsRequest, EnrollDeviceInput, answerChallenge, challengeDetails, enrollDevice, limitDeviceRequest } from '../../mfa/index.ts';
import { PUBLIC, problems } from '../openapi.ts';
import { AppParams } from '../schemas.ts';
import { Challenge, ChallengeDetails, ChallengeParams, Device } from './mfa.schemas.ts';
import { auditOrigin } from './mfa-origin.ts';

const origin = auditOrigin;

/** What any of these routes can be refused for before it runs (a JSON body; src/http/problem.ts). */
const BODY = ['invalid_request', 'invalid_json', 'json_too_deep', 'invalid_unicode', 'body_too_large', 'unsupported_media_type'] as const;
const SIGNED = ['challenge_not_found', 'device_signature_invalid', 'signed_request_expired', 'signed_request_replayed', 'challenge_closed', 'sign_in_locked', 'rate_limited'] as const;

/** A refusal for a rate carries Retry-After (RFC 9110 §10.2.3) beside the problem's retryAfter. */
async function withRetryAfter<T>(reply: FastifyReply, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ApiError && err.code === 'rate_limited') {
      const retryAfter = err.extra.retryAfter;
      if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    }
    throw err;
  }
}

/**
 * The authenticator's routes. No API key: an app key in an authenticator would be anyone's.
 * Enrolling is authorised by the single-use token, every later request by the device's
 * ES256 signature (src/mfa/signed-request.ts). Each is rated per client address before
 * it runs (src/mfa/device-limit.ts).
 */
export function mfaDeviceRoutes(app: FastifyInstance, ctx: Context): void {
  const tags = ['mfa'];
  const onRequest = async (req: FastifyRequest<{ Params: { appId: string } }>, reply: FastifyReply) => withRetryAfter(reply, () => limitDeviceRequest(ctx, req.params.appId, { address: req.ip }, req.log));
  app.post<{ Params: AppParams; Body: EnrollDeviceInput }>(
    '/v1/apps/:appId/mfa/devices',
    {
      onRequest,
      schema: {
        operationId: 'enrollMfaDevice',
        tags,
        summary: 'A device enrolls: its public key, name and push subscription, with the enrollment token',
        ...PUBLIC,
        params: AppParams,
        body: EnrollDeviceInput,
        response: { 201: Device, ...problems(...BODY, 'rate_limited', 'enrollment_token_invalid', 'device_key_invalid', 'unsupported_channel', 'invalid_subscription_keys', 'endpoint_rejected', 'invalid_device_token') },
      },
    },
    // No look-up of the app first: an unknown app answers as an unknown token does.
    async (req, reply) => reply.status(201).send(await enrollDevice(ctx, req.params.appId, req.body, origin(req))),
  );
  app.post<{ Params: ChallengeParams; Body: DetailsRequest }>(
    '/v1/apps/:appId/mfa/challenges/:challengeId/details',
    { onRequest, schema: { operationId: 'getMfaChallengeDetails', tags, summary: 'The device reads who is signing in from where (a signed request)', ...PUBLIC, params: ChallengeParams, body: DetailsRequest, response: { 200: ChallengeDetails, ...problems(...BODY, ...SIGNED) } } },
    async (req, reply) => withRetryAfter(reply, () => challengeDetails(ctx, req.params.appId, req.params.challengeId, req.body.request, origin(req))),
  );
  app.post<{ Params: ChallengeParams; Body: AnswerRequest }>(
    '/v1/apps/:appId/mfa/challenges/:challengeId/answer',
    { onRequest, schema: { operationId: 'answerMfaChallenge', tags, summary: 'The device answers: approve with the code, deny, or report fraud (signed)', ...PUBLIC, params: ChallengeParams, body: AnswerRequest, response: { 200: Challenge, ...problems(...BODY, ...SIGNED) } } },
    async (req, reply) => withRetryAfter(reply, () => answerChallenge(ctx, req.params.appId, req.params.challengeId, req.body.answer, origin(req))),
  );
}
