import type { Transaction } from 'kysely';
import type { Context } from '../context.ts';
import { createNotification, createNotificationIn, type NotificationInput } from '../notifications/notifications.ts';
import type { Database } from '../store/schema.ts';

type PushKind = 'challenge' | 'enrolled';

/**
 * A push to a user's authenticators on the urgent lane (urgency high, at most 10
 * subscriptions: src/notifications/notifications.ts). It carries ids only: the code and
 * the login's context are fetched by the device over a signed request, so nothing useful
 * shows on a lock screen or passes through a push service.
 */
function pushMessage(subscriptionIds: string[], kind: PushKind, ids: Record<string, string>, ttl: number): NotificationInput {
  const text = kind === 'challenge'
    ? { title: 'Sign-in request', body: 'Open to review the request' }
    : { title: 'New sign-in device', body: 'A device was added to approve your sign-ins' };
  return { to: { subscriptionIds: subscriptionIds.slice(0, 10) }, ...text, data: { mfa: kind, ...ids }, urgency: 'high', ttl };
}

export async function pushToDevices(ctx: Context, appId: string, subscriptionIds: string[], kind: PushKind, ids: Record<string, string>, ttl: number): Promise<string | null> {
  if (subscriptionIds.length === 0) return null;
  const { id } = await createNotification(ctx, appId, pushMessage(subscriptionIds, kind, ids, ttl));
  return id;
}

/** The same push stored in the caller's transaction: committed with it, or not at all. */
export async function pushToDevicesIn(ctx: Context, tx: Transaction<Database>, appId: string, subscriptionIds: string[], kind: PushKind, ids: Record<string, string>, ttl: number): Promise<string | null> {
  if (subscriptionIds.length === 0) return null;
  return createNotificationIn(ctx, tx, appId, pushMessage(subscriptionIds, kind, ids, ttl));
}
