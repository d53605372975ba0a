import type { Context } from '../context.ts';
import { newId } from '../crypto/tokens.ts';
import { decodeJourneyCursor, encodeJourneyCursor } from './journey-cursor.ts';
import { ApiError } from '../errors/api-error.ts';
import type { JourneyStatus, JourneysTable } from '../store/schema-journeys.ts';
import { validateJourney, type JourneyDefinition, type Step } from './journey-definition.ts';
import { journeyWebhookSecret } from './webhook-step.ts';
import { addStepCounts } from './step-counts.ts';

/** A journey as the API shows it: its current version's definition as stored, with its state. */
export interface JourneyView {
  id: string;
  name: string;
  status: JourneyStatus;
  version: number;
  definition: JourneyInputForm;
  runs: { active: number; ended: number };
  /** The app's journey-webhook secret, in the answer to a save of a journey with a webhook step (webhook-step.ts). */
  webhookSecret?: string;
  createdAt: string;
  updatedAt: string;
}

/** A journey in the form a request gives it (and the API answers it): durations as written, without the ms computed from them. */
export interface JourneyInputForm {
  trigger: unknown;
  steps: unknown[];
  exit: unknown;
  reentry: unknown;
  limit?: unknown;
  sendRules: unknown;
}

export function publicDefinition(def: JourneyDefinition): JourneyInputForm {
  const { name: _name, reentry, limit, ...rest } = def;
  const plain = JSON.parse(JSON.stringify(rest, (key, value) => (key === 'ms' || key === 'beforeMs' || key === 'segmentFilter' ? undefined : value))) as Omit<JourneyInputForm, 'reentry' | 'limit'>;
  return { ...plain, reentry: reentry.mode === 'never' ? 'never' : { after: reentry.after }, ...(limit ? { limit: { max: limit.max, per: limit.per } } : {}) };
}

async function view(ctx: Context, row: JourneysTable): Promise<JourneyView> {
  const def = await versionDefinition(ctx, row.id, row.version);
  const counts = await ctx.store.db
    .selectFrom('journey_runs')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('journey_id', '=', row.id)
    .groupBy('state')
    .execute();
  const n = (s: string) => Number(counts.find((c) => c.state === s)?.n ?? 0);
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    version: row.version,
    definition: publicDefinition(def),
    runs: { active: n('active'), ended: n('ended') },
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The definition of one version; versions are never changed once runs may be on them. */
export async function versionDefinition(ctx: Context, journeyId: string, version: number): Promise<JourneyDefinition> {
  const row = await ctx.store.db.selectFrom('journey_versions').select('definition').where('journey_id', '=', journeyId).where('version', '=', version).executeTakeFirstOrThrow();
  return JSON.parse(row.definition) as JourneyDefinition;
}

async function find(ctx: Context, appId: string, id: string): Promise<JourneysTable> {
  const row = await ctx.store.db.selectFrom('journeys').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new ApiError('journey_not_found', `No journey ${id} in this app`);
  return row;
}

function triggerColumns(def: JourneyDefinition) {
  return { trigger_event: def.trigger.event ?? null, trigger_attribute: def.trigger.attributeChange ?? null };
}

/** A saved journey that calls the app's server answers the secret its calls are signed with (to owners only: src/http/routes/journeys.ts). */
function withWebhookSecret(ctx: Context, appId: string, def: JourneyDefinition, v: JourneyView): JourneyView {
  return hasWebhookStep(def.steps) ? { ...v, webhookSecret: journeyWebhookSecret(ctx, appId) } : v;
}

function hasWebhookStep(steps: Step[]): boolean {
  return steps.some((s) => 'webhook' in s || ('branch' in s && (hasWebhookStep(s.branch.then) || hasWebhookStep(s.branch.else))) || ('waitFor' in s && (hasWebhookStep(s.waitFor.matched) || hasWebhookStep(s.waitFor.timedOut))) || ('split' in s && s.split.paths.some((p) => hasWebhookStep(p.steps))));
}

/** Saves a journey as a draft (version 1); checked as a whole first, nothing stored when refused. */
export async function createJourney(ctx: Context, appId: string, body: unknown): Promise<JourneyView> {
  const def = await validateJourney(ctx.store.db, appId, body, { allowPrivateUrls: ctx.config.allowPrivateEndpoints });
  const now = ctx.now();
  const id = newId('jrn');
  const row: JourneysTable = { id, app_id: appId, name: def.name, status: 'draft', version: 1, ...triggerColumns(def), created_at: now, updated_at: now };
  await ctx.store.db.transaction().execute(async (tx) => {
    await tx.insertInto('journeys').values(row).execute();
    await tx.insertInto('journey_versions').values({ journey_id: id, version: 1, definition: JSON.stringify(def), created_at: now }).execute();
  });
  return withWebhookSecret(ctx, appId, def, await view(ctx, row));
}

export async function getJourney(ctx: Context, appId: string, id: string): Promise<JourneyView> {
  return view(ctx, await find(ctx, appId, id));
}

/** The app's journeys, newest first, a page at a time: `next` is the cursor of the page after, null on the last. */
export async function listJourneys(ctx: Context, appId: string, opts: { limit: number; cursor?: string }): Promise<{ data: JourneyView[]; next: string | null }> {
  let q = ctx.store.db.selectFrom('journeys').selectAll().where('app_id', '=', appId);
  if (opts.cursor !== undefined) {
    const before = decodeJourneyCursor(opts.cursor);
    q = q.where((eb) => eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit + 1).execute();
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  return { data: await Promise.all(page.map((r) => view(ctx, r))), next: rows.length > opts.limit && last ? encodeJourneyCursor({ createdAt: Number(last.created_at), id: last.id }) : null };
}

/**
 * Changes the journey: the members of `body` replace the saved ones, and the result is
 * checked as a whole, as at creation.
 * A draft is changed in place; a journey that is or was active gets a new version, which new
 * runs start on, while runs in flight go on with the version they started on.
 */
export async function updateJourney(ctx: Context, appId: string, id: string, body: unknown): Promise<JourneyView> {
  const row = await find(ctx, appId, id);
  if (row.status === 'archived') throw new ApiError('journey_status', 'An archived journey cannot be changed', { journeyStatus: row.status });
  const current = { name: row.name, ...publicDefinition(await versionDefinition(ctx, id, row.version)) };
  const def = await validateJourney(ctx.store.db, appId, { ...current, ...(body as Record<string, unknown>) }, { allowPrivateUrls: ctx.config.allowPrivateEndpoints });
  const now = ctx.now();
  const version = row.status === 'draft' ? row.version : row.version + 1;
  await ctx.store.db.transaction().execute(async (tx) => {
    const res = await tx
      .updateTable('journeys')
      .set({ name: def.name, version, ...triggerColumns(def), updated_at: now })
      .where('id', '=', id)
      .where('version', '=', row.version)
      .where('status', '=', row.status)
      .executeTakeFirst();
    // Another change won the race: refuse rather than lose one of them.
    if (Number(res.numUpdatedRows) !== 1) throw new ApiError('journey_status', 'The journey changed meanwhile; read it again', { journeyStatus: row.status });
    if (version === row.version) await tx.updateTable('journey_versions').set({ definition: JSON.stringify(def), created_at: now }).where('journey_id', '=', id).where('version', '=', version).execute();
    else await tx.insertInto('journey_versions').values({ journey_id: id, version, definition: JSON.stringify(def), created_at: now }).execute();
  });
  return withWebhookSecret(ctx, appId, def, await getJourney(ctx, appId, id));
}

/** Deletes a draft or an archived journey, with its versions, runs, counts and audience walks. */
export async function deleteJourney(ctx: Context, appId: string, id: string): Promise<void> {
  const row = await find(ctx, appId, id);
  if (row.status !== 'draft' && row.status !== 'archived') throw new ApiError('journey_status', `A ${row.status} journey is archived before it is deleted`, { journeyStatus: row.status });
  await ctx.store.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('journey_runs').where('journey_id', '=', id).execute();
    await tx.deleteFrom('journey_step_counts').where('journey_id', '=', id).execute();
    await tx.deleteFrom('journey_audience_walks').where('journey_id', '=', id).execute();
    await tx.deleteFrom('journey_versions').where('journey_id', '=', id).execute();
    await tx.deleteFrom('journeys').where('id', '=', id).execute();
  });
}

const MOVES: Record<'activate' | 'pause' | 'archive', { from: JourneyStatus[]; to: JourneyStatus }> = {
  activate: { from: ['draft', 'paused', 'active'], to: 'active' },
  pause: { from: ['active', 'paused'], to: 'paused' },
  archive: { from: ['draft', 'active', 'paused', 'archived'], to: 'archived' },
};

/**
 * `activate`: triggers start runs. `pause`: no new runs start; runs in flight go on. `archive`:
 * for good; runs in flight end (`archived`) and their timers come to nothing. Each is
 * idempotent (activating an active journey answers it as it is).
 */
export async function moveJourney(ctx: Context, appId: string, id: string, action: keyof typeof MOVES): Promise<JourneyView> {
  const row = await find(ctx, appId, id);
  const move = MOVES[action];
  if (!move.from.includes(row.status)) throw new ApiError('journey_status', `A ${row.status} journey cannot be told to ${action}`, { journeyStatus: row.status });
  const now = ctx.now();
  await ctx.store.db.transaction().execute(async (tx) => {
    await tx.updateTable('journeys').set({ status: move.to, updated_at: now }).where('id', '=', id).execute();
    if (move.to === 'archived') {
      const ended = await tx
        .updateTable('journey_runs')
        .set((eb) => ({ state: 'ended', ended_at: now, end_reason: 'archived', due_at: null, waiting_for: null, token: eb('token', '+', 1), updated_at: now }))
        .where('journey_id', '=', id)
        .where('state', '=', 'active')
        .returning(['id', 'version', 'step'])
        .execute();
      // Each ended run counted as exited where it was, with the update (step-counts.ts).
      for (const version of new Set(ended.map((r) => Number(r.version)))) {
        const items = ended.filter((r) => Number(r.version) === version && r.step !== null).map((r) => ({ runId: Number(r.id), count: { step: r.step!, outcome: 'exited:archived' } }));
        await addStepCounts(tx, id, version, items);
      }
    }
  });
  return getJourney(ctx, appId, id);
}
