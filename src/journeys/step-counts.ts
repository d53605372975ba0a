import type { Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';

/** Rows each count is spread over: runs moving at once on PostgreSQL lock different rows (schema-journeys.ts). */
export const JOURNEY_COUNT_SHARDS = 8;

/** One count to add: a run's outcome at a step (`''`: the run as a whole). */
export interface StepCount {
  step: string;
  outcome: string;
}

/**
 * Adds counts of one version in the caller's transaction (the move they count), one per
 * `[run, step, outcome]`, grouped so each row is written once.
 */
export async function addStepCounts(tx: Transaction<Database>, journeyId: string, version: number, items: { runId: number; count: StepCount }[]): Promise<void> {
  const grouped = new Map<string, { step: string; outcome: string; shard: number; n: number }>();
  for (const { runId, count } of items) {
    const shard = runId % JOURNEY_COUNT_SHARDS;
    const key = `${count.step}\n${count.outcome}\n${shard}`;
    const g = grouped.get(key);
    if (g) g.n++;
    else grouped.set(key, { ...count, shard, n: 1 });
  }
  // Sorted, so two transactions adding to the same rows take their locks in one order.
  const rows = [...grouped.values()].sort((a, b) => (a.step < b.step ? -1 : a.step > b.step ? 1 : a.outcome < b.outcome ? -1 : a.outcome > b.outcome ? 1 : a.shard - b.shard));
  for (const r of rows) {
    await tx
      .insertInto('journey_step_counts')
      .values({ journey_id: journeyId, version, step: r.step, outcome: r.outcome, shard: r.shard, n: r.n })
      .onConflict((oc) => oc.columns(['journey_id', 'version', 'step', 'outcome', 'shard']).doUpdateSet((eb) => ({ n: eb('journey_step_counts.n', '+', r.n) })))
      .execute();
  }
}
