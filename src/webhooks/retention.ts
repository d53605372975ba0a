import type { Kysely } from 'kysely';
import { lastActivitySeq } from '../store/activity-log.ts';
import type { Database } from '../store/schema.ts';

/**
 * The oldest activity seq an enabled webhook endpoint has still to read: the activity
 * log's retention keeps rows from here on (the composition root hands this to it).
 * Disabled endpoints hold nothing back: enabled again, one resumes at its cursor with
 * whatever retention has kept. With no enabled endpoint, the seq after the last row.
 *
 * @example const keepFromSeq = () => oldestUnreadActivitySeq(store.db);
 */
export async function oldestUnreadActivitySeq(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('webhook_endpoints').select((eb) => eb.fn.min('cursor_seq').as('min')).where('enabled', '=', 1).executeTakeFirst();
  if (row?.min !== null && row?.min !== undefined) return Number(row.min) + 1;
  return (await lastActivitySeq(db)) + 1;
}
