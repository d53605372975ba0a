import type { Insertable, Kysely, Transaction } from 'kysely';
import { columnsOf, preparedMany } from '../store/prepared.ts';
import type { Database, JobsTable } from '../store/schema.ts';
import type { JobSpec } from './queue.ts';

/**
 * Writes jobs as rows of the store's `jobs` table, in `db` or in the caller's transaction.
 * The embedded queue runs them from there; the BullMQ queue uses the same rows as its
 * outbox. A key that is already in the table is skipped (the dedupe of the port).
 */
export async function insertJobRows(db: Kysely<Database> | Transaction<Database>, jobs: JobSpec[], now: number): Promise<void> {
  if (jobs.length === 0) return;
  await jobRows.affected(db, jobs.map((j) => jobRow(j, now)));
}

type JobRow = Omit<Insertable<JobsTable>, 'id'>;

function jobRow(j: JobSpec, now: number): JobRow {
  return { name: j.name, data: JSON.stringify(j.data), key: j.key ?? null, priority: j.priority ?? 0, run_at: j.runAt ?? now, locked_until: 0, attempts: 0, state: 'waiting', last_error: null, created_at: now };
}

const JOB_COLUMNS = ['name', 'data', 'key', 'priority', 'run_at', 'locked_until', 'attempts', 'state', 'last_error', 'created_at'] as const;
/** Prepared for each row count (src/store/prepared.ts): most adds are of one job (a step, a push, a webhook). */
const jobRows = preparedMany((db, $: readonly JobRow[]) =>
  db
    .insertInto('jobs')
    .values($.map((r) => columnsOf(r, JOB_COLUMNS)))
    .onConflict((oc) => oc.column('key').doNothing()),
);
