import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { JobSpec } from './queue.ts';

/**
 * Writes jobs as rows of the store's `jobs` table, in `db` or in the caller's transaction.
 * The embedded queue runs them from there; the BullMQ queue uses the same rows as its
 * outbox. A key that is already in the table is skipped (the dedupe of the port).
 */
export async function insertJobRows(db: Kysely<Database> | Transaction<Database>, jobs: JobSpec[], now: number): Promise<void> {
  if (jobs.length === 0) return;
  await db
    .insertInto('jobs')
    .values(
      jobs.map((j) => ({
        name: j.name,
        data: JSON.stringify(j.data),
        key: j.key ?? null,
        priority: j.priority ?? 0,
        run_at: j.runAt ?? now,
        locked_until: 0,
        attempts: 0,
        state: 'waiting' as const,
        last_error: null,
        created_at: now,
      })),
    )
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}
