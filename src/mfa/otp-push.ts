import type { Transaction } from 'kysely';
import type { Context } from '../context.ts';
import { createNotification } from '../notifications/notifications.ts';
import type { Database } from '../store/schema.ts';

/** What an OTP push shows. With `code` null: the text that replaces it once the code is closed. */
export function otpMessage(otp: { otpId: string; appId: string; purpose: string; expiresAt: string }, code: string | null) {
  return {
    title: 'One-time code',
    body: code === null ? `Your code for ${otp.purpose} is no longer valid` : `Your code for ${otp.purpose}: ${code}`,
    // One notification per OTP on the device; a newer one for the same purpose does not hide this one's state.
    tag: `otp-${otp.otpId}`,
    data: { mfa: 'otp', otpId: otp.otpId, appId: otp.appId, purpose: otp.purpose, expiresAt: otp.expiresAt, ...(code === null ? {} : { code }) },
  };
}

/**
 * Pushes a one-time code to the user's devices on the urgent lane (urgency high, at most 10
 * subscriptions: src/notifications/notifications.ts), living no longer than the code (TTL).
 * Unlike a challenge's push (src/mfa/push.ts) it carries the code itself, which is what an
 * OTP by push is, and why it is the weaker factor: a lock screen shows it (docs/mfa.md).
 */
export async function pushOtp(ctx: Context, appId: string, subscriptionIds: string[], otp: { otpId: string; purpose: string; expiresAt: string }, code: string, ttl: number): Promise<string | null> {
  if (subscriptionIds.length === 0) return null;
  const { id } = await createNotification(ctx, appId, {
    to: { subscriptionIds: subscriptionIds.slice(0, 10) },
    ...otpMessage({ ...otp, appId }, code),
    urgency: 'high',
    ttl,
  });
  return id;
}

/**
 * Takes the code out of the stored notification once the OTP is closed (verified, burnt,
 * expired or superseded): the notification row keeps its content for delivery and retries,
 * and a code that can no longer be used has no business staying there. A retry after this
 * shows the replacement text.
 */
export async function scrubOtpPush(tx: Transaction<Database>, appId: string, otp: { id: string; purpose: string; expires_at: number; notification_id: string | null }): Promise<void> {
  if (otp.notification_id === null) return;
  const content = otpMessage({ otpId: otp.id, appId, purpose: otp.purpose, expiresAt: new Date(Number(otp.expires_at)).toISOString() }, null);
  await tx.updateTable('notifications').set({ content: JSON.stringify(content) }).where('id', '=', otp.notification_id).where('app_id', '=', appId).execute();
}
