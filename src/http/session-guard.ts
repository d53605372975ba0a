import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import { ApiError } from '../errors/api-error.ts';
import { constantTimeEqual } from '../crypto/tokens.ts';
import { csrfTokenFor, readSession, type SessionOperator } from '../operators/sessions.ts';
import { sessionTokenOf } from './session-cookie.ts';
import type { Context } from '../context.ts';
import type { Access } from './guards.ts';
import { roleReaches, routeNeed } from './route-roles.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in operator, on a request made with a session cookie. */
    operator?: SessionOperator;
    sessionToken?: string;
  }
}

/** The header a state-changing call from a session carries its CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/** RFC 9110 §9.2.1: these change nothing, so they need no CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function checkCsrf(req: FastifyRequest, token: string): void {
  if (SAFE_METHODS.has(req.method)) return;
  const sent = req.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || !constantTimeEqual(sent, csrfTokenFor(token))) {
    throw new ApiError('csrf_invalid', `A call that changes something needs the session's CSRF token in ${CSRF_HEADER}`);
  }
}

async function signedIn(ctx: Context, req: FastifyRequest, token: string): Promise<SessionOperator> {
  const operator = await readSession(ctx, token);
  if (!operator) throw new ApiError('session_expired', 'The session has ended: sign in again');
  checkCsrf(req, token);
  req.operator = operator;
  req.sessionToken = token;
  return operator;
}

/**
 * A guarded API route called with a session cookie instead of an API key: the operator's
 * role is checked against the route's need (src/http/route-roles.ts), and the request then
 * runs as the key it stands for (the admin key for an administrator, the app's secret key
 * for a member), so the routes themselves need not know about sessions.
 */
export async function admitSession(ctx: Context, access: Access, req: FastifyRequest, token: string): Promise<void> {
  const operator = await signedIn(ctx, req, token);
  const need = routeNeed(req.method, req.routeOptions.url ?? '');
  if (need === undefined || need === 'session') throw new ApiError('role_forbidden', 'This route is not open to dashboard sessions', { required: 'admin' });
  if (operator.admin) {
    req.principal = { kind: 'admin' };
    return;
  }
  const appId = (req.params as { appId?: string }).appId;
  // A route that only the admin key reaches stays so, whatever the table says.
  if (need === 'admin' || access === 'admin' || appId === undefined) throw new ApiError('role_forbidden', 'This needs an installation administrator', { required: 'admin' });
  const membership = operator.memberships.find((m) => m.appId === appId);
  // No role on the app answers as a role too weak: a session must not learn which apps exist.
  if (!membership || !roleReaches(membership.role, need)) throw new ApiError('role_forbidden', `This needs the ${need} role on this app`, { required: need });
  req.principal = { kind: 'secret', appId };
}

/** onRequest hook of the routes of one's own session (`/v1/session/...`): a session cookie, and CSRF on writes. */
export function sessionGuard(ctx: Context) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = sessionTokenOf(ctx, req);
    if (!token) throw new ApiError('session_required', 'Sign in first (POST /v1/session)');
    await signedIn(ctx, req, token);
  };
}
