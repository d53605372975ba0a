import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import type { Context } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { limitPushKeyRequest } from '../../mfa/device-limit.ts';
import { hashToken } from '../../mfa/secrets.ts';
import { AUTHENTICATOR_DIR } from '../../../public/authenticator/build.ts';
import { PUBLIC, problems } from '../openapi.ts';
import { CSS, HTML, JS, builtPages, fileOf, readPageFile, sendPageFile, type PageFile } from './page-assets.ts';

const PushKeyBody = Type.Object(
  {
    app: Type.String({ minLength: 1, maxLength: 64, description: 'The app of the enrollment URI' }),
    token: Type.String({ minLength: 1, maxLength: 128, description: 'The enrollment token, still unused' }),
  },
  { additionalProperties: false },
);
type PushKeyBody = Static<typeof PushKeyBody>;
const PushKey = Type.Object({ vapidPublicKey: Type.String({ description: 'applicationServerKey for PushManager.subscribe()' }) });

const BODY = ['invalid_request', 'invalid_json', 'json_too_deep', 'invalid_unicode', 'body_too_large', 'unsupported_media_type'] as const;

/**
 * The reference web authenticator at /authenticator/ (docs/mfa.md#the-reference-authenticator):
 * an installable page, its service worker and manifest, all from this origin under the
 * dashboard's CSP. Its one route of its own gives the app's VAPID key to a browser that
 * holds a live enrollment token, since the authenticator has no API key to ask with.
 */
export function authenticatorRoutes(app: FastifyInstance, ctx: Context): void {
  const logger = ctx.logger.child({ module: 'authenticator' });
  const dir = AUTHENTICATOR_DIR;
  const statics: Record<string, PageFile> = {
    '': readPageFile(dir, 'index.html', HTML),
    'authenticator.css': readPageFile(dir, 'authenticator.css', CSS),
    'icon.svg': readPageFile(dir, 'icon.svg', 'image/svg+xml'),
    'manifest.webmanifest': readPageFile(dir, 'manifest.webmanifest', 'application/manifest+json'),
  };
  const hidden = { schema: { hide: true } };
  const scripts = new Map<string, Promise<PageFile>>();
  const script = (name: 'authenticator.js' | 'sw.js') => {
    let file = scripts.get(name);
    if (!file) {
      file = builtPages(logger).then((b) => fileOf(b.authenticator[name], JS));
      file.catch(() => scripts.delete(name));
      scripts.set(name, file);
    }
    return file;
  };

  app.get('/authenticator', hidden, async (_req, reply) => reply.redirect('/authenticator/', 301));
  for (const [name, file] of Object.entries(statics)) app.get(`/authenticator/${name}`, hidden, async (req, reply) => sendPageFile(req, reply, file));
  app.get('/authenticator/authenticator.js', hidden, async (req, reply) => sendPageFile(req, reply, await script('authenticator.js')));
  // The worker's scope is /authenticator/, its own folder: no Service-Worker-Allowed needed.
  app.get('/authenticator/sw.js', hidden, async (req, reply) => sendPageFile(req, reply, await script('sw.js')));

  app.post<{ Body: PushKeyBody }>(
    '/authenticator/api/push-key',
    {
      schema: {
        operationId: 'getAuthenticatorPushKey',
        tags: ['mfa'],
        summary: 'The app’s VAPID public key, for an authenticator holding a live enrollment token',
        ...PUBLIC,
        body: PushKeyBody,
        response: { 200: PushKey, ...problems(...BODY, 'enrollment_token_invalid', 'rate_limited') },
      },
      // Rated per address before the body is looked at: the route is public (src/mfa/device-limit.ts).
      onRequest: async (req, reply) => {
        try {
          await limitPushKeyRequest(ctx, req.ip, req.log);
        } catch (err) {
          const retryAfter = err instanceof ApiError ? err.extra.retryAfter : undefined;
          if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
          throw err;
        }
      },
    },
    async (req) => {
      const { app: appId, token } = req.body;
      // Read, not spent: the token is spent by the enrollment that follows (POST …/mfa/devices).
      const live = await ctx.store.db
        .selectFrom('mfa_enrollments')
        .select('id')
        .where('token_hash', '=', hashToken(token))
        .where('app_id', '=', appId)
        .where('used_at', 'is', null)
        .where('expires_at', '>', ctx.now())
        .executeTakeFirst();
      if (!live) throw new ApiError('enrollment_token_invalid', 'The enrollment token is unknown, used or expired for this app');
      const { vapidPublicKey } = await getApp(ctx, appId);
      return { vapidPublicKey };
    },
  );
}
