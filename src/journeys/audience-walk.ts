import type { Transaction } from 'kysely';
import type { StoredEvent } from '../audience/events/track-events.ts';
import type { Context } from '../context.ts';
import type { JobSpec } from '../queue/queue.ts';
import type { Database } from '../store/schema.ts';
import type { JourneyWalkState } from '../store/schema-journeys.ts';
import { audienceOf } from './audience-trigger.ts';
import { startRun, triggerKey } from './journey-events.ts';
import { definitionOf } from './run-engine.ts';
import type { TriggerEvent } from './user-facts.ts';

/**
 * An item's event (the price drop's `price_changed`) reaches its audience a page at a time:
 * one job per page of `journeyAudiencePage` users (config) in `user_seq` order, each starting their runs and
 * then, in one commit, moving the walk's cursor (journey_audience_walks, migration 036) and
 * queueing the next page. A page job that dies half way is run again from the cursor the
 * last page committed: the runs it had started are found by their trigger key (one event
 * starts one run per user), so nobody enters twice, and nobody is skipped.
 */
export const JOURNEY_AUDIENCE_JOB = 'journey-audience-page';

export interface AudiencePageData {
  walkId: number;
  /** The walk's cursor this page starts after; a job whose walk has gone past it does nothing. */
  cursor: number;
}

/** A walk as the journey's stats show it. */
export interface AudienceWalk {
  event: { name: string; at: string; properties: Record<string, unknown> };
  state: JourneyWalkState;
  /** Users of the audience looked at so far. */
  seen: number;
  /** Runs started (the others were kept out by re-entry, the limit or the trigger's `where`). */
  entered: number;
  startedAt: string;
  updatedAt: string;
}

function pageJob(walkId: number, cursor: number, suffix = ''): JobSpec {
  return { name: JOURNEY_AUDIENCE_JOB, data: { walkId, cursor } satisfies AudiencePageData, key: `journey-audience:${walkId}:${cursor}${suffix}` };
}

/** Begins the walk of an event over a journey's audience: its row and its first page's job in one commit, once per journey and event. */
export async function beginWalk(ctx: Context, appId: string, j: { id: string; version: number }, stored: StoredEvent): Promise<void> {
  const now = ctx.now();
  await ctx.store.db.transaction().execute(async (tx: Transaction<Database>) => {
    const row = await tx
      .insertInto('journey_audience_walks')
      .values({ app_id: appId, journey_id: j.id, version: j.version, trigger_key: triggerKey(j.id, stored), event: JSON.stringify(stored), cursor: 0, seen: 0, entered: 0, state: 'walking', started_at: now, updated_at: now })
      // Begun already by this event (the events job retried): its pages are on their way.
      .onConflict((oc) => oc.columns(['journey_id', 'trigger_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (row) await ctx.queue.add([pageJob(Number(row.id), 0)], tx);
  });
}

/**
 * One page of a walk: the next users of the audience after the cursor (the window counted
 * from the walk's start, the same for every page), their runs started as any trigger's,
 * then the cursor and the counts moved and the next page queued in one commit. A walk whose
 * journey no longer takes users in (paused, archived) stops.
 */
export async function walkPage(ctx: Context, data: AudiencePageData): Promise<void> {
  const db = ctx.store.db;
  const pageSize = ctx.config.journeyAudiencePage;
  const walk = await db.selectFrom('journey_audience_walks').selectAll().where('id', '=', data.walkId).executeTakeFirst();
  if (!walk || walk.state !== 'walking' || Number(walk.cursor) !== data.cursor) return;
  const journey = await db.selectFrom('journeys').select('status').where('id', '=', walk.journey_id).executeTakeFirst();
  if (journey?.status !== 'active') {
    await db.updateTable('journey_audience_walks').set({ state: 'stopped', updated_at: ctx.now() }).where('id', '=', walk.id).where('cursor', '=', walk.cursor).execute();
    return;
  }
  const version = Number(walk.version);
  const def = await definitionOf(ctx, walk.journey_id, version);
  const stored = JSON.parse(walk.event) as StoredEvent;
  const event: TriggerEvent = { name: stored.name, at: stored.at, properties: JSON.parse(stored.properties) as Record<string, unknown> };
  const cursor = Number(walk.cursor);
  const users = def.trigger.audience ? await audienceOf(ctx, walk.app_id, def.trigger.audience, event, Number(walk.started_at), { after: cursor, limit: pageSize }) : [];
  for (const seq of users) await startRun(ctx, walk.app_id, { id: walk.journey_id, version }, def, seq, stored, event);
  const last = users.at(-1) ?? cursor;
  // The page's runs, counted from the store: exact whether this is the page's first try or a retry after a crash.
  const started =
    users.length === 0
      ? 0
      : Number((await db.selectFrom('journey_runs').select((eb) => eb.fn.countAll<number>().as('n')).where('journey_id', '=', walk.journey_id).where('user_seq', '>', cursor).where('user_seq', '<=', last).where('trigger_key', '=', walk.trigger_key).executeTakeFirstOrThrow()).n);
  const done = users.length < pageSize;
  await db.transaction().execute(async (tx) => {
    const res = await tx
      .updateTable('journey_audience_walks')
      .set({ cursor: last, seen: Number(walk.seen) + users.length, entered: Number(walk.entered) + started, state: done ? 'done' : 'walking', updated_at: ctx.now() })
      .where('id', '=', walk.id)
      .where('cursor', '=', cursor)
      .executeTakeFirst();
    // Another try of this page moved on first: its next page is queued already.
    if (Number(res.numUpdatedRows) === 1 && !done) await ctx.queue.add([pageJob(walk.id, last)], tx);
  });
}

/** Walks untouched since `before` whose page job the queue lost (a Redis that lost its data): queued again from their cursor. */
export async function lateWalks(ctx: Context, before: number): Promise<JobSpec[]> {
  const rows = await ctx.store.db.selectFrom('journey_audience_walks').select(['id', 'cursor']).where('state', '=', 'walking').where('updated_at', '<', before).orderBy('updated_at').limit(1_000).execute();
  return rows.map((r) => pageJob(Number(r.id), Number(r.cursor), ':late'));
}

/** The latest walks of a version (20), newest first, for its stats. */
export async function walksOf(ctx: Context, journeyId: string, version: number): Promise<AudienceWalk[]> {
  const rows = await ctx.store.db.selectFrom('journey_audience_walks').selectAll().where('journey_id', '=', journeyId).where('version', '=', version).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(20).execute();
  const iso = (ms: unknown) => new Date(Number(ms)).toISOString();
  return rows.map((r) => {
    const e = JSON.parse(r.event) as StoredEvent;
    return { event: { name: e.name, at: iso(e.at), properties: JSON.parse(e.properties) as Record<string, unknown> }, state: r.state, seen: Number(r.seen), entered: Number(r.entered), startedAt: iso(r.started_at), updatedAt: iso(r.updated_at) };
  });
}
