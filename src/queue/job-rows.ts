import type { Insertable, Kysely, Transaction } from 'kysely';
import { prepared } from '../store/prepared.ts';
import type { Database, JobsTable } from '../store/schema.ts';
import type { JobSpec } from './queue.ts';

/**
 * Writes jobs as rows of the store's `jobs` table, in `db` or in the caller's transaction.
 * The embedded queue runs them from there; the BullMQ queue uses the same rows as its
 * outbox. A key that is already in the table is skipped (the dedupe of the port).
 */
export async function insertJobRows(db: Kysely<Database> | Transaction<Database>, jobs: JobSpec[], now: number): Promise<void> {
  if (jobs.length === 0) return;
  // One job at a time is the common case (a step, a push, a webhook): its statement is prepared once.
  if (jobs.length === 1) return void (await oneJob.affected(db, jobRow(jobs[0]!, now)));
  await db
    .insertInto('jobs')
    .values(jobs.map((j) => jobRow(j, now)))
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

type JobRow = Omit<Insertable<JobsTable>, 'id'>;

function jobRow(j: JobSpec, now: number): JobRow {
  return { name: j.name, data: JSON.stringify(j.data), key: j.key ?? null, priority: j.priority ?? 0, run_at: j.runAt ?? now, locked_until: 0, attempts: 0, state: 'waiting', last_error: null, created_at: now };
}

const oneJob = prepared((db, $: JobRow) =>
  db
    .insertInto('jobs')
    .values({ name: $.name, data: $.data, key: $.key, priority: $.priority, run_at: $.run_at, locked_until: $.locked_until, attempts: $.attempts, state: $.state, last_error: $.last_error, created_at: $.created_at })
    .onConflict((oc) => oc.column('key').doNothing()),
);
