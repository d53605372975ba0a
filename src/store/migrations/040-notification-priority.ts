import { sql, type Kysely } from 'kysely';

/**
 * A notification keeps the priority its jobs were queued with (`PRIORITY.urgent` for a
 * top-priority civic alert, an urgent single send), so the reconcile pass puts a fan-out or
 * batch the queue lost back on the urgent lane, not the ordinary one
 * (docs/civic-alerts.md#first-in-line). Alert notifications already stored take the
 * priority their urgency says; others are left at 0, the priority they had again after a
 * loss before this migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table notifications add column priority integer not null default 0`.execute(db);
  await sql`update notifications set priority = 10 where urgency = 'high' and id in (select notification_id from alert_notifications)`.execute(db);
}
