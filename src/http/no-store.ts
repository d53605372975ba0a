import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * onSend hook: an API answer (`/v1/...`) that sets no caching of its own is kept by no
 * cache, the browser's included (RFC 9111 §5.2.2.5 `no-store`). Sign-in and session answers
 * carry the session's CSRF token, TOTP enrolment its secret, key and webhook creation the
 * key or the signing secret, and every other answer data that only its caller may see: a
 * shared computer's back button or a proxy's disk must not hand them to the next person.
 * A route that means to be cached (the SDK's files) sets its own Cache-Control.
 */
export async function noStore(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (req.url.startsWith('/v1/') && reply.getHeader('cache-control') === undefined) void reply.header('cache-control', 'no-store');
}
