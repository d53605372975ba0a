import { sql, type Selectable } from 'kysely';
import type { Context } from '../context.ts';
import { SEND_REASONS, type CampaignsTable, type SendReason } from '../store/schema.ts';
import { prepare, type CampaignDefinition } from './campaign-definition.ts';
import { heldRecipients, heldWaves } from './held-recipients.ts';

export interface VariantCounts {
  /** The variant's id; null for the campaign's own content (no variants). */
  id: string | null;
  sent: number;
  displayed: number;
  clicked: number;
  /** clicked / sent; null before anything is sent. */
  clickRate: number | null;
}

export interface CampaignCounts {
  /** Notifications the campaign was sent as (its waves, over all runs). */
  waves: number;
  /** Recipients (subscriptions) the audience matched, by what became of them: `sent` or why not. */
  recipients: Record<SendReason, number>;
  /** Of those sent, how many quiet hours held to the end of the window (`recipients.quiet_held` counts those held now, not yet sent). */
  heldByQuietHours: number;
  /**
   * A throttled campaign: its recipients waiting for their turn, in batches the throttle
   * handed back and not yet sent (a retry of a push service's failure waits in the same
   * way and is counted too); 0 once all have gone, and without a throttle.
   */
  throttled: number;
  /** Of those sent: what the push services and the browsers said. */
  delivered: number;
  failed: number;
  displayed: number;
  clicked: number;
  variants: VariantCounts[];
}

/**
 * A campaign's figures, from its send records (who was sent what, or left out why) and
 * the delivery and engagement records of its waves. Clicks and displays count once per
 * subscription, as a notification's do.
 */
export async function campaignCounts(ctx: Context, campaign: Pick<Selectable<CampaignsTable>, 'id' | 'definition'>): Promise<CampaignCounts> {
  const db = ctx.store.db;
  // The campaign's waves, joined by campaign_id rather than listed (a recurring campaign
  // has thousands); run 0 is the test sends (test-send.ts), never in its figures. The
  // fan-out records preference suppressions before any personaliser tags them with the
  // campaign, so records are found by their notification.
  const records = () =>
    db
      .selectFrom('send_records as r')
      .innerJoin('notifications as n', 'n.id', 'r.notification_id')
      .where('n.campaign_id', '=', campaign.id)
      .where('n.campaign_run', '>', 0);
  const waves = await db.selectFrom('notifications').select(sql<number>`count(*)`.as('n')).where('campaign_id', '=', campaign.id).where('campaign_run', '>', 0).executeTakeFirstOrThrow();
  const recipients = Object.fromEntries(SEND_REASONS.map((r) => [r, 0])) as Record<SendReason, number>;
  const counts: CampaignCounts = { waves: Number(waves.n), recipients, heldByQuietHours: 0, throttled: 0, delivered: 0, failed: 0, displayed: 0, clicked: 0, variants: [] };
  if (counts.waves === 0) return counts;
  // A recipient once per run and reason: winner mode's two phases both fan out the whole
  // audience, so a preference left-out (or an expired send) can be recorded by each.
  const once = sql<number>`count(distinct cast(n.campaign_run as text) || ':' || cast(coalesce(r.subscription_seq, -r.seq) as text))`;
  const byReason = await records().select(['r.reason as reason', once.as('n')]).groupBy('r.reason').execute();
  for (const r of byReason) recipients[r.reason] = Number(r.n);
  // Held by quiet hours now: not recorded until their wave goes, counted from the waves that hold them.
  const held = await heldWaves(ctx, campaign.id, ctx.now());
  if (held.size > 0) {
    const prepared = prepare(JSON.parse(campaign.definition) as CampaignDefinition);
    for (const w of held.values()) recipients.quiet_held += (await heldRecipients(ctx, prepared, campaign.id, w, ctx.now())).length;
  }
  const wasHeld = await records().select(sql<number>`count(*)`.as('n')).where('r.reason', '=', 'sent').where('r.timing', 'like', '%"quiet":%').executeTakeFirstOrThrow();
  counts.heldByQuietHours = Number(wasHeld.n);
  const delivery = await db
    .selectFrom('delivery_batches as b')
    .innerJoin('notifications as n', 'n.id', 'b.notification_id')
    .select([sql<number>`coalesce(sum(b.delivered), 0)`.as('delivered'), sql<number>`coalesce(sum(b.failed + b.expired + b.pruned), 0)`.as('failed')])
    .where('n.campaign_id', '=', campaign.id)
    .where('n.campaign_run', '>', 0)
    .where('b.done', '=', 1)
    .executeTakeFirstOrThrow();
  if ((JSON.parse(campaign.definition) as { throttle?: unknown }).throttle !== undefined) {
    // The throttle hands back what it holds as a retry batch (attempt > 1) due later.
    const waiting = await db
      .selectFrom('delivery_batches as b')
      .innerJoin('notifications as n', 'n.id', 'b.notification_id')
      .select(sql<number>`coalesce(sum(b.size), 0)`.as('n'))
      .where('n.campaign_id', '=', campaign.id)
      .where('n.campaign_run', '>', 0)
      .where('b.done', '=', 0)
      .where('b.attempt', '>', 1)
      .executeTakeFirstOrThrow();
    counts.throttled = Number(waiting.n);
  }
  counts.delivered = Number(delivery.delivered);
  counts.failed = Number(delivery.failed);

  const sent = await records().select(['r.variant as variant', sql<number>`count(*)`.as('n')]).where('r.reason', '=', 'sent').groupBy('r.variant').execute();
  // Engagement of a send: the event's subscription is the record's (by seq, through subscriptions).
  const engaged = await db
    .selectFrom('events')
    .innerJoin('subscriptions', 'subscriptions.id', 'events.subscription_id')
    .innerJoin('send_records', (j) => j.onRef('send_records.notification_id', '=', 'events.notification_id').onRef('send_records.subscription_seq', '=', 'subscriptions.seq'))
    .innerJoin('notifications', 'notifications.id', 'events.notification_id')
    .select(['send_records.variant as variant', 'events.type as type', sql<number>`count(distinct events.subscription_id || ' ' || events.notification_id)`.as('n')])
    .where('notifications.campaign_id', '=', campaign.id)
    .where('notifications.campaign_run', '>', 0)
    .where('events.type', 'in', ['displayed', 'clicked'])
    .where('send_records.reason', '=', 'sent')
    .groupBy(['send_records.variant', 'events.type'])
    .execute();
  const variants = new Map<string | null, VariantCounts>();
  const of = (id: string | null) => variants.get(id) ?? variants.set(id, { id, sent: 0, displayed: 0, clicked: 0, clickRate: null }).get(id)!;
  for (const s of sent) of(s.variant).sent = Number(s.n);
  for (const e of engaged) {
    const v = of(e.variant);
    if (e.type === 'displayed') v.displayed = Number(e.n);
    else v.clicked = Number(e.n);
  }
  for (const v of variants.values()) {
    v.clickRate = v.sent === 0 ? null : v.clicked / v.sent;
    counts.displayed += v.displayed;
    counts.clicked += v.clicked;
  }
  counts.variants = [...variants.values()].sort((a, b) => String(a.id).localeCompare(String(b.id)));
  return counts;
}
