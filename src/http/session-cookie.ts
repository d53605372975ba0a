import { readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import type { Context } from '../context.ts';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE, type OpenedSession } from '../operators/sessions.ts';

/**
 * Whether the session cookie is Secure: the installation's public URL is https (the
 * operator said so, whatever the hop to this process speaks), or this request came over
 * https, which behind a proxy Fastify reads from X-Forwarded-Proto only when trustProxy
 * trusts the peer (src/config/trust-proxy.ts). A header from an untrusted peer changes nothing.
 */
export function sessionCookieSecure(ctx: Context, req: FastifyRequest): boolean {
  return /^https:\/\//i.test(ctx.config.publicUrl) || req.protocol === 'https';
}

/**
 * The cookie's name: `__Host-carillon_session` when Secure. RFC 6265bis §4.1.3.2: a browser
 * keeps a `__Host-` cookie only if it is Secure, set by a secure origin, with Path=/ and no
 * Domain, so no sibling subdomain and no plain-http page can plant or shadow it (cookie
 * tossing). A secure installation reads that name only; a cookie of the plain name left
 * from before simply ends (the operator signs in again), so nothing needs migrating.
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

function cookieOptions(secure: boolean) {
  // No Domain (host-only) and Path=/: what the __Host- prefix requires.
  return { httpOnly: true, sameSite: 'strict', secure, path: '/' } as const;
}

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page
 * sends it, RFC 6265bis §5.4.7), Path=/, host-only, and Secure (with its `__Host-` name)
 * as sessionCookieSecure says. No Max-Age: it lives as long as the browser's session or
 * the server-side expiry.
 */
export function setSessionCookie(ctx: Context, req: FastifyRequest, reply: FastifyReply, session: OpenedSession): void {
  const secure = sessionCookieSecure(ctx, req);
  void reply.setCookie(sessionCookieName(secure), session.token, cookieOptions(secure));
}

export function clearSessionCookie(ctx: Context, req: FastifyRequest, reply: FastifyReply): void {
  const secure = sessionCookieSecure(ctx, req);
  void reply.clearCookie(sessionCookieName(secure), cookieOptions(secure));
}

/** The session token the request's cookie carries, under the name this request's security gives it. */
export function sessionTokenOf(ctx: Context, req: FastifyRequest): string | undefined {
  const value = req.cookies?.[sessionCookieName(sessionCookieSecure(ctx, req))];
  return value ? value : undefined;
}

/** As package.json says. */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
