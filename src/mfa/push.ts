import type { Context } from '../context.ts';
import { createNotification } from '../notifications/notifications.ts';

/**
 * A push to a user's authenticators on the urgent lane (urgency high, at most 10
 * subscriptions: src/notifications/notifications.ts). It carries ids only: the code and
 * the login's context are fetched by the device over a signed request, so nothing useful
 * shows on a lock screen or passes through a push service.
 */
export async function pushToDevices(ctx: Context, appId: string, subscriptionIds: string[], kind: 'challenge' | 'enrolled', ids: Record<string, string>, ttl: number): Promise<string | null> {
  if (subscriptionIds.length === 0) return null;
  const text = kind === 'challenge'
    ? { title: 'Sign-in request', body: 'Open to review the request' }
    : { title: 'New sign-in device', body: 'A device was added to approve your sign-ins' };
  const { id } = await createNotification(ctx, appId, {
    to: { subscriptionIds: subscriptionIds.slice(0, 10) },
    ...text,
    data: { mfa: kind, ...ids },
    urgency: 'high',
    ttl,
  });
  return id;
}
