/**
 * What became of a message after Carillon's own push service accepted it. A push service
 * answers 201 before the browser has the message, so that is counted delivered; when the
 * browser later acks 101 (it could not decrypt the body) or 102 (it did not deliver it),
 * the push service hands back the reference the sender posted the message with, and the
 * recipient moves from delivered to failed. The reference and its tag are made and read
 * in src/providers/webpush/delivery-ref.ts.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { SecretBox } from '../crypto/secret-box.ts';
import { readDeliveryRef } from '../providers/webpush/delivery-ref.ts';
import type { PushAck } from '../push-service/index.ts';
import type { Database } from '../store/schema.ts';
import { appendActivity } from '../store/activity-log.ts';

/** The failure outcomes a browser's ack can bring, by ack code (src/push-service/ws-protocol.ts). */
export const UNSHOWN_OUTCOMES = {
  101: { outcome: 'undecryptable', reason: 'the browser could not decrypt the message (push service ack 101)' },
  102: { outcome: 'undelivered', reason: 'the browser did not deliver the message to the site (push service ack 102)' },
} as const;

export const UNSHOWN_OUTCOME_NAMES: readonly string[] = Object.values(UNSHOWN_OUTCOMES).map((o) => o.outcome);

export interface UnshownDeps {
  db: Kysely<Database>;
  secrets: SecretBox;
  logger: Logger;
  now: () => number;
}

/**
 * Records a failed ack as a delivery failure of its notification and subscription, once;
 * `getNotification` then counts it failed instead of delivered. Acks without a reference,
 * with one Carillon did not sign, or for a notification this store does not hold change
 * nothing. Returns whether a failure was recorded.
 */
export async function recordUnshown(deps: UnshownDeps, ack: PushAck): Promise<boolean> {
  const kind = UNSHOWN_OUTCOMES[ack.code as keyof typeof UNSHOWN_OUTCOMES];
  if (!kind || ack.deliveryRef === null || ack.endpointTokenHash === null) return false;
  const ref = readDeliveryRef(deps.secrets, ack.deliveryRef, ack.endpointTokenHash);
  if (!ref) {
    deps.logger.warn({ code: ack.code }, 'push service ack with a delivery reference that does not verify');
    return false;
  }
  return deps.db.transaction().execute(async (tx) => {
    const known = await tx.selectFrom('notifications').select(['id', 'app_id', 'campaign_id', 'category']).where('id', '=', ref.notificationId).executeTakeFirst();
    if (!known) return false;
    const already = await tx
      .selectFrom('delivery_failures')
      .select('outcome')
      .where('notification_id', '=', ref.notificationId)
      .where('subscription_id', '=', ref.subscriptionId)
      .where('outcome', 'in', UNSHOWN_OUTCOME_NAMES)
      .executeTakeFirst();
    if (already) return false;
    await tx
      .insertInto('delivery_failures')
      .values({ notification_id: ref.notificationId, subscription_id: ref.subscriptionId, outcome: kind.outcome, status_code: null, reason: kind.reason, at: deps.now() })
      .execute();
    // In the activity log too (docs/analytics.md): the send logged delivered stays so, and
    // this `failed` says what the browser made of it.
    const sub = await tx.selectFrom('subscriptions').select(['channel', 'user_id']).where('id', '=', ref.subscriptionId).executeTakeFirst();
    const variant = await tx.selectFrom('send_records').innerJoin('subscriptions', 'subscriptions.seq', 'send_records.subscription_seq').select('send_records.variant').where('send_records.notification_id', '=', ref.notificationId).where('subscriptions.id', '=', ref.subscriptionId).executeTakeFirst();
    await appendActivity(tx, [
      { appId: known.app_id, type: 'failed', at: deps.now(), notificationId: known.id, campaignId: known.campaign_id, variant: variant?.variant ?? null, category: known.category, channel: sub?.channel ?? 'webpush', subscriptionId: ref.subscriptionId, userId: sub?.user_id ?? null, data: { status: null, reason: kind.reason, outcome: kind.outcome } },
    ]);
    return true;
  });
}
