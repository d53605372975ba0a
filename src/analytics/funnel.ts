import { sql, type Kysely } from 'kysely';
import { ACTION_CLICK_PREFIX } from '../store/activity-log.ts';
import type { Database } from '../store/schema.ts';

/**
 * A campaign's or a notification's funnel over its whole life: targeted (the audience
 * its fan-out cut, from the notifications), then sent, delivered, displayed, clicked (each
 * recipient once) and converted from the rollups (which retention of the raw log does not
 * thin); beside it, the clicks of each action button.
 */
export interface Funnel {
  targeted: number;
  sent: number;
  delivered: number;
  displayed: number;
  clicked: number;
  converted: number;
  /** `converted` split: after a click, and after a display without a click. */
  convertedDirect: number;
  convertedInfluenced: number;
  revenue: number;
  /** Recipients who chose each action button (by its `action` id); `clicked` counts a recipient once whatever the buttons. */
  clickedByAction: Record<string, number>;
}

const TYPES = { sent: 'sent', delivered: 'delivered', displayed: 'displayed', clicked: 'clicked', converted: 'converted', convertedDirect: 'converted_direct', convertedInfluenced: 'converted_influenced' } as const;

export async function funnelOf(db: Kysely<Database>, appId: string, of: { campaignId: string } | { notificationId: string }): Promise<Funnel> {
  let targetedQuery = db.selectFrom('notifications').select(sql<number>`coalesce(sum(targeted), 0)`.as('n')).where('app_id', '=', appId);
  let rollups = db
    .selectFrom('activity_rollups')
    .select(['type', sql<number>`sum(count)`.as('n'), sql<number>`sum(value_sum)`.as('v')])
    .where('app_id', '=', appId)
    .where((eb) => eb.or([eb('type', 'in', Object.values(TYPES)), eb('type', 'like', `${ACTION_CLICK_PREFIX}%`)]));
  if ('campaignId' in of) {
    targetedQuery = targetedQuery.where('campaign_id', '=', of.campaignId);
    rollups = rollups.where('campaign_id', '=', of.campaignId);
  } else {
    targetedQuery = targetedQuery.where('id', '=', of.notificationId);
    rollups = rollups.where('notification_id', '=', of.notificationId);
  }
  const [targeted, rows] = await Promise.all([targetedQuery.executeTakeFirstOrThrow(), rollups.groupBy('type').execute()]);
  const by = new Map(rows.map((r) => [r.type, r]));
  const count = (t: string) => Number(by.get(t)?.n ?? 0);
  return {
    targeted: Number(targeted.n),
    sent: count(TYPES.sent),
    delivered: count(TYPES.delivered),
    displayed: count(TYPES.displayed),
    clicked: count(TYPES.clicked),
    converted: count(TYPES.converted),
    convertedDirect: count(TYPES.convertedDirect),
    convertedInfluenced: count(TYPES.convertedInfluenced),
    revenue: Math.round(Number(by.get(TYPES.converted)?.v ?? 0) * 1e6) / 1e6,
    clickedByAction: Object.fromEntries(
      rows
        .filter((r) => r.type.startsWith(ACTION_CLICK_PREFIX))
        .map((r) => [r.type.slice(ACTION_CLICK_PREFIX.length), Number(r.n)] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ),
  };
}
