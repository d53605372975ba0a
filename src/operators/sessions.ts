import { createHmac, randomBytes } from 'node:crypto';
import { hashKey } from '../crypto/tokens.ts';
import type { Context } from '../context.ts';
import type { OperatorRole } from '../store/schema-operators.ts';

/** The cookie that carries the session token (HttpOnly, SameSite=Strict; src/http/session-cookie.ts). */
export const SESSION_COOKIE = 'carillon_session';
/** Its name on an installation served over https (RFC 6265bis §4.1.3.2; src/http/session-cookie.ts). */
export const SECURE_SESSION_COOKIE = '__Host-carillon_session';

/** ms; a session's `last_seen_at` is written at most this often, not on every request. */
const TOUCH_EVERY = 60_000;

/** Who a session belongs to, as the guard and the dashboard see it. */
export interface SessionOperator {
  id: string;
  email: string;
  /** An installation administrator: may do what the admin key may. */
  admin: boolean;
  totp: boolean;
  memberships: { appId: string; appName: string; role: OperatorRole }[];
}

export interface OpenedSession {
  /** Goes into the cookie only; the store keeps its SHA-256. */
  token: string;
  csrfToken: string;
  expiresAt: number;
}

/**
 * The CSRF token of a session: an HMAC of a fixed label under the session token. A page of
 * another origin cannot read the HttpOnly cookie, so it cannot compute this, and the server
 * needs to store nothing more to check it (OWASP's signed double-submit pattern).
 */
export function csrfTokenFor(token: string): string {
  return createHmac('sha256', token).update('carillon csrf v1').digest('base64url');
}

export async function openSession(ctx: Context, operatorId: string): Promise<OpenedSession> {
  const token = randomBytes(32).toString('base64url');
  const now = ctx.now();
  const expiresAt = now + ctx.config.sessionMaxAge;
  await ctx.store.db.insertInto('operator_sessions').values({ token_hash: hashKey(token), operator_id: operatorId, created_at: now, last_seen_at: now, expires_at: expiresAt }).execute();
  return { token, csrfToken: csrfTokenFor(token), expiresAt };
}

/**
 * The operator of a live session, or undefined when the token names none or the session
 * is past its idle or absolute end (then it is deleted). A live session is renewed.
 */
export async function readSession(ctx: Context, token: string): Promise<SessionOperator | undefined> {
  const db = ctx.store.db;
  const tokenHash = hashKey(token);
  const row = await db
    .selectFrom('operator_sessions as s')
    .innerJoin('operators as o', 'o.id', 's.operator_id')
    .select(['s.last_seen_at', 's.expires_at', 'o.id', 'o.email', 'o.admin', 'o.totp_secret'])
    .where('s.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const now = ctx.now();
  if (now >= row.expires_at || now - row.last_seen_at >= ctx.config.sessionIdleTimeout) {
    await db.deleteFrom('operator_sessions').where('token_hash', '=', tokenHash).execute();
    return undefined;
  }
  if (now - row.last_seen_at >= TOUCH_EVERY) await db.updateTable('operator_sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
  return { id: row.id, email: row.email, admin: row.admin === 1, totp: row.totp_secret !== null, memberships: await membershipsOf(ctx, row.id) };
}

export async function membershipsOf(ctx: Context, operatorId: string): Promise<SessionOperator['memberships']> {
  const rows = await ctx.store.db
    .selectFrom('operator_memberships as m')
    .innerJoin('apps as a', 'a.id', 'm.app_id')
    .select(['m.app_id', 'a.name', 'm.role'])
    .where('m.operator_id', '=', operatorId)
    .orderBy('a.name')
    .execute();
  return rows.map((r) => ({ appId: r.app_id, appName: r.name, role: r.role }));
}

export async function endSession(ctx: Context, token: string): Promise<void> {
  await ctx.store.db.deleteFrom('operator_sessions').where('token_hash', '=', hashKey(token)).execute();
}

/** Sign-out everywhere: every session of the operator ends, this one included. */
export async function endAllSessions(ctx: Context, operatorId: string): Promise<void> {
  await ctx.store.db.deleteFrom('operator_sessions').where('operator_id', '=', operatorId).execute();
}
