import { Type, type Static } from '@sinclair/typebox';
import type { Kysely, Transaction } from 'kysely';
import type { Context } from '../context.ts';
import { newId } from '../crypto/tokens.ts';
import { ApiError } from '../errors/api-error.ts';
import type { Database } from '../store/schema.ts';
import { prepared } from '../store/prepared.ts';
import { SubscriptionInput } from '../subscriptions/subscription-input.ts';
import { upsertSubscription } from '../subscriptions/subscriptions.ts';
import { audit, type Origin } from './audit.ts';
import { requireKnownApp } from './known-app.ts';
import { DeviceJwk, parseDeviceKey } from './device-key.ts';
import { pushToDevices } from './push.ts';
import { hashToken, newEnrollmentToken } from './secrets.ts';
import { mfaSettings } from './settings.ts';

/** The device's subscription: any channel, checked as every subscription is; its user is the token's. */
export const DeviceSubscription = Type.Omit(SubscriptionInput, ['userId', 'userIdHash'], { additionalProperties: false });

export const EnrollDeviceInput = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 128, description: 'The enrollment token, from the QR code' }),
    publicKey: DeviceJwk,
    name: Type.String({ minLength: 1, maxLength: 100, description: 'Shown in the device list, such as "Ana’s phone"' }),
    subscription: DeviceSubscription,
  },
  { additionalProperties: false },
);
export type EnrollDeviceInput = Static<typeof EnrollDeviceInput>;

export interface Enrollment {
  enrollmentId: string;
  token: string;
  uri: string;
  expiresAt: string;
}

/** A single-use token for one user's next device, and the URI to show it as a QR code. */
export async function createEnrollment(ctx: Context, appId: string, userId: string, origin: Origin): Promise<Enrollment> {
  await requireKnownApp(ctx.store.db, appId);
  const settings = await mfaSettings(ctx, appId);
  const now = ctx.now();
  const token = newEnrollmentToken();
  const id = newId('mfe');
  const expiresAt = now + settings.enrollmentLifetime * 1000;
  await ctx.store.db.transaction().execute(async (tx) => {
    await tx.insertInto('mfa_enrollments').values({ id, app_id: appId, user_id: userId, token_hash: hashToken(token), expires_at: expiresAt, used_at: null, created_at: now }).execute();
    await audit(tx, appId, { type: 'enrollment_started', userId, ...origin, details: { enrollmentId: id } }, now);
  });
  const server = ctx.config.publicUrl.replace(/\/+$/, '');
  const query = new URLSearchParams({ app: appId, token, ...(server ? { server } : {}) });
  return { enrollmentId: id, token, uri: `carillon-mfa://enroll?${query}`, expiresAt: new Date(expiresAt).toISOString() };
}

export interface DeviceView {
  id: string;
  userId: string;
  name: string;
  publicKey: { kty: string; crv: string; x: string; y: string };
  subscriptionId: string;
  createdAt: string;
  lastUsedAt: string | null;
}

type DeviceRow = { id: string; user_id: string; name: string; public_key: string; subscription_id: string; created_at: number; last_used_at: number | null };

export function deviceView(r: DeviceRow): DeviceView {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    publicKey: JSON.parse(r.public_key) as DeviceView['publicKey'],
    subscriptionId: r.subscription_id,
    createdAt: new Date(Number(r.created_at)).toISOString(),
    lastUsedAt: r.last_used_at === null ? null : new Date(Number(r.last_used_at)).toISOString(),
  };
}

/**
 * A device enrolls with its token: the key is checked before anything else; then, in one
 * transaction, the token is spent (conditional on unused), the subscription is written
 * through the subscription rules (channels, SSRF) and the device stored. Nothing is
 * written for an unknown, used or expired token (two requests racing for one token: one
 * device, one subscription), and a refused subscription rolls the spend back, leaving the
 * token usable. An unknown app answers as an unknown token: these routes take no API key,
 * and must not tell who asks which apps exist. The user's other devices are told (SP
 * 800-63B-4 §4.6: a subscriber is notified of a new authenticator).
 */
export async function enrollDevice(ctx: Context, appId: string, input: EnrollDeviceInput, origin: Origin): Promise<DeviceView> {
  const key = parseDeviceKey(input.publicKey);
  const now = ctx.now();
  const tokenHash = hashToken(input.token);
  const invalid = () => new ApiError('enrollment_token_invalid', 'The enrollment token is unknown, used or expired; ask for a new one', { pointer: '#/token' });
  const enrollment = await ctx.store.db.selectFrom('mfa_enrollments').selectAll().where('token_hash', '=', tokenHash).where('app_id', '=', appId).executeTakeFirst();
  if (!enrollment || enrollment.used_at !== null || Number(enrollment.expires_at) <= now) throw invalid();
  const userId = enrollment.user_id;
  const others = await activeDevices(ctx, appId, userId);
  const id = newId('mfd');
  const subscriptionId = await ctx.store.db.transaction().execute(async (tx) => {
    const spent = await tx.updateTable('mfa_enrollments').set({ used_at: now }).where('id', '=', enrollment.id).where('used_at', 'is', null).executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) throw invalid();
    const { id: subscriptionId } = await upsertSubscription(ctx, appId, { ...input.subscription, userId }, tx);
    await tx
      .insertInto('mfa_devices')
      .values({ id, app_id: appId, user_id: userId, name: input.name, public_key: JSON.stringify(key), subscription_id: subscriptionId, created_at: now, last_used_at: null, revoked_at: null })
      .execute();
    await audit(tx, appId, { type: 'device_enrolled', userId, deviceId: id, ...origin, details: { name: input.name, otherDevices: others.length } }, now);
    return subscriptionId;
  });
  await pushToDevices(ctx, appId, others.filter((d) => d.subscription_id !== subscriptionId).map((d) => d.subscription_id), 'enrolled', { deviceId: id }, 86_400);
  return deviceView({ id, user_id: userId, name: input.name, public_key: JSON.stringify(key), subscription_id: subscriptionId, created_at: now, last_used_at: null });
}

export async function activeDevices(ctx: Context, appId: string, userId: string, db: Kysely<Database> | Transaction<Database> = ctx.store.db) {
  return devicesOfUser.rows(db, { appId, userId });
}

const devicesOfUser = prepared((db, $: { appId: string; userId: string }) => db.selectFrom('mfa_devices').selectAll().where('app_id', '=', $.appId).where('user_id', '=', $.userId).where('revoked_at', 'is', null).orderBy('created_at'));

export async function listDevices(ctx: Context, appId: string, userId: string): Promise<DeviceView[]> {
  return (await activeDevices(ctx, appId, userId)).map(deviceView);
}

export async function revokeDevice(ctx: Context, appId: string, deviceId: string, origin: Origin): Promise<void> {
  const now = ctx.now();
  await ctx.store.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('mfa_devices').select(['user_id']).where('id', '=', deviceId).where('app_id', '=', appId).where('revoked_at', 'is', null).executeTakeFirst();
    if (!row) throw new ApiError('device_not_found', `No enrolled device ${deviceId} in this app`);
    await tx.updateTable('mfa_devices').set({ revoked_at: now }).where('id', '=', deviceId).execute();
    await audit(tx, appId, { type: 'device_revoked', userId: row.user_id, deviceId, ...origin }, now);
  });
}
