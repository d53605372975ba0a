import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, type Principal } from '../apps/apps.ts';
import { ApiError } from '../errors/api-error.ts';
import type { Context } from '../context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** What a route needs: the admin key, an app's secret key, or (at least) its publishable key. */
export type Access = 'admin' | 'secret' | 'publishable';

function readKey(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m) throw new ApiError('unauthorized', 'Use "Authorization: Bearer <api key>"');
    return m[1];
  }
  const header = req.headers['x-api-key'];
  return typeof header === 'string' ? header : undefined;
}

/**
 * A preHandler that admits only keys with the given access. An app key reaches only its
 * own app (`:appId` in the path); the secret key can do all the publishable key can; the
 * admin key can do everything.
 */
export function guard(ctx: Context, access: Access) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const key = readKey(req);
    if (!key) throw new ApiError('unauthorized', 'This route needs an API key: "Authorization: Bearer <api key>"');
    const principal = await authenticate(ctx, key);
    if (!principal) throw new ApiError('invalid_api_key', 'The API key is unknown or revoked');
    req.principal = principal;
    if (principal.kind === 'admin') return;
    if (access === 'admin') throw new ApiError('forbidden', 'This route needs the admin key');
    const appId = (req.params as { appId?: string }).appId;
    // Same answer as for an unknown app: a key must not learn which other apps exist.
    if (appId !== undefined && appId !== principal.appId) throw new ApiError('forbidden', 'This API key belongs to another app');
    if (access === 'secret' && principal.kind !== 'secret') {
      throw new ApiError('forbidden', 'A publishable key can only manage subscriptions and report events; use the secret key');
    }
  };
}
