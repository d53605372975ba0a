import type { Context } from '../context.ts';
import { segmentEntriesAround, segmentJourneys } from './segment-entry.ts';

export const JOURNEY_ATTRIBUTE_JOB = 'journey-attribute';

export interface AttributeChange {
  appId: string;
  userId: string;
  key: string;
  from: unknown;
  to: unknown;
  at: number;
}

/**
 * Runs a write of a user's attributes (the PUT of a user) and, when it changed an attribute
 * an active journey is triggered by (`{"attributeChange": "plan"}`), queues the change for
 * the journeys: they start runs whose trigger event is `attributeChange` with properties
 * `key`, `from` and `to`. It also queues the entries of segment-entry journeys the write put
 * the user in (segment-entry.ts). An app without such journeys pays two indexed reads.
 *
 * The change is queued after the write commits, not with it: a process that dies between the
 * two loses that trigger (docs/journeys.md, "Not built yet").
 */
export async function withAttributeTriggers<T>(ctx: Context, appId: string, userId: string, attributes: Record<string, unknown> | undefined, write: () => Promise<T>): Promise<T> {
  const keys = Object.keys(attributes ?? {});
  // Segment-entry journeys look at every write (a language or a country may put a user in a segment).
  const segments = await segmentJourneys(ctx, appId);
  const journeys = keys.length === 0 ? [] : await ctx.store.db.selectFrom('journeys').select('trigger_attribute').where('app_id', '=', appId).where('status', '=', 'active').where('trigger_attribute', 'in', keys).execute();
  if (journeys.length === 0 && segments.length === 0) return write();
  const before = await ctx.store.db.selectFrom('users').select('attributes').where('app_id', '=', appId).where('external_id', '=', userId).executeTakeFirst();
  const { result, jobs } = await segmentEntriesAround(ctx, appId, userId, segments, write);
  const after = await ctx.store.db.selectFrom('users').select('attributes').where('app_id', '=', appId).where('external_id', '=', userId).executeTakeFirst();
  const was = before ? (JSON.parse(before.attributes) as Record<string, unknown>) : {};
  const now = (after ? JSON.parse(after.attributes) : {}) as Record<string, unknown>;
  for (const key of new Set(journeys.map((j) => j.trigger_attribute!))) {
    const from = was[key] ?? null;
    const to = now[key] ?? null;
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    jobs.push({ name: JOURNEY_ATTRIBUTE_JOB, data: { appId, userId, key, from, to, at: ctx.now() } satisfies AttributeChange });
  }
  await ctx.queue.add(jobs);
  return result;
}
