import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import type { Context } from '../../context.ts';
import {
  ChallengeInput,
  MAX_CHALLENGE_WAIT,
  challengeSignals,
  MfaSettingsInput,
  MfaSettingsView,
  createChallenge,
  createEnrollment,
  getChallenge,
  listAudit,
  listDevices,
  mfaSettings,
  mfaUserState,
  putMfaSettings,
  resetLock,
  revokeDevice,
  waitForChallenge,
} from '../../mfa/index.ts';
import { guard } from '../guards.ts';
import { NO_CONTENT, guardedProblems } from '../openapi.ts';
import { AppParams } from '../schemas.ts';
import { AuditPage, AuditQuery, Challenge, ChallengeParams, ChallengeQuery, CreatedChallenge, DeviceList, DeviceParams, Enrollment, UserBody, UserMfaState, UserQuery } from './mfa.schemas.ts';
import { auditOrigin } from './mfa-origin.ts';

const origin = auditOrigin;

/**
 * Push sign-in approval, the customer's server's side (docs/mfa.md): every route takes the
 * app's secret key, since they start sign-ins, read who is locked and lift locks. The
 * device's own routes are in mfa-device.ts.
 */
export function mfaRoutes(app: FastifyInstance, ctx: Context): void {
  const tags = ['mfa'];
  app.post<{ Params: AppParams; Body: UserBody }>(
    '/v1/apps/:appId/mfa/enrollments',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'createMfaEnrollment', tags, summary: 'A single-use token (and QR URI) for enrolling one device of a user', params: AppParams, body: UserBody, response: { 201: Enrollment, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found') } } },
    async (req, reply) => {
      await getApp(ctx, req.params.appId);
      return reply.status(201).send(await createEnrollment(ctx, req.params.appId, req.body.userId, origin(req)));
    },
  );
  app.get<{ Params: AppParams; Querystring: UserQuery }>(
    '/v1/apps/:appId/mfa/devices',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'listMfaDevices', tags, summary: 'A user’s enrolled devices', params: AppParams, querystring: UserQuery, response: { 200: DeviceList, ...guardedProblems('secret', { params: true }) } } },
    async (req) => ({ data: await listDevices(ctx, req.params.appId, req.query.userId) }),
  );
  app.delete<{ Params: DeviceParams }>(
    '/v1/apps/:appId/mfa/devices/:deviceId',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'revokeMfaDevice', tags, summary: 'Revoke a device: its key signs nothing more', params: DeviceParams, response: { ...NO_CONTENT, ...guardedProblems('secret', { params: true }, 'device_not_found') } } },
    async (req, reply) => {
      await revokeDevice(ctx, req.params.appId, req.params.deviceId, origin(req));
      return reply.status(204).send();
    },
  );
  app.post<{ Params: AppParams; Body: ChallengeInput }>(
    '/v1/apps/:appId/mfa/challenges',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'createMfaChallenge',
        tags,
        summary: 'Start a sign-in: a code for the login screen, a push to the user’s devices',
        params: AppParams,
        body: ChallengeInput,
        response: { 201: CreatedChallenge, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'no_enrolled_device', 'sign_in_locked', 'sign_in_backoff', 'sign_in_push_limit', 'payload_too_large') },
      },
    },
    async (req, reply) => {
      // createChallenge refuses an unknown app itself (app_not_found), in the read of its settings.
      try {
        return reply.status(201).send(await createChallenge(ctx, req.params.appId, req.body, origin(req)));
      } catch (err) {
        const retryAfter = (err as { extra?: { retryAfter?: unknown } }).extra?.retryAfter;
        if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
        throw err;
      }
    },
  );
  // A closing server ends the long polls, each answering with the state it has, rather than hold the close for up to MAX_CHALLENGE_WAIT.
  app.addHook('preClose', (done) => {
    challengeSignals(ctx).close();
    done();
  });
  app.get<{ Params: ChallengeParams; Querystring: ChallengeQuery }>(
    '/v1/apps/:appId/mfa/challenges/:challengeId',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'getMfaChallenge',
        tags,
        summary: 'Where a sign-in stands: pending, approved, denied, expired or locked',
        description: `With \`wait\` (s, at most ${MAX_CHALLENGE_WAIT}) a long poll: answered as soon as the challenge is no longer pending, or at the end of the wait as it stands (docs/mfa.md#flow).`,
        params: ChallengeParams,
        querystring: ChallengeQuery,
        response: { 200: Challenge, ...guardedProblems('secret', { params: true }, 'challenge_not_found') },
      },
    },
    async (req, reply) => {
      const { appId, challengeId } = req.params;
      if (!req.query.wait) return getChallenge(ctx, appId, challengeId);
      // A client that goes away ends its wait.
      const gone = new AbortController();
      const onClose = () => gone.abort();
      reply.raw.once('close', onClose);
      try {
        return await waitForChallenge(ctx, appId, challengeId, req.query.wait, gone.signal);
      } finally {
        reply.raw.off('close', onClose);
      }
    },
  );
  app.get<{ Params: AppParams; Querystring: UserQuery }>(
    '/v1/apps/:appId/mfa/locks',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'getMfaUserState', tags, summary: 'A user’s failures in a row, lock and backoff', params: AppParams, querystring: UserQuery, response: { 200: UserMfaState, ...guardedProblems('secret', { params: true }) } } },
    async (req) => mfaUserState(ctx, req.params.appId, req.query.userId),
  );
  app.post<{ Params: AppParams; Body: UserBody }>(
    '/v1/apps/:appId/mfa/locks/reset',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'resetMfaLock', tags, summary: 'Lift a user’s lock and forget their failures (after checking them another way)', params: AppParams, body: UserBody, response: { 200: UserMfaState, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found') } } },
    async (req) => resetLock(ctx, req.params.appId, req.body.userId, origin(req)),
  );
  app.get<{ Params: AppParams; Querystring: AuditQuery }>(
    '/v1/apps/:appId/mfa/audit',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'listMfaAudit', tags, summary: 'A user’s sign-in audit, newest first', params: AppParams, querystring: AuditQuery, response: { 200: AuditPage, ...guardedProblems('secret', { params: true }) } } },
    async (req) => ({ data: await listAudit(ctx.store.db, req.params.appId, req.query.userId, req.query.limit) }),
  );
  app.get<{ Params: AppParams }>(
    '/v1/apps/:appId/mfa/settings',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'getMfaSettings', tags, summary: 'The app’s sign-in limits, defaults filled in', params: AppParams, response: { 200: MfaSettingsView, ...guardedProblems('secret', { params: true }) } } },
    async (req) => mfaSettings(ctx, req.params.appId),
  );
  app.put<{ Params: AppParams; Body: MfaSettingsInput }>(
    '/v1/apps/:appId/mfa/settings',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'putMfaSettings', tags, summary: 'Set the app’s sign-in limits (absent ones take their defaults)', params: AppParams, body: MfaSettingsInput, response: { 200: MfaSettingsView, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found') } } },
    async (req) => {
      await getApp(ctx, req.params.appId);
      return putMfaSettings(ctx, req.params.appId, req.body);
    },
  );
}
