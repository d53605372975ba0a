import type { FastifyRequest } from 'fastify';

/** Characters of a User-Agent kept in an MFA audit record: enough to tell browsers and apps apart, not 16 KB a failed attempt. */
export const AUDIT_USER_AGENT_MAX = 512;

/** Where an MFA request came from, as its audit records keep it. */
export function auditOrigin(req: FastifyRequest): { ip: string; userAgent: string | null } {
  const ua = req.headers['user-agent'];
  return { ip: req.ip, userAgent: typeof ua === 'string' ? ua.slice(0, AUDIT_USER_AGENT_MAX) : null };
}
