import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import { applyPatch } from '../audience/users/users.ts';
import { validateUser } from '../audience/users/validate-user.ts';
import { getCampaignSettings } from '../campaigns/app-settings.ts';
import { nextWallTime, parseTimeOfDay, resolveZone } from '../campaigns/timing/index.ts';
import type { Context } from '../context.ts';
import type { Database } from '../store/schema.ts';
import type { JourneyRun } from '../store/schema-journeys.ts';
import { JOURNEY_LIMITS, type JourneyDefinition, type Step } from './journey-definition.ts';
import { versionDefinition } from './journeys.ts';
import { beforeEventTime, beforeInDays } from './event-time.ts';
import { enterList, nextPosition, stepAt } from './positions.ts';
import { loadRun, loadRuns } from './run-row.ts';
import { GroupCommit, stepJobSpec, writeRuns, type PlannedMove } from './run-writes.ts';
import type { StepCount } from './step-counts.ts';
import { sendStep } from './send-step.ts';
import { callWebhookStep } from './webhook-step.ts';
import { userMatches, type TriggerEvent } from './user-facts.ts';

/** Entries a run's timeline keeps; the oldest go first. */
export const TIMELINE_MAX = 100;
/** Instant steps one handler call runs in a row before it leaves the rest to a job of its own. */
const INSTANT_STEPS_PER_CALL = 50;

export interface TimelineEntry {
  at: string;
  step: string | null;
  what: string;
  detail?: string;
}

/** A move of a run: where it goes, what the timeline says, and what else commits with it. */
interface Move {
  to: string | null;
  what: string;
  detail?: string;
  /** A held step: stays where it is, due at this instant. */
  holdUntil?: number;
  /** The end of the run, for a reason other than reaching the end. */
  end?: string;
  /** The step the run ends on while entering it (a wait whose instant is missing): counted as entered and exited there. */
  endAt?: string;
  /** What the step did, for its counts: a send step sent or skipped. */
  count?: 'sent' | 'skipped';
  /** A held step's attempt that did not go through (a webhook call refused): counted in the run's `attempts`, which any other move resets. */
  failedAttempt?: boolean;
  /** The run's entry on its first step, already counted with the run's row (journey-events.ts). */
  enteredCounted?: boolean;
  alsoInTx?: (tx: Transaction<Database>) => Promise<void>;
}

function appendTimeline(run: JourneyRun, entries: TimelineEntry[]): string {
  const list = JSON.parse(run.timeline) as TimelineEntry[];
  list.push(...entries);
  return JSON.stringify(list.slice(-TIMELINE_MAX));
}

/** The user's zone: theirs, else the app's, else UTC. */
async function userZone(ctx: Context, run: JourneyRun): Promise<string> {
  const user = await ctx.store.db.selectFrom('users').select('timezone').where('seq', '=', run.user_seq).executeTakeFirst();
  return resolveZone(user?.timezone, (await getCampaignSettings(ctx, run.app_id)).timezone);
}

/** When a step entered now is next due, and the event it waits for. */
async function entry(ctx: Context, run: JourneyRun, step: Step, now: number): Promise<{ dueAt: number; waitingFor: string | null; timed: boolean; end?: string }> {
  if ('wait' in step) {
    const w = step.wait;
    if ('ms' in w) return { dueAt: now + w.ms, waitingFor: null, timed: true };
    if ('untilEventTime' in w) {
      // An instant the trigger event carries (an appointment's start), as RFC 3339 text or unix ms.
      const value = (JSON.parse(run.trigger) as TriggerEvent).properties[w.untilEventTime];
      const at = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
      // A whole millisecond, and no further ahead than the longest wait: a fraction or 1e300
      // fits no timer column and would leave the run waiting for ever.
      if (!Number.isSafeInteger(at) || at - now > JOURNEY_LIMITS.maxWaitMs) return { dueAt: now, waitingFor: null, timed: false, end: `event_time_missing:${w.untilEventTime}` };
      // Days before are counted on the user's clock, hours elapsed (event-time.ts).
      const dueAt = beforeEventTime(at, w.before, w.beforeMs, beforeInDays(w.before) ? await userZone(ctx, run) : 'UTC');
      // Already past (booked less than `before` ahead): the step is done at once.
      return dueAt > now ? { dueAt, waitingFor: null, timed: true } : { dueAt: now, waitingFor: null, timed: false };
    }
    const zone = w.localTime ? await userZone(ctx, run) : 'UTC';
    // The next such wall time strictly ahead: a wait entered at 09:00 sharp waits a day.
    return { dueAt: nextWallTime(now + 1, parseTimeOfDay(w.until)!, zone), waitingFor: null, timed: true };
  }
  if ('waitFor' in step) return { dueAt: now + step.waitFor.ms, waitingFor: step.waitFor.event, timed: true };
  return { dueAt: now, waitingFor: null, timed: false };
}

/** Works out one move of a run (its new position, due time, timeline and counts) without writing anything. */
export async function planMove(ctx: Context, run: JourneyRun, def: JourneyDefinition, move: Move): Promise<PlannedMove> {
  const now = ctx.now();
  const at = new Date(now).toISOString();
  const entries: TimelineEntry[] = [{ at, step: run.step, what: move.what, ...(move.detail ? { detail: move.detail } : {}) }];
  let set: Partial<JourneyRun>;
  let timerAt: number | undefined;
  const token = run.token + 1;
  // The counts of the move (step-counts.ts), committed with it: exact however often it is retried.
  const counts: StepCount[] = [];
  if (move.count && run.step !== null) counts.push({ step: run.step, outcome: move.count });
  const sends = run.sends + (move.count === 'sent' ? 1 : 0);
  if (move.end !== undefined || (move.to === null && move.holdUntil === undefined)) {
    const reason = move.end ?? 'completed';
    entries.push({ at, step: null, what: 'ended', detail: reason });
    set = { state: 'ended', step: null, due_at: null, waiting_for: null, ended_at: now, end_reason: reason, sends, attempts: 0 };
    if (move.endAt !== undefined && !move.enteredCounted) counts.push({ step: move.endAt, outcome: 'entered' });
    const on = move.endAt ?? run.step;
    if (on !== null) counts.push({ step: on, outcome: `exited:${reason}` });
    // Converted: the user did what the journey asked (an exit event) after it had sent them something.
    if (reason.startsWith('exit_event:') && sends > 0) counts.push({ step: '', outcome: 'converted' });
  } else if (move.holdUntil !== undefined) {
    set = { due_at: move.holdUntil, waiting_for: null, attempts: run.attempts + (move.failedAttempt ? 1 : 0) };
    timerAt = move.holdUntil;
  } else {
    const step = stepAt(def, move.to!)!;
    const e = await entry(ctx, run, step, now);
    if (e.end !== undefined) return planMove(ctx, run, def, { ...move, to: null, end: e.end, endAt: move.to! });
    if (e.timed) entries.push({ at, step: move.to, what: e.waitingFor ? `waiting for ${e.waitingFor}` : 'waiting', detail: `until ${new Date(e.dueAt).toISOString()}` });
    set = { step: move.to, due_at: e.dueAt, waiting_for: e.waitingFor, sends, attempts: 0 };
    if (!move.enteredCounted) counts.push({ step: move.to!, outcome: 'entered' });
    // Instant steps run on in the caller's loop; a timed one gets its timer, in the same commit.
    if (e.timed) timerAt = e.dueAt;
  }
  const next = { ...run, ...set, token, timeline: appendTimeline(run, entries), updated_at: now };
  return { next, counts, ...(timerAt !== undefined ? { timerAt } : {}), ...(move.alsoInTx ? { alsoInTx: move.alsoInTx } : {}) };
}

/**
 * Commits one move of a run if it is still where the caller found it (same token and
 * version): its new position, due time and timeline, with `alsoInTx` (an attribute update)
 * and the timer job of a timed step, in one transaction. Null when the run had moved
 * meanwhile (another worker, an exit): nothing is written.
 */
export async function commitMove(ctx: Context, run: JourneyRun, def: JourneyDefinition, move: Move): Promise<JourneyRun | null> {
  return (await writeRuns(ctx, [{ from: run, moves: [await planMove(ctx, run, def, move)] }]))[0]!;
}

/** A fraction in [0, 1) fixed by the run and the step: a split sends a run down one path, on every worker and every retry. */
function splitDraw(run: JourneyRun, position: string): number {
  return createHash('sha256').update(`${run.journey_id}:${run.id}:${position}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** What the step at the run's position does now that it is due. */
async function stepMove(ctx: Context, run: JourneyRun, def: JourneyDefinition, event: TriggerEvent): Promise<Move> {
  const at = run.step!;
  const step = stepAt(def, at);
  if (!step) return { to: null, what: 'step missing', end: 'step_missing' };
  if ('wait' in step) return { to: nextPosition(def, at), what: 'waited' };
  // (A wait whose instant had passed when it was entered is instant: it goes on here at once.)
  if ('waitFor' in step) return { to: enterList(def, `${at}/waitFor/timedOut`), what: 'timed out', detail: `no ${step.waitFor.event} within ${step.waitFor.within}` };
  if ('branch' in step) {
    const yes = await userMatches(ctx.store.db, run.app_id, Number(run.user_seq), step.branch.filter, event, ctx.now());
    return { to: enterList(def, `${at}/branch/${yes ? 'then' : 'else'}`), what: yes ? 'branch: then' : 'branch: else' };
  }
  if ('split' in step) {
    const paths = step.split.paths;
    const total = paths.reduce((s, p) => s + p.weight, 0);
    let draw = splitDraw(run, at) * total;
    let i = 0;
    while (i < paths.length - 1 && draw >= paths[i]!.weight) draw -= paths[i++]!.weight;
    return { to: enterList(def, `${at}/split/paths/${i}/steps`), what: `split: path ${i}` };
  }
  if ('update' in step) {
    const patch = validateUser({ attributes: step.update.attributes });
    return { to: nextPosition(def, at), what: 'updated', detail: Object.keys(step.update.attributes).join(', '), alsoInTx: async (tx) => void (await applyPatch(tx, ctx, run.app_id, run.external_id, patch, ctx.now())) };
  }
  if ('webhook' in step) {
    const r = await callWebhookStep(ctx, run, step.webhook, event);
    if ('called' in r) return { to: nextPosition(def, at), what: 'webhook called', detail: `attempt ${r.called}`, count: 'sent' };
    if ('retryAt' in r) return { to: at, what: 'webhook retry', detail: `attempt ${r.attempt}: ${r.error}; again at ${new Date(r.retryAt).toISOString()}`, holdUntil: r.retryAt, failedAttempt: true };
    return { to: nextPosition(def, at), what: 'webhook failed', detail: `gave up after ${r.attempts} attempts: ${r.failed}`, count: 'skipped' };
  }
  const outcome = await sendStep(ctx, run, def, step.send, event);
  if ('sent' in outcome) return { to: nextPosition(def, at), what: 'sent', detail: outcome.sent, count: 'sent', ...(outcome.write ? { alsoInTx: outcome.write } : {}) };
  if ('hold' in outcome) return { to: at, what: `held: ${outcome.reason}`, detail: `until ${new Date(outcome.hold).toISOString()}`, holdUntil: outcome.hold };
  return { to: nextPosition(def, at), what: `skipped: ${outcome.skip}`, count: 'skipped', ...(outcome.detail ? { detail: outcome.detail } : {}) };
}

const definitions = new Map<string, JourneyDefinition>();

/** A version's definition, read once per process: versions do not change once runs are on them. */
export async function definitionOf(ctx: Context, journeyId: string, version: number): Promise<JourneyDefinition> {
  const key = `${journeyId}:${version}`;
  let def = definitions.get(key);
  if (!def) {
    def = await versionDefinition(ctx, journeyId, version);
    // A draft's version 1 is edited in place, but a draft has no runs; stay small anyway.
    if (definitions.size > 1_000) definitions.clear();
    definitions.set(key, def);
  }
  return def;
}

/**
 * Runs a run forward from its position while it is due, until it reaches a timed step (its
 * timer is then queued with the move) or its end. Moves are committed in groups: the
 * instant steps that follow one another are written together, up to and with the first
 * that writes something of its own (a send's notification, an update's attributes), so a
 * send and the advance past it are one commit, and a step that reads the user reads what
 * the steps before it wrote. A webhook step is called only once what comes before it is
 * committed. `token` is the position the caller was told of; a run that has moved on since
 * is left alone.
 */
export async function advanceRun(ctx: Context, runId: number, token: number): Promise<void> {
  await advanceRuns(ctx, [{ runId, token }]);
}

/**
 * advanceRun for several runs side by side (a batch of timers): read in one query, each
 * moved as advanceRun says, their writes committed in groups (GroupCommit) rather than one
 * transaction each. Throws (once every run has stopped) if any run's moves did: the
 * runs written by then stay written, and a second call does nothing more for them.
 */
export async function advanceRuns(ctx: Context, timers: readonly { runId: number; token: number }[]): Promise<void> {
  const unique = [...new Map(timers.map((t) => [`${t.runId}:${t.token}`, t])).values()];
  const runs = new Map((await loadRuns(ctx.store.db, unique.map((t) => t.runId))).map((r) => [r.id, r]));
  const group = new GroupCommit(ctx, unique.length);
  const settled = await Promise.allSettled(
    unique.map(async (t) => {
      try {
        await advanceLoaded(ctx, runs.get(t.runId), t.token, group);
      } finally {
        group.done();
      }
    }),
  );
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
}

async function advanceLoaded(ctx: Context, loaded: JourneyRun | undefined, token: number, group: GroupCommit): Promise<void> {
  let run = loaded ?? null;
  if (!run || run.state !== 'active' || run.token !== token) return;
  let def = await definitionOf(ctx, run.journey_id, run.version);
  const event = JSON.parse(run.trigger) as TriggerEvent;
  // `run` as committed, `at` where the moves worked out since have taken it.
  let at = run;
  let pending: PlannedMove[] = [];
  /**
   * Writes the pending moves: `written` (or nothing to write), `migrated` when a migration
   * took the run to a newer version at the same token meanwhile (it goes on there, its steps
   * done again: a send already made is not made twice, by its step key), `left` when it
   * moved on otherwise (another worker, an exit) and is to be left alone.
   */
  const flush = async (): Promise<'written' | 'migrated' | 'left'> => {
    if (pending.length === 0) return 'written';
    const moved = await group.write({ from: run!, moves: pending });
    pending = [];
    if (moved) {
      run = at = moved;
      return 'written';
    }
    const migrated = await migratedMeanwhile(ctx, run!);
    if (!migrated) return 'left';
    run = at = migrated;
    def = await definitionOf(ctx, run.journey_id, run.version);
    return 'migrated';
  };
  for (let i = 0; ; i++) {
    const now = ctx.now();
    if (at.state !== 'active' || (at.due_at !== null && at.due_at > now)) {
      // Woken early (a queue on another clock): set the timer again for the instant. Past the
      // first step, the run reached a timed step whose timer is queued with the move.
      if (i === 0 && at.state === 'active') await ctx.queue.add([stepJobSpec(at.id, at.token, at.due_at!, `:${now}`)]);
      // A run a migration took meanwhile goes on, on its new version, from where it is now.
      if ((await flush()) === 'migrated') continue;
      return;
    }
    if (i >= INSTANT_STEPS_PER_CALL) {
      if ((await flush()) === 'left') return;
      await ctx.queue.add([stepJobSpec(at.id, at.token, now, ':more')]);
      return;
    }
    const webhook = at.step !== null && 'webhook' in (stepAt(def, at.step) ?? {});
    if (webhook) {
      const written = await flush();
      if (written === 'left') return;
      // Somewhere else on a newer version now: looked at again from there.
      if (written === 'migrated') continue;
    }
    const exit = def.exit.filter !== undefined && (await userMatches(ctx.store.db, at.app_id, Number(at.user_seq), def.exit.filter, event, now));
    const move: Move = exit ? { to: null, what: 'exit filter matched', end: 'exit_filter' } : await stepMove(ctx, at, def, event);
    const planned = await planMove(ctx, at, def, move);
    pending.push(planned);
    at = planned.next;
    if ((planned.alsoInTx || webhook) && (await flush()) === 'left') return;
  }
}

/** The run as it is now, when a migration moved it to another version since `run` was read (same token, still active); else null. */
export async function migratedMeanwhile(ctx: Context, run: JourneyRun): Promise<JourneyRun | null> {
  const now = await loadRun(ctx.store.db, run.id);
  return now && now.state === 'active' && now.token === run.token && now.version !== run.version ? now : null;
}
