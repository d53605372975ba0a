import type { Transaction } from 'kysely';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import type { Database } from '../store/schema.ts';
import type { JourneyRun } from '../store/schema-journeys.ts';
import type { JourneyDefinition, Step } from './journey-definition.ts';
import { versionDefinition } from './journeys.ts';
import { stepAt } from './positions.ts';
import { TIMELINE_MAX } from './run-engine.ts';
import { runRow } from './run-row.ts';
import { addStepCounts, type StepCount } from './step-counts.ts';

/** Runs moved per transaction: each batch's rows are locked while it is written. */
const MIGRATE_BATCH = 500;
/** Explicit step mappings one request may give. */
export const MIGRATE_MAX_MAPPINGS = 100;

/** Why a run stays on its version: no step where it is, a step of another kind there, or a run that is starting at this instant. */
export type StayReason = 'step_missing' | 'kind_changed' | 'starting';

export interface MigrateRequest {
  /** Runs of this version only; every version before the current one by default. */
  fromVersion?: number;
  /** Old position → new position, for steps that moved (`{"/steps/1": "/steps/2"}`). */
  steps?: Record<string, string>;
  /** Count what would move, and move nothing. */
  dryRun?: boolean;
}

export interface MigrateResult {
  journeyId: string;
  toVersion: number;
  fromVersions: number[];
  dryRun: boolean;
  moved: number;
  stayed: Record<StayReason, number>;
}

/** `invalid_migration` with the pointer to the member at fault, given as its tokens (a mapping's key is itself a pointer: `#/steps/~1steps~11`). */
class MigrationError extends ApiError {
  constructor(tokens: string[], detail: string) {
    const pointer = tokens.map((t) => `/${t.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
    // RFC 6901 §6: the pointer as a URI fragment, each token escaped then percent-encoded.
    super('invalid_migration', `${pointer}: ${detail}`, { pointer: `#${pointer.split('/').map(encodeURIComponent).join('/')}` });
  }
}

const kindOf = (s: Step): string => Object.keys(s)[0]!;

/** Where a run at `position` of an old version goes in the new one, or why it stays. */
export function targetOf(oldDef: JourneyDefinition, newDef: JourneyDefinition, position: string, steps: Record<string, string>): { to: string } | { stay: StayReason } {
  const from = stepAt(oldDef, position);
  const to = steps[position] ?? position;
  const there = stepAt(newDef, to);
  if (!from || !there) return { stay: 'step_missing' };
  return kindOf(from) === kindOf(there) ? { to } : { stay: 'kind_changed' };
}

/**
 * Moves the runs in flight on earlier versions of a journey to its current version
 * (docs/journeys.md#migrating-runs). A run moves when the step it is on has a step of the
 * same kind at the same position in the new version, or at the position `steps` maps it to;
 * it keeps its due time (a wait, a waitFor's timeout, a held send), its token (so the timer
 * already queued for it fires on the new version, and a step racing the move keeps its
 * step key: its send is deduplicated) and its trigger event; a waitFor now waits for the
 * new step's event. The others stay on their version, counted by reason.
 *
 * Each batch of runs is locked (FOR UPDATE on PostgreSQL; SQLite writes one transaction at
 * a time) and each is written only if it is still where it was read (token and version), as
 * every move of the engine is; a move of the engine that lost the race finds the run on the
 * new version and goes on there (run-engine.ts).
 */
export async function migrateRuns(ctx: Context, appId: string, journeyId: string, req: MigrateRequest): Promise<MigrateResult> {
  const db = ctx.store.db;
  const journey = await db.selectFrom('journeys').select(['id', 'status', 'version']).where('app_id', '=', appId).where('id', '=', journeyId).executeTakeFirst();
  if (!journey) throw new ApiError('journey_not_found', `No journey ${journeyId} in this app`);
  if (journey.status !== 'active' && journey.status !== 'paused') throw new ApiError('journey_status', `A ${journey.status} journey has no runs to move`, { journeyStatus: journey.status });
  const toVersion = Number(journey.version);
  const fromVersions = await sourceVersions(ctx, journeyId, toVersion, req.fromVersion);
  const newDef = await versionDefinition(ctx, journeyId, toVersion);
  const oldDefs = new Map<number, JourneyDefinition>();
  for (const v of fromVersions) oldDefs.set(v, await versionDefinition(ctx, journeyId, v));
  const steps = req.steps ?? {};
  checkMappings(steps, [...oldDefs.values()], newDef);
  const dryRun = req.dryRun === true;
  const result: MigrateResult = { journeyId, toVersion, fromVersions, dryRun, moved: 0, stayed: { step_missing: 0, kind_changed: 0, starting: 0 } };
  if (fromVersions.length === 0) return result;
  let after = 0;
  for (;;) {
    const done = await db.transaction().execute(async (tx) => {
      let q = tx.selectFrom('journey_runs').selectAll().where('journey_id', '=', journeyId).where('state', '=', 'active').where('version', 'in', fromVersions).where('id', '>', after).orderBy('id').limit(MIGRATE_BATCH);
      if (ctx.store.caps.supportsSkipLocked && !dryRun) q = q.forUpdate();
      const rows = (await q.execute()).map(runRow);
      const at = new Date(ctx.now()).toISOString();
      for (const run of rows) {
        after = run.id;
        // A run still entering its first step (token 0, journey-events.ts) finishes that on its own version.
        const target = run.token === 0 ? { stay: 'starting' as const } : targetOf(oldDefs.get(run.version)!, newDef, run.step!, steps);
        if ('stay' in target) {
          result.stayed[target.stay]++;
          continue;
        }
        if (dryRun) {
          result.moved++;
          continue;
        }
        if (await moveOne(tx, run, toVersion, target.to, newDef, at)) result.moved++;
      }
      return rows.length < MIGRATE_BATCH;
    });
    if (done) return result;
  }
}

async function moveOne(tx: Transaction<Database>, run: JourneyRun, toVersion: number, to: string, newDef: JourneyDefinition, at: string): Promise<boolean> {
  const step = stepAt(newDef, to)!;
  // updated_at stays: a waitFor takes events from the instant it began waiting (journey-events.ts).
  const timeline = JSON.parse(run.timeline) as unknown[];
  timeline.push({ at, step: to, what: 'migrated', detail: `from version ${run.version} at ${run.step} to version ${toVersion} at ${to}` });
  const res = await tx
    .updateTable('journey_runs')
    // A run moved to another position starts that step's attempts afresh (another webhook step's retries are its own).
    .set({ version: toVersion, step: to, waiting_for: 'waitFor' in step ? step.waitFor.event : run.waiting_for, timeline: JSON.stringify(timeline.slice(-TIMELINE_MAX)), ...(to === run.step ? {} : { attempts: 0 }) })
    .where('id', '=', run.id)
    .where('token', '=', run.token)
    .where('version', '=', run.version)
    .where('state', '=', 'active')
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return false;
  // The old version's step counts the run as having left it (`exited: {migrated}`), the new one's as entered.
  const left: StepCount = { step: run.step!, outcome: 'exited:migrated' };
  await addStepCounts(tx, run.journey_id, run.version, [{ runId: run.id, count: left }]);
  await addStepCounts(tx, run.journey_id, toVersion, [{ runId: run.id, count: { step: to, outcome: 'entered' } }]);
  return true;
}

async function sourceVersions(ctx: Context, journeyId: string, toVersion: number, fromVersion: number | undefined): Promise<number[]> {
  if (fromVersion === undefined) {
    const rows = await ctx.store.db.selectFrom('journey_versions').select('version').where('journey_id', '=', journeyId).where('version', '<', toVersion).orderBy('version').execute();
    return rows.map((r) => Number(r.version));
  }
  if (fromVersion >= toVersion) {
    if (fromVersion === toVersion) throw new MigrationError(['fromVersion'], `version ${toVersion} is the current one: its runs have nowhere to move`);
    throw new ApiError('journey_version_not_found', `Journey ${journeyId} has no version ${fromVersion}`, { version: fromVersion });
  }
  const exists = await ctx.store.db.selectFrom('journey_versions').select('version').where('journey_id', '=', journeyId).where('version', '=', fromVersion).executeTakeFirst();
  if (!exists) throw new ApiError('journey_version_not_found', `Journey ${journeyId} has no version ${fromVersion}`, { version: fromVersion });
  return [fromVersion];
}

/** Each mapping names a step of a version moved from and a step of the same kind in the new one; refused before anything moves. */
function checkMappings(steps: Record<string, string>, oldDefs: JourneyDefinition[], newDef: JourneyDefinition): void {
  const entries = Object.entries(steps);
  if (entries.length > MIGRATE_MAX_MAPPINGS) throw new MigrationError(['steps'], `at most ${MIGRATE_MAX_MAPPINGS} mappings`);
  for (const [from, to] of entries) {
    const at = ['steps', from];
    const there = stepAt(newDef, to);
    if (!isStepPointer(to) || !there) throw new MigrationError(at, `${JSON.stringify(to)} names no step of the current version`);
    const olds = isStepPointer(from) ? oldDefs.map((d) => stepAt(d, from)).filter((s): s is Step => s !== undefined) : [];
    if (olds.length === 0) throw new MigrationError(at, `${JSON.stringify(from)} names no step of the versions moved from`);
    if (olds.some((s) => kindOf(s) !== kindOf(there))) throw new MigrationError(at, `a ${olds.map(kindOf).find((k) => k !== kindOf(there))} step cannot become a ${kindOf(there)} step`);
  }
}

/** A position as runs name them: `/steps/0`, `/steps/2/waitFor/matched/1`, never a member of a step. */
function isStepPointer(p: string): boolean {
  return /^\/steps\/\d+(\/(waitFor\/(matched|timedOut)|branch\/(then|else)|split\/paths\/\d+\/steps)\/\d+)*$/.test(p);
}
