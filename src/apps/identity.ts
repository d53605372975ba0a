/**
 * Identity verification. The publishable key is public, so a browser could claim to be
 * any user and receive that user's notifications (sign-in approvals among them). With
 * verification on, a user id set with the publishable key must come with its hash: the
 * hex HMAC-SHA-256 of the user id under the app's identity secret, computed by the site's
 * own backend, which knows who is signed in. Requests with the secret key are trusted.
 *
 * @example
 *   // on the site's server, for the signed-in user:
 *   const userIdHash = createHmac('sha256', process.env.CARILLON_IDENTITY_SECRET).update(userId).digest('hex');
 */
import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../crypto/tokens.ts';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import type { Principal } from './principal.ts';

export function identityContext(appId: string): string {
  return `app:${appId}:identity`;
}

/** A new identity secret: a recognisable prefix and 256 random bits. */
export function newIdentitySecret(): string {
  return `crl_is_${randomBytes(32).toString('base64url')}`;
}

/** What the site's backend computes for a user id. */
export function userIdHash(identitySecret: string, userId: string): string {
  return createHmac('sha256', identitySecret).update(userId, 'utf8').digest('hex');
}

/**
 * Refuses a user id that a publishable key sets without its valid hash, when the app
 * asks for verification. Clearing the user id (no `userId`) needs no proof.
 */
export async function checkUserIdentity(ctx: Context, principal: Principal | undefined, appId: string, userId: string | undefined, hash: string | undefined): Promise<void> {
  if (userId === undefined || principal?.kind !== 'publishable') return;
  const app = await ctx.store.db.selectFrom('apps').select(['identity_secret', 'identity_verification']).where('id', '=', appId).executeTakeFirst();
  if (!app || !app.identity_verification) return;
  if (hash === undefined) {
    throw new ApiError('identity_not_verified', 'This app verifies user ids: send userIdHash, the hex HMAC-SHA-256 of the user id under the app’s identity secret, computed by your server');
  }
  const secret = app.identity_secret === null ? null : ctx.secrets.open(app.identity_secret, identityContext(appId));
  if (secret === null || !constantTimeEqual(hash.toLowerCase(), userIdHash(secret, userId))) {
    throw new ApiError('identity_not_verified', 'userIdHash is not the HMAC-SHA-256 of this user id under the app’s current identity secret');
  }
}

/** Makes a new identity secret for the app; hashes made with the old one stop verifying at once. */
export async function rotateIdentitySecret(ctx: Context, appId: string): Promise<{ identitySecret: string }> {
  const identitySecret = newIdentitySecret();
  const res = await ctx.store.db
    .updateTable('apps')
    .set({ identity_secret: ctx.secrets.seal(identitySecret, identityContext(appId)) })
    .where('id', '=', appId)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new ApiError('app_not_found', `No app with id ${appId}`);
  ctx.logger.info({ module: 'apps', appId }, 'identity secret rotated');
  return { identitySecret };
}

/** Turns verification on or off; on needs a secret to check hashes against. */
export async function setIdentityVerification(ctx: Context, appId: string, on: boolean): Promise<void> {
  const app = await ctx.store.db.selectFrom('apps').select(['identity_secret']).where('id', '=', appId).executeTakeFirst();
  if (!app) throw new ApiError('app_not_found', `No app with id ${appId}`);
  if (on && app.identity_secret === null) {
    throw new ApiError('identity_secret_missing', `This app has no identity secret yet: make one with POST /v1/apps/${appId}/identity-secret, give it to your server, then turn verification on`);
  }
  await ctx.store.db.updateTable('apps').set({ identity_verification: on ? 1 : 0 }).where('id', '=', appId).execute();
}
