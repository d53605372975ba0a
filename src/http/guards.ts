import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, type Principal } from '../apps/principal.ts';
import { ApiError } from '../errors/api-error.ts';
import { clientKey } from '../rate-limit/client-key.ts';
import type { Context } from '../context.ts';
import { admitSession } from './session-guard.ts';
import { sessionTokenOf } from './session-cookie.ts';

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
 * An onRequest hook that admits only keys with the given access, or a dashboard session
 * whose operator's role reaches the route (src/http/route-roles.ts). An app key reaches only
 * its own app (`:appId` in the path); the secret key can do all the publishable key can;
 * the admin key can do everything. It runs before the body is read or validated, so a
 * caller without a valid key learns nothing about the API from schema errors.
 */
export function guard(ctx: Context, access: Access) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const key = readKey(req);
    if (!key) {
      // No key but a dashboard session: the operator's role decides (src/http/session-guard.ts).
      const session = sessionTokenOf(ctx, req);
      if (session) return admitSession(ctx, access, req, session);
      throw new ApiError('unauthorized', 'This route needs an API key: "Authorization: Bearer <api key>"');
    }
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
    if (principal.kind === 'publishable') await limitClient(ctx, principal.appId, req, reply);
  };
}

/**
 * The publishable key is public, so what a browser may call is rated per client address
 * and app, across every API process (clientRate, clientBurst). The secret key is the
 * site's own server and is not limited. If the limiter itself fails, requests pass: the
 * limit protects the service and must not take it down.
 */
async function limitClient(ctx: Context, appId: string, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const { clientRate, clientBurst } = ctx.config;
  if (clientRate <= 0) return;
  let wait: number;
  try {
    wait = await ctx.limiter.take(`client:${appId}:${clientKey(req.ip)}`, 1, clientRate, Math.max(1, clientBurst));
  } catch (err) {
    req.log.warn({ err }, 'client rate limit unavailable; request let through');
    return;
  }
  if (wait === 0) return;
  const retryAfter = Math.ceil(wait / 1000);
  void reply.header('retry-after', String(retryAfter));
  throw new ApiError('rate_limited', `Too many requests from this address for this app; try again in ${retryAfter} s`, { retryAfter });
}
