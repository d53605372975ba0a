import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

/** Rows deleted per statement: short transactions that do not hold up the dispatcher. */
const PRUNE_CHUNK = 5_000;

/**
 * Deletes delivered and failed messages made before `before` (ms), in chunks; pending ones
 * stay whatever their age, so no retry loses its message. Returns how many went.
 */
export async function pruneMessages(db: Kysely<Database>, before: number): Promise<number> {
  let total = 0;
  for (;;) {
    const ids = db.selectFrom('webhook_messages').select('id').where('status', '!=', 'pending').where('created_at', '<', before).limit(PRUNE_CHUNK);
    const res = await db.deleteFrom('webhook_messages').where('id', 'in', ids).executeTakeFirst();
    const n = Number(res.numDeletedRows);
    total += n;
    if (n < PRUNE_CHUNK) return total;
  }
}
