import type { Kysely, Transaction } from 'kysely';
import { preparedMany } from '../store/prepared.ts';
import type { Database } from '../store/schema.ts';
import type { JourneyRun } from '../store/schema-journeys.ts';

const nullable = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** A `journey_runs` row with its numbers as numbers: PostgreSQL's bigint columns come back as strings. */
export function runRow(r: Record<string, unknown>): JourneyRun {
  return {
    ...(r as unknown as JourneyRun),
    id: Number(r.id),
    version: Number(r.version),
    user_seq: Number(r.user_seq),
    token: Number(r.token),
    due_at: nullable(r.due_at),
    started_at: Number(r.started_at),
    ended_at: nullable(r.ended_at),
    updated_at: Number(r.updated_at),
    sends: Number(r.sends ?? 0),
    attempts: Number(r.attempts ?? 0),
  };
}

export async function loadRun(db: Kysely<Database> | Transaction<Database>, id: number): Promise<JourneyRun | null> {
  const r = await db.selectFrom('journey_runs').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? runRow(r) : null;
}

const runsById = preparedMany((db, $: readonly { id: number }[]) =>
  db
    .selectFrom('journey_runs')
    .selectAll()
    .where('id', 'in', $.map((r) => r.id)),
);

/** The runs of these ids that exist, in no particular order. */
export async function loadRuns(db: Kysely<Database>, ids: readonly number[]): Promise<JourneyRun[]> {
  if (ids.length === 0) return [];
  return (await runsById.rows(db, ids.map((id) => ({ id })))).map((r) => runRow(r as Record<string, unknown>));
}
