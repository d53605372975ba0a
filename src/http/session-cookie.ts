import { readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import { SESSION_COOKIE, type OpenedSession } from '../operators/sessions.ts';

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page
 * sends it, RFC 6265bis §5.4.7), Path=/ and Secure when the request came over https,
 * which behind a proxy Fastify reads from X-Forwarded-Proto when trustProxy trusts it.
 * No Max-Age: it lives as long as the browser's session or the server-side expiry.
 */
export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, session: OpenedSession): void {
  void reply.setCookie(SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'strict', secure: req.protocol === 'https', path: '/' });
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.protocol === 'https', path: '/' });
}

/** As package.json says. */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
