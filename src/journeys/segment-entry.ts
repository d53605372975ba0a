import type { Kysely } from 'kysely';
import type { AudienceUser } from '../audience/filter/index.ts';
import type { StoredEvent } from '../audience/events/track-events.ts';
import type { Context } from '../context.ts';
import type { JobSpec } from '../queue/queue.ts';
import type { Database } from '../store/schema.ts';
import type { JourneyDefinition } from './journey-definition.ts';
import { definitionOf } from './run-engine.ts';
import { factsMatch, filterEventNames, storedFacts, type TriggerEvent } from './user-facts.ts';

/**
 * Segment-entry triggers (`{"segmentEntry": "seg_..."}`): a run starts when a user starts
 * matching the segment, looked at when what the segment reads changes (an attribute write by
 * the app's server, an event sent to /track), not by a sweep over every user. Entry is a
 * change from not matching to matching at that write: the user's facts just before it and
 * just after it are both tested, so a user who already matched starts nothing by a further
 * change, and one who left and matches again enters again under the journey's re-entry rule.
 */
export const JOURNEY_SEGMENT_JOB = 'journey-segment-entry';

export interface SegmentEntryData {
  appId: string;
  userId: string;
  journeyId: string;
  /** What made the user match: `attributes`, or `event:<name>`. */
  via: string;
  at: number;
}

interface SegmentJourney {
  id: string;
  version: number;
  def: JourneyDefinition & { trigger: { segmentEntry: string } };
}

/** The app's active segment-entry journeys: neither an event nor an attribute names their trigger. */
export async function segmentJourneys(ctx: Context, appId: string): Promise<SegmentJourney[]> {
  const rows = await ctx.store.db.selectFrom('journeys').select(['id', 'version']).where('app_id', '=', appId).where('status', '=', 'active').where('trigger_event', 'is', null).where('trigger_attribute', 'is', null).execute();
  const out: SegmentJourney[] = [];
  for (const r of rows) {
    const def = await definitionOf(ctx, r.id, Number(r.version));
    if (def.trigger.segmentEntry !== undefined) out.push({ id: r.id, version: Number(r.version), def: def as SegmentJourney['def'] });
  }
  return out;
}

function namesOf(journeys: SegmentJourney[]): Set<string> {
  const names = new Set<string>();
  for (const j of journeys) filterEventNames(j.def.trigger.segmentFilter, names);
  return names;
}

async function factsOf(db: Kysely<Database>, appId: string, userId: string, names: Set<string>): Promise<AudienceUser | null> {
  const user = await db.selectFrom('users').select('seq').where('app_id', '=', appId).where('external_id', '=', userId).executeTakeFirst();
  return user ? storedFacts(db, appId, Number(user.seq), names) : null;
}

function entered(j: SegmentJourney, before: AudienceUser | null, after: AudienceUser | null, now: number): boolean {
  const f = j.def.trigger.segmentFilter;
  return after !== null && factsMatch(f, after, null, now) && !(before !== null && factsMatch(f, before, null, now));
}

/**
 * Runs the write of a user (the PUT of the app's server) between two readings of what the
 * app's segment-entry journeys test, and answers the jobs of the journeys the user entered
 * by it (queued by the caller; after the commit, as attribute changes are: attribute-change.ts).
 */
export async function segmentEntriesAround<T>(ctx: Context, appId: string, userId: string, journeys: SegmentJourney[], write: () => Promise<T>): Promise<{ result: T; jobs: JobSpec[] }> {
  if (journeys.length === 0) return { result: await write(), jobs: [] };
  const names = namesOf(journeys);
  const before = await factsOf(ctx.store.db, appId, userId, names);
  const result = await write();
  const after = await factsOf(ctx.store.db, appId, userId, names);
  const now = ctx.now();
  const jobs = journeys
    .filter((j) => entered(j, before, after, now))
    .map((j) => entryJob({ appId, userId, journeyId: j.id, via: 'attributes', at: now }));
  return { result, jobs };
}

/**
 * What a batch of tracked events (already stored) does to segment-entry journeys: for each of
 * its users, the facts without the batch's events are "before", the stored facts "after";
 * answers the jobs of the entries, which the events job queues.
 *
 * A user whose batch has no event of a name the segments read is not looked at: nothing
 * else of theirs changed with these events, so they cannot have entered. A user the batch
 * created (`created`) is: before the batch there was no one to match, as for a user created
 * by a PUT, so a user made by their first event enters every segment they match.
 */
export async function segmentEntriesAfterEvents(ctx: Context, appId: string, events: StoredEvent[], created: Set<string> = new Set()): Promise<JobSpec[]> {
  const journeys = await segmentJourneys(ctx, appId);
  const jobs: JobSpec[] = [];
  if (journeys.length === 0) return jobs;
  const names = namesOf(journeys);
  const now = ctx.now();
  for (const userId of new Set(events.map((e) => e.userId))) {
    const mine = events.filter((e) => e.userId === userId);
    const isNew = created.has(userId);
    if (!isNew && !mine.some((e) => names.has(e.name))) continue;
    const after = await factsOf(ctx.store.db, appId, userId, names);
    if (!after) continue;
    const left = [...mine];
    const before: AudienceUser | null = isNew
      ? null
      : {
          ...after,
          events: after.events.filter((e) => {
            const i = left.findIndex((m) => m.name === e.name && m.at === e.at);
            if (i < 0) return true;
            left.splice(i, 1);
            return false;
          }),
        };
    const last = mine.reduce((a, b) => (b.at >= a.at ? b : a));
    for (const j of journeys) if (entered(j, before, after, now)) jobs.push(entryJob({ appId, userId, journeyId: j.id, via: `event:${last.name}`, at: last.at }));
  }
  return jobs;
}

/** Keyed by journey, user and instant: the events job retried after a crash queues the same entry once. */
function entryJob(data: SegmentEntryData): JobSpec {
  return { name: JOURNEY_SEGMENT_JOB, data, key: `journey-segment:${data.journeyId}:${data.userId}:${data.at}:${data.via}` };
}

/** The trigger event of a run a segment entry starts: what templates read as `event.*`. */
export function segmentEntryEvent(segment: string, entry: SegmentEntryData): { stored: StoredEvent; event: TriggerEvent } {
  const properties = { segment, via: entry.via };
  return { stored: { userId: entry.userId, name: 'segmentEntry', at: entry.at, properties: JSON.stringify(properties) }, event: { name: 'segmentEntry', at: entry.at, properties } };
}
