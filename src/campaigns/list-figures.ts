import { sql } from 'kysely';
import type { Context } from '../context.ts';

/** A campaign's key figures in a list: those of its own GET (campaign-stats.ts), over all its runs. */
export interface CampaignListFigures {
  /** Recipients sent to (`counts.recipients.sent`). */
  sent: number;
  delivered: number;
  failed: number;
  displayed: number;
  clicked: number;
}

/**
 * The key figures of a page of campaigns in four grouped queries, not campaignCounts' round
 * per campaign: counted as campaignCounts counts them (run 0, the test sends, left out; a
 * recipient once per run; engagement once per subscription and wave, of sent recipients).
 */
export async function campaignListFigures(ctx: Context, campaignIds: string[]): Promise<Map<string, CampaignListFigures>> {
  const figures = new Map(campaignIds.map((id) => [id, { sent: 0, delivered: 0, failed: 0, displayed: 0, clicked: 0 }]));
  if (campaignIds.length === 0) return figures;
  const db = ctx.store.db;
  const once = sql<number>`count(distinct cast(n.campaign_run as text) || ':' || cast(coalesce(r.subscription_seq, -r.seq) as text))`;
  const sent = await db
    .selectFrom('send_records as r')
    .innerJoin('notifications as n', 'n.id', 'r.notification_id')
    .select(['n.campaign_id as campaign', once.as('n')])
    .where('n.campaign_id', 'in', campaignIds)
    .where('n.campaign_run', '>', 0)
    .where('r.reason', '=', 'sent')
    .groupBy('n.campaign_id')
    .execute();
  const delivery = await db
    .selectFrom('delivery_batches as b')
    .innerJoin('notifications as n', 'n.id', 'b.notification_id')
    .select(['n.campaign_id as campaign', sql<number>`coalesce(sum(b.delivered), 0)`.as('delivered'), sql<number>`coalesce(sum(b.failed + b.expired + b.pruned), 0)`.as('failed')])
    .where('n.campaign_id', 'in', campaignIds)
    .where('n.campaign_run', '>', 0)
    .where('b.done', '=', 1)
    .groupBy('n.campaign_id')
    .execute();
  const engaged = await db
    .selectFrom('events')
    .innerJoin('subscriptions', 'subscriptions.id', 'events.subscription_id')
    .innerJoin('send_records', (j) => j.onRef('send_records.notification_id', '=', 'events.notification_id').onRef('send_records.subscription_seq', '=', 'subscriptions.seq'))
    .innerJoin('notifications', 'notifications.id', 'events.notification_id')
    .select(['notifications.campaign_id as campaign', 'events.type as type', sql<number>`count(distinct events.subscription_id || ' ' || events.notification_id)`.as('n')])
    .where('notifications.campaign_id', 'in', campaignIds)
    .where('notifications.campaign_run', '>', 0)
    .where('events.type', 'in', ['displayed', 'clicked'])
    .where('send_records.reason', '=', 'sent')
    .groupBy(['notifications.campaign_id', 'events.type'])
    .execute();
  for (const s of sent) figures.get(s.campaign!)!.sent = Number(s.n);
  for (const d of delivery) Object.assign(figures.get(d.campaign!)!, { delivered: Number(d.delivered), failed: Number(d.failed) });
  for (const e of engaged) figures.get(e.campaign!)![e.type === 'displayed' ? 'displayed' : 'clicked'] = Number(e.n);
  return figures;
}
