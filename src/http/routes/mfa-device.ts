import type { FastifyInstance, FastifyRequest } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import type { Context } from '../../context.ts';
import { AnswerRequest, DetailsRequest, EnrollDeviceInput, answerChallenge, challengeDetails, enrollDevice } from '../../mfa/index.ts';
import { PUBLIC, problems } from '../openapi.ts';
import { AppParams } from '../schemas.ts';
import { Challenge, ChallengeDetails, ChallengeParams, Device } from './mfa.schemas.ts';

const origin = (req: FastifyRequest) => ({ ip: req.ip, userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null });

/** What any of these routes can be refused for before it runs (a JSON body; src/http/problem.ts). */
const BODY = ['invalid_request', 'invalid_json', 'json_too_deep', 'invalid_unicode', 'body_too_large', 'unsupported_media_type'] as const;
const SIGNED = ['challenge_not_found', 'device_signature_invalid', 'signed_request_expired', 'signed_request_replayed', 'challenge_closed', 'sign_in_locked'] as const;

/**
 * The authenticator's routes. No API key: an app key in an authenticator would be anyone's.
 * Enrolling is authorised by the single-use token, every later request by the device's
 * ES256 signature (src/mfa/signed-request.ts).
 */
export function mfaDeviceRoutes(app: FastifyInstance, ctx: Context): void {
  const tags = ['mfa'];
  app.post<{ Params: AppParams; Body: EnrollDeviceInput }>(
    '/v1/apps/:appId/mfa/devices',
    {
      schema: {
        operationId: 'enrollMfaDevice',
        tags,
        summary: 'A device enrolls: its public key, name and push subscription, with the enrollment token',
        ...PUBLIC,
        params: AppParams,
        body: EnrollDeviceInput,
        response: { 201: Device, ...problems(...BODY, 'app_not_found', 'enrollment_token_invalid', 'device_key_invalid', 'unsupported_channel', 'invalid_subscription_keys', 'endpoint_rejected', 'invalid_device_token') },
      },
    },
    async (req, reply) => {
      await getApp(ctx, req.params.appId);
      return reply.status(201).send(await enrollDevice(ctx, req.params.appId, req.body, origin(req)));
    },
  );
  app.post<{ Params: ChallengeParams; Body: DetailsRequest }>(
    '/v1/apps/:appId/mfa/challenges/:challengeId/details',
    { schema: { operationId: 'getMfaChallengeDetails', tags, summary: 'The device reads who is signing in from where (a signed request)', ...PUBLIC, params: ChallengeParams, body: DetailsRequest, response: { 200: ChallengeDetails, ...problems(...BODY, ...SIGNED) } } },
    async (req) => challengeDetails(ctx, req.params.appId, req.params.challengeId, req.body.request, origin(req)),
  );
  app.post<{ Params: ChallengeParams; Body: AnswerRequest }>(
    '/v1/apps/:appId/mfa/challenges/:challengeId/answer',
    { schema: { operationId: 'answerMfaChallenge', tags, summary: 'The device answers: approve with the code, deny, or report fraud (signed)', ...PUBLIC, params: ChallengeParams, body: AnswerRequest, response: { 200: Challenge, ...problems(...BODY, ...SIGNED) } } },
    async (req) => answerChallenge(ctx, req.params.appId, req.params.challengeId, req.body.answer, origin(req)),
  );
}
