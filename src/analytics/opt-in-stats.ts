import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { OPT_IN_EVENTS, type OptInEventType } from './event-types.ts';

export interface OptInStats {
  counts: Record<OptInEventType, number>;
  /** permission_granted / prompt_shown; null before anyone was asked. */
  optInRate: number | null;
}

/** Counts of each opt-in step for an app, optionally within [from, to) in ms since epoch. */
export async function optInStats(db: Kysely<Database>, appId: string, range: { from?: number; to?: number } = {}): Promise<OptInStats> {
  let q = db
    .selectFrom('events')
    .select(['type', (eb) => eb.fn.countAll<number>().as('n')])
    .where('app_id', '=', appId)
    .where('type', 'in', [...OPT_IN_EVENTS]);
  if (range.from !== undefined) q = q.where('at', '>=', range.from);
  if (range.to !== undefined) q = q.where('at', '<', range.to);
  const rows = await q.groupBy('type').execute();
  const counts = Object.fromEntries(OPT_IN_EVENTS.map((t) => [t, 0])) as Record<OptInEventType, number>;
  for (const row of rows) counts[row.type as OptInEventType] = Number(row.n);
  const optInRate = counts.prompt_shown === 0 ? null : counts.permission_granted / counts.prompt_shown;
  return { counts, optInRate };
}
