import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { StoredEvent } from '../audience/events/track-events.ts';
import type { Context } from '../context.ts';
import type { JobSpec } from '../queue/queue.ts';
import type { Database } from '../store/schema.ts';
import type { JourneyRun } from '../store/schema-journeys.ts';
import type { AttributeChange } from './attribute-change.ts';
import type { JourneyDefinition } from './journey-definition.ts';
import { enterList, nextPosition } from './positions.ts';
import { dropReached } from './audience-trigger.ts';
import { beginWalk } from './audience-walk.ts';
import { advanceRun, commitMove, definitionOf, migratedMeanwhile, planMove } from './run-engine.ts';
import { stepJobSpec } from './run-writes.ts';
import { segmentEntriesAfterEvents } from './segment-entry.ts';
import { runRow } from './run-row.ts';
import { addStepCounts } from './step-counts.ts';
import { userMatches, type TriggerEvent } from './user-facts.ts';

export const JOURNEY_EVENTS_JOB = 'journey-events';

export interface JourneyEventsData {
  appId: string;
  events: StoredEvent[];
  /**
   * The events came with the secret key (the app's server), not the publishable key a
   * browser holds. Only then may an item's event start its audience's runs: a visitor's
   * made-up `price_changed` would otherwise push text of its choosing to every viewer of
   * the item. Absent (a job queued before this field) counts as not.
   */
  fromServer?: boolean;
  /** The users the /track call created (their first events): they enter the segments they match as a user created by a PUT does. */
  created?: string[];
}

/**
 * The one call the /track path makes, in the transaction that stores the events: when the
 * app has journeys that may care (active or paused ones, whose runs an event can exit or
 * move on), their handling is queued with the events, so it runs once they are committed,
 * and is never lost if the process dies after the commit (the job is in the same commit).
 * An app without journeys pays one indexed read.
 */
export async function journeyEventsStored(ctx: Context, tx: Transaction<Database>, appId: string, stored: StoredEvent[], from: { server: boolean; created?: Set<string> }): Promise<void> {
  if (stored.length === 0) return;
  const any = await tx.selectFrom('journeys').select('id').where('app_id', '=', appId).where('status', 'in', ['active', 'paused']).limit(1).executeTakeFirst();
  if (!any) return;
  const created = [...(from.created ?? [])];
  const job: JobSpec = { name: JOURNEY_EVENTS_JOB, data: { appId, events: stored, fromServer: from.server, ...(created.length > 0 ? { created } : {}) } satisfies JourneyEventsData };
  await ctx.queue.add([job], tx);
}

/** What an event is to a journey: one event starts one run per user (journey_runs_trigger) and one audience walk (audience-walk.ts). */
export function triggerKey(journeyId: string, e: StoredEvent): string {
  return createHash('sha256').update(`${journeyId}\n${e.name}\n${e.at}\n${e.properties}`).digest('base64url');
}

/**
 * What a batch of stored events does to journeys, in the order they happened: for each, the
 * user's runs it exits (an `exit.events` name) or moves on (a `waitFor` of that name), then
 * the runs it starts (active journeys it triggers, when `where`, re-entry and the limit
 * allow). Handling the same events twice does nothing more: a run moves only from the
 * position it was found at, and one event starts one run of a journey (journey_runs_trigger).
 */
export async function handleJourneyEvents(ctx: Context, data: JourneyEventsData): Promise<void> {
  const db = ctx.store.db;
  const events = [...data.events].sort((a, b) => a.at - b.at);
  const users = await db.selectFrom('users').select(['seq', 'external_id']).where('app_id', '=', data.appId).where('external_id', 'in', [...new Set(events.map((e) => e.userId))]).execute();
  const seqOf = new Map(users.map((u) => [u.external_id, Number(u.seq)]));
  // The active journeys each event name triggers, read once for the batch: one activated or
  // given a new version while the batch is handled is seen from the next batch on (a pause or
  // an archive is seen at once, under the share lock of startRun).
  const triggered = new Map<string, TriggeredJourney[]>();
  for (const e of events) {
    const seq = seqOf.get(e.userId);
    if (seq === undefined) continue;
    const event: TriggerEvent = { name: e.name, at: e.at, properties: JSON.parse(e.properties) as Record<string, unknown> };
    await moveRuns(ctx, data.appId, seq, event);
    await startRuns(ctx, data.appId, seq, e, event, { fromServer: data.fromServer === true, externalId: e.userId, triggered });
  }
  await ctx.queue.add(await segmentEntriesAfterEvents(ctx, data.appId, events, new Set(data.created ?? [])));
}

async function moveRuns(ctx: Context, appId: string, seq: number, event: TriggerEvent): Promise<void> {
  const rows = await ctx.store.db.selectFrom('journey_runs').selectAll().where('app_id', '=', appId).where('user_seq', '=', seq).where('state', '=', 'active').execute();
  for (const r of rows) {
    // A run a migration took to a newer version meanwhile (same token) is looked at again on that one.
    for (let run: JourneyRun | null = runRow(r); run; run = await migratedMeanwhile(ctx, run)) {
      const def = await definitionOf(ctx, run.journey_id, run.version);
      if (def.exit.events.includes(event.name)) {
        // The run ends where it is: its timer (a wait, a held send) then finds it moved and does nothing.
        if (await commitMove(ctx, run, def, { to: null, what: `exit event ${event.name}`, end: `exit_event:${event.name}` })) break;
        continue;
      }
      if (run.waiting_for !== event.name || event.at < run.updated_at - 1) break;
      const moved = await commitMove(ctx, run, def, { to: enterList(def, `${run.step}/waitFor/matched`), what: `${event.name} came` });
      if (!moved) continue;
      if (isDue(moved, ctx.now())) await advanceRun(ctx, moved.id, moved.token);
      break;
    }
  }
}

/** A run whose step is instant now (a timed one waits for its timer). */
function isDue(run: { due_at: number | null }, now: number): boolean {
  return run.due_at !== null && run.due_at <= now;
}

/**
 * Whether this event may start the user's run of this journey now: `resume`, the run it
 * started already (a retried job, see startRun); `enter`, when re-entry and the limit let
 * the user in; `no` otherwise.
 */
async function mayEnter(db: Kysely<Database> | Transaction<Database>, journeyId: string, seq: number, key: string, def: JourneyDefinition, now: number): Promise<'enter' | 'no' | { resume: StartedRun }> {
  const runs = await db
    .selectFrom('journey_runs')
    .select(['id', 'token', 'state', 'due_at', 'trigger_key', 'started_at', 'ended_at'])
    .where('journey_id', '=', journeyId)
    .where('user_seq', '=', seq)
    .orderBy('started_at', 'desc')
    .limit(Math.max(1, def.limit?.max ?? 1) + 1)
    .execute();
  // This event's own run (the newest: while it is active no other can start) is not a
  // reason to refuse it but the run to go on with.
  const own = runs.find((r) => r.trigger_key === key);
  if (own) return own.state === 'active' ? { resume: { id: Number(own.id), token: Number(own.token), dueAt: own.due_at === null ? null : Number(own.due_at) } } : 'no';
  // One run at a time per user (journey_runs_one_active holds it under races too).
  if (runs.some((r) => r.state === 'active')) return 'no';
  const last = runs[0];
  if (last) {
    if (def.reentry.mode === 'never') return 'no';
    if (Number(last.ended_at ?? now) > now - def.reentry.ms) return 'no';
  }
  if (def.limit) {
    const recent = runs.filter((r) => Number(r.started_at) > now - def.limit!.ms).length;
    if (recent >= def.limit.max) return 'no';
  }
  return 'enter';
}

/**
 * A change of an attribute an active journey is triggered by: runs start with the trigger
 * event `{"name": "attributeChange", "properties": {"key", "from", "to"}}` (so a `where` can
 * test `event.properties.to`), under the same re-entry and limit rules as an event.
 */
export async function handleAttributeChange(ctx: Context, change: AttributeChange): Promise<void> {
  const user = await ctx.store.db.selectFrom('users').select('seq').where('app_id', '=', change.appId).where('external_id', '=', change.userId).executeTakeFirst();
  if (!user) return;
  const properties = { key: change.key, from: change.from, to: change.to };
  const stored: StoredEvent = { userId: change.userId, name: 'attributeChange', at: change.at, properties: JSON.stringify(properties) };
  await startRuns(ctx, change.appId, Number(user.seq), stored, { name: 'attributeChange', at: change.at, properties }, { fromServer: false, attribute: change.key });
}

/** An active journey an event or an attribute starts runs of, at its current version. */
interface TriggeredJourney {
  id: string;
  version: number;
}

async function startRuns(
  ctx: Context,
  appId: string,
  seq: number,
  stored: StoredEvent,
  event: TriggerEvent,
  opts: { fromServer: boolean; attribute?: string; externalId?: string; triggered?: Map<string, TriggeredJourney[]> },
): Promise<void> {
  const attribute = opts.attribute;
  const db = ctx.store.db;
  let journeys = attribute === undefined ? opts.triggered?.get(event.name) : undefined;
  if (!journeys) {
    let q = db.selectFrom('journeys').select(['id', 'version']).where('app_id', '=', appId).where('status', '=', 'active');
    q = attribute === undefined ? q.where('trigger_event', '=', event.name) : q.where('trigger_attribute', '=', attribute);
    journeys = await q.execute();
    if (attribute === undefined) opts.triggered?.set(event.name, journeys);
  }
  for (const j of journeys) {
    const def = await definitionOf(ctx, j.id, j.version);
    if (!dropReached(def.trigger.drop, event)) continue;
    if (def.trigger.audience) {
      // An item's event (the merchant's price_changed): the runs are its audience's, not the
      // sender's, and so only the app's server may send it (JourneyEventsData.fromServer).
      if (!opts.fromServer) continue;
      // A page at a time, a job each (audience-walk.ts): an item viewed by a million makes no one long job.
      await beginWalk(ctx, appId, j, stored);
      continue;
    }
    await startRun(ctx, appId, j, def, seq, stored, event, opts.externalId);
  }
}

/** Starts one user's run of a journey for a trigger event, when re-entry, the limit and the trigger's `where` let them in. */
export async function startRun(ctx: Context, appId: string, j: TriggeredJourney, def: JourneyDefinition, seq: number, stored: StoredEvent, event: TriggerEvent, externalId?: string): Promise<void> {
  const db = ctx.store.db;
  const now = ctx.now();
  const key = triggerKey(j.id, stored);
  const may = await mayEnter(db, j.id, seq, key, def, now);
  if (may === 'no') return;
  if (may !== 'enter') return resumeRun(ctx, may.resume);
  if (def.trigger.where && !(await userMatches(db, appId, seq, def.trigger.where, event, now))) return;
  // The user's id, when the caller does not have it (an item's audience, by seq).
  const user = externalId !== undefined ? { external_id: externalId } : await db.selectFrom('users').select('external_id').where('seq', '=', seq).executeTakeFirstOrThrow();
  const first = enterList(def, '/steps') ?? nextPosition(def, '/steps/0');
  // The run as it enters, then its move onto the first step worked out before the write (a
  // local-time wait reads the user's zone), so that the run, its entry, the first step's
  // timer and the counts are one commit (step-counts.ts). Its id is the insert's.
  const entering: JourneyRun = {
    id: 0,
    app_id: appId,
    journey_id: j.id,
    version: j.version,
    user_seq: seq,
    external_id: user.external_id,
    state: 'active',
    step: null,
    token: 0,
    due_at: now,
    waiting_for: null,
    trigger: JSON.stringify(event),
    trigger_key: key,
    started_at: now,
    ended_at: null,
    end_reason: null,
    timeline: JSON.stringify([{ at: new Date(now).toISOString(), step: null, what: `entered on ${event.name}`, detail: `version ${j.version}` }]),
    updated_at: now,
    sends: 0,
    attempts: 0,
  };
  const onFirst = await planMove(ctx, entering, def, { to: first, what: 'started', enteredCounted: true });
  const inserted = await db.transaction().execute(async (tx) => {
    // Re-entry and the limit are checked again under the user's row lock, so that two events
    // at once are counted one after the other: without it both could pass the check above
    // before either run is written (the first ending at once, its journey all instant steps,
    // frees journey_runs_one_active for the second). SQLite runs one write transaction at a
    // time; PostgreSQL holds the lock (SELECT ... FOR UPDATE) until this commits.
    if (ctx.store.caps.supportsSkipLocked) await tx.selectFrom('users').select('seq').where('seq', '=', seq).forUpdate().execute();
    // The journey is still active, looked at under a share lock: a pause or an archive that
    // commits meanwhile (moveJourney updates the journey row first) waits for this insert, and
    // an archive then ends this run with the others; one that came first starts nothing here.
    const journey = tx.selectFrom('journeys').select('status').where('id', '=', j.id);
    const live = await (ctx.store.caps.supportsSkipLocked ? journey.forShare() : journey).executeTakeFirst();
    if (live?.status !== 'active') return undefined;
    if ((await mayEnter(tx, j.id, seq, key, def, now)) !== 'enter') return undefined;
    const { id: _id, ...values } = onFirst.next;
    const row = await tx
      .insertInto('journey_runs')
      .values(values)
      // Already started by this event (a retried job), or the user has a run going (a race).
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return undefined;
    const runId = Number(row.id);
    const counts = [...(first !== null ? [{ step: first, outcome: 'entered' }] : []), ...onFirst.counts];
    await addStepCounts(tx, j.id, j.version, counts.map((count) => ({ runId, count })));
    if (onFirst.timerAt !== undefined) await ctx.queue.add([stepJobSpec(runId, onFirst.next.token, onFirst.timerAt)], tx);
    return { ...onFirst.next, id: runId };
  });
  if (!inserted) {
    // Started by this event meanwhile (the same job run twice at once), or refused on the
    // second look (another event's run came first): the former is gone on with, as a retried job's.
    const again = await db.selectFrom('journey_runs').select(['id', 'token', 'due_at']).where('journey_id', '=', j.id).where('user_seq', '=', seq).where('trigger_key', '=', key).where('state', '=', 'active').executeTakeFirst();
    if (again) await resumeRun(ctx, { id: Number(again.id), token: Number(again.token), dueAt: again.due_at === null ? null : Number(again.due_at) });
    return;
  }
  // A timed first step has its timer; an instant one goes on now. A crash before the instant
  // steps commit leaves the run due now with no job of its own: the trigger's job, which is
  // not done until this returns, is retried and goes on with it (resumeRun).
  if (isDue(inserted, ctx.now())) await advanceRun(ctx, inserted.id, inserted.token);
}

/**
 * Goes on with a run this trigger started, found again by a retried job (its first try died
 * or failed after the run's row committed): onto its first step if it never got there (token
 * 0), else on from where it is if due. A move is written only from the position it was found
 * at and a send is deduplicated by its step key, so a run that went on meanwhile is left alone.
 */
async function resumeRun(ctx: Context, run: StartedRun): Promise<void> {
  if (run.token === 0) return enterFirst(ctx, run.id);
  // A run waiting on a timed step has its timer, queued with the move that put it there.
  if (isDue({ due_at: run.dueAt }, ctx.now())) await advanceRun(ctx, run.id, run.token);
}

/** A run found by the event that started it: where it is (its token) and when it is due. */
interface StartedRun {
  id: number;
  token: number;
  dueAt: number | null;
}

/** Puts a new run on its first step as a move (so a timed first step gets its timer), then runs what is due. */
async function enterFirst(ctx: Context, runId: number): Promise<void> {
  const r = await ctx.store.db.selectFrom('journey_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
  const run = runRow(r);
  const def = await definitionOf(ctx, run.journey_id, run.version);
  const moved = await commitMove(ctx, { ...run, step: null }, def, { to: run.step, what: 'started', enteredCounted: true });
  if (moved && isDue(moved, ctx.now())) await advanceRun(ctx, moved.id, moved.token);
}
