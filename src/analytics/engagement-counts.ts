import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { NOTIFICATION_EVENTS, type NotificationEventType } from './event-types.ts';

export type EngagementCounts = Record<NotificationEventType, number>;

/**
 * How many recipients displayed, clicked and dismissed a notification, each counted once
 * per subscription (a click on two buttons is one recipient who clicked).
 */
export async function engagementCounts(db: Kysely<Database>, notificationId: string): Promise<EngagementCounts> {
  const rows = await db
    .selectFrom('events')
    .select(['type', sql<number>`count(distinct subscription_id)`.as('n')])
    .where('notification_id', '=', notificationId)
    .where('type', 'in', [...NOTIFICATION_EVENTS])
    .groupBy('type')
    .execute();
  const counts: EngagementCounts = { displayed: 0, clicked: 0, dismissed: 0 };
  for (const row of rows) counts[row.type as NotificationEventType] = Number(row.n);
  return counts;
}
