import type { Context } from '../context.ts';
import { startRun } from './journey-events.ts';
import { definitionOf } from './run-engine.ts';
import { segmentEntryEvent, type SegmentEntryData } from './segment-entry.ts';

/**
 * A user entered the segment of a segment-entry journey (segment-entry.ts): a run starts on
 * the journey's current version if it is still active, under re-entry and the limit as any
 * run. The trigger event is `{"name": "segmentEntry", "properties": {"segment", "via"}}`; one
 * entry starts one run (its trigger key), however often the job runs.
 */
export async function handleSegmentEntry(ctx: Context, data: SegmentEntryData): Promise<void> {
  const db = ctx.store.db;
  const j = await db.selectFrom('journeys').select(['id', 'version']).where('app_id', '=', data.appId).where('id', '=', data.journeyId).where('status', '=', 'active').executeTakeFirst();
  if (!j) return;
  const user = await db.selectFrom('users').select('seq').where('app_id', '=', data.appId).where('external_id', '=', data.userId).executeTakeFirst();
  if (!user) return;
  const version = Number(j.version);
  const def = await definitionOf(ctx, j.id, version);
  if (def.trigger.segmentEntry === undefined) return;
  const { stored, event } = segmentEntryEvent(def.trigger.segmentEntry, data);
  await startRun(ctx, data.appId, { id: j.id, version }, def, Number(user.seq), stored, event);
}
