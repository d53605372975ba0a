import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { runRow } from './run-row.ts';
import type { TimelineEntry } from './run-engine.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The journey's latest runs (100), newest first, optionally of one user: where each is and its timeline. */
export async function listRuns(ctx: Context, appId: string, journeyId: string, userId?: string) {
  const journey = await ctx.store.db.selectFrom('journeys').select('id').where('app_id', '=', appId).where('id', '=', journeyId).executeTakeFirst();
  if (!journey) throw new ApiError('journey_not_found', `No journey ${journeyId} in this app`);
  let q = ctx.store.db.selectFrom('journey_runs').selectAll().where('journey_id', '=', journeyId);
  if (userId !== undefined) q = q.where('external_id', '=', userId);
  const rows = (await q.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(100).execute()).map(runRow);
  return {
    data: rows.map((r) => ({
      id: String(r.id),
      userId: r.external_id,
      version: r.version,
      state: r.state,
      step: r.step,
      dueAt: iso(r.due_at),
      waitingFor: r.waiting_for,
      startedAt: iso(r.started_at)!,
      endedAt: iso(r.ended_at),
      endReason: r.end_reason,
      timeline: JSON.parse(r.timeline) as TimelineEntry[],
    })),
  };
}
