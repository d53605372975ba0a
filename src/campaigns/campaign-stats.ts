import { sql, type Selectable } from 'kysely';
import type { Context } from '../context.ts';
import { SEND_REASONS, type CampaignsTable, type SendReason } from '../store/schema.ts';

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
  /** Of those sent, how many quiet hours held to the end of the window (`quiet_held` is for a hold not yet released). */
  heldByQuietHours: number;
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
export async function campaignCounts(ctx: Context, campaign: Pick<Selectable<CampaignsTable>, 'id'>): Promise<CampaignCounts> {
  const db = ctx.store.db;
  // Run 0 is the test sends (test-send.ts): never in a campaign's figures.
  const waves = await db.selectFrom('notifications').select(['id', 'wave']).where('campaign_id', '=', campaign.id).where('campaign_run', '>', 0).execute();
  const recipients = Object.fromEntries(SEND_REASONS.map((r) => [r, 0])) as Record<SendReason, number>;
  const counts: CampaignCounts = { waves: waves.length, recipients, heldByQuietHours: 0, delivered: 0, failed: 0, displayed: 0, clicked: 0, variants: [] };
  if (waves.length === 0) return counts;
  const ids = waves.map((w) => w.id);
  // By the waves' ids rather than campaign_id: the fan-out records preference suppressions before any personaliser tags them.
  const byReason = await db.selectFrom('send_records').select(['reason', sql<number>`count(*)`.as('n')]).where('notification_id', 'in', ids).groupBy('reason').execute();
  for (const r of byReason) recipients[r.reason] = Number(r.n);
  const held = waves.filter((w) => (JSON.parse(w.wave ?? '{}') as { timing?: { quiet?: unknown } }).timing?.quiet !== undefined).map((w) => w.id);
  if (held.length > 0) {
    const row = await db.selectFrom('send_records').select(sql<number>`count(*)`.as('n')).where('notification_id', 'in', held).where('reason', '=', 'sent').executeTakeFirstOrThrow();
    counts.heldByQuietHours = Number(row.n);
  }
  const delivery = await db
    .selectFrom('delivery_batches')
    .select([sql<number>`coalesce(sum(delivered), 0)`.as('delivered'), sql<number>`coalesce(sum(failed + expired + pruned), 0)`.as('failed')])
    .where('notification_id', 'in', ids)
    .where('done', '=', 1)
    .executeTakeFirstOrThrow();
  counts.delivered = Number(delivery.delivered);
  counts.failed = Number(delivery.failed);

  const sent = await db
    .selectFrom('send_records')
    .select(['variant', sql<number>`count(*)`.as('n')])
    .where('notification_id', 'in', ids)
    .where('reason', '=', 'sent')
    .groupBy('variant')
    .execute();
  // Engagement of a send: the event's subscription is the record's (by seq, through subscriptions).
  const engaged = await db
    .selectFrom('events')
    .innerJoin('subscriptions', 'subscriptions.id', 'events.subscription_id')
    .innerJoin('send_records', (j) => j.onRef('send_records.notification_id', '=', 'events.notification_id').onRef('send_records.subscription_seq', '=', 'subscriptions.seq'))
    .select(['send_records.variant as variant', 'events.type as type', sql<number>`count(distinct events.subscription_id || ' ' || events.notification_id)`.as('n')])
    .where('events.notification_id', 'in', ids)
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
