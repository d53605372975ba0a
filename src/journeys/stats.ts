import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import type { JourneyDefinition, Step } from './journey-definition.ts';
import { versionDefinition } from './journeys.ts';
import { walksOf, type AudienceWalk } from './audience-walk.ts';

/** A step of a version's tree, in document order: its pointer (as runs name it) and its kind. */
export interface StepRef {
  step: string;
  kind: string;
}

/** Every step of the definition, depth first in document order: a step, then the lists it holds. */
export function stepList(def: JourneyDefinition): StepRef[] {
  const out: StepRef[] = [];
  const walk = (list: Step[], at: string) =>
    list.forEach((s, i) => {
      const here = `${at}/${i}`;
      const kind = Object.keys(s)[0]!;
      out.push({ step: here, kind });
      if ('waitFor' in s) {
        walk(s.waitFor.matched, `${here}/waitFor/matched`);
        walk(s.waitFor.timedOut, `${here}/waitFor/timedOut`);
      } else if ('branch' in s) {
        walk(s.branch.then, `${here}/branch/then`);
        walk(s.branch.else, `${here}/branch/else`);
      } else if ('split' in s) {
        s.split.paths.forEach((p, j) => walk(p.steps, `${here}/split/paths/${j}/steps`));
      }
    });
  walk(def.steps, '/steps');
  return out;
}

export interface StepStats extends StepRef {
  entered: number;
  waiting: number;
  sent: number;
  skipped: number;
  exited: Record<string, number>;
}

export interface JourneyStats {
  journeyId: string;
  version: number;
  runs: { active: number; ended: number; converted: number };
  steps: StepStats[];
  ended: Record<string, number>;
  /** An item's event's walks over the audience (a trigger with `audience` only), newest first. */
  audience?: AudienceWalk[];
}

/**
 * The counts of one version of a journey (docs/journeys.md#stats), from two reads whose cost
 * does not grow with the runs' history: the step counts each move commits
 * (journey_step_counts, a few rows per step), and the version's runs counted by state, step
 * and end reason on the index `journey_runs_position` (migration 032).
 */
export async function journeyStats(ctx: Context, appId: string, journeyId: string, version?: number): Promise<JourneyStats> {
  const db = ctx.store.db;
  const journey = await db.selectFrom('journeys').select(['id', 'version']).where('app_id', '=', appId).where('id', '=', journeyId).executeTakeFirst();
  if (!journey) throw new ApiError('journey_not_found', `No journey ${journeyId} in this app`);
  const v = version ?? Number(journey.version);
  const exists = await db.selectFrom('journey_versions').select('version').where('journey_id', '=', journeyId).where('version', '=', v).executeTakeFirst();
  if (!exists) throw new ApiError('journey_version_not_found', `Journey ${journeyId} has no version ${v}`, { version: v });
  const def = await versionDefinition(ctx, journeyId, v);
  const [counts, positions] = await Promise.all([
    db
      .selectFrom('journey_step_counts')
      .select(['step', 'outcome', (eb) => eb.fn.sum<number>('n').as('n')])
      .where('journey_id', '=', journeyId)
      .where('version', '=', v)
      .groupBy(['step', 'outcome'])
      .execute(),
    db
      .selectFrom('journey_runs')
      .select(['state', 'step', 'end_reason', (eb) => eb.fn.countAll<number>().as('n')])
      .where('journey_id', '=', journeyId)
      .where('version', '=', v)
      .groupBy(['state', 'step', 'end_reason'])
      .execute(),
  ]);
  const steps = stepList(def).map((s): StepStats => ({ ...s, entered: 0, waiting: 0, sent: 0, skipped: 0, exited: {} }));
  const byStep = new Map(steps.map((s) => [s.step, s]));
  let converted = 0;
  for (const c of counts) {
    const n = Number(c.n);
    if (c.step === '') {
      if (c.outcome === 'converted') converted += n;
      continue;
    }
    const s = byStep.get(c.step);
    if (!s) continue;
    if (c.outcome === 'entered' || c.outcome === 'sent' || c.outcome === 'skipped') s[c.outcome] += n;
    else if (c.outcome.startsWith('exited:')) {
      const reason = c.outcome.slice('exited:'.length);
      s.exited[reason] = (s.exited[reason] ?? 0) + n;
    }
  }
  const runs = { active: 0, ended: 0, converted };
  const ended: Record<string, number> = {};
  for (const p of positions) {
    const n = Number(p.n);
    if (p.state === 'active') {
      runs.active += n;
      const s = p.step === null ? undefined : byStep.get(p.step);
      if (s) s.waiting += n;
    } else {
      runs.ended += n;
      const reason = p.end_reason ?? 'completed';
      ended[reason] = (ended[reason] ?? 0) + n;
    }
  }
  return { journeyId, version: v, runs, steps, ended, ...(def.trigger.audience ? { audience: await walksOf(ctx, journeyId, v) } : {}) };
}
