import type { Kysely, Transaction } from 'kysely';
import type { Context } from '../../context.ts';
import { newId } from '../../crypto/tokens.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { Database } from '../../store/schema.ts';
import { countAudience, expandSegments, validateFilter, type AudienceCount, type Filter } from '../filter/index.ts';
import { expandedFilter, segmentsNamed } from './audience-filter.ts';
import { filterAt } from './filter-at.ts';
import { decodeSegmentCursor, encodeSegmentCursor } from './segment-cursor.ts';
import type { SegmentInput, SegmentPatch } from './segment-input.ts';
import { segmentResolver } from './resolver.ts';

export interface SegmentView {
  id: string;
  name: string;
  /** As saved: `{"segment"}` references are kept, and expanded each time the segment is used. */
  filter: unknown;
  createdAt: string;
  updatedAt: string;
}

interface SegmentRow {
  id: string;
  name: string;
  filter: string;
  created_at: number;
  updated_at: number;
}

const view = (r: SegmentRow): SegmentView => ({
  id: r.id,
  name: r.name,
  filter: JSON.parse(r.filter) as unknown,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/** Validates a filter to be saved, keeping its references; refusals point at `/filter` in the body. */
function checkedForm(input: unknown): Filter {
  const checked = validateFilter(input);
  if (!checked.ok) throw filterAt(checked.error, '/filter');
  return checked.filter;
}

async function saveReferences(tx: Transaction<Database>, appId: string, id: string, f: Filter): Promise<void> {
  await tx.deleteFrom('segment_references').where('segment_id', '=', id).execute();
  const named = segmentsNamed(f);
  if (named.length > 0) await tx.insertInto('segment_references').values(named.map((referenced_id) => ({ segment_id: id, app_id: appId, referenced_id }))).execute();
}

/** Saves a new segment. Every segment it names must exist (`unknown_segment`), and the whole must stay within the limits. */
export async function createSegment(ctx: Context, appId: string, input: SegmentInput): Promise<SegmentView> {
  const f = checkedForm(input.filter);
  await expandedFilter(ctx.store.db, appId, f, '/filter');
  const now = ctx.now();
  const row: SegmentRow = { id: newId('seg'), name: input.name, filter: JSON.stringify(f), created_at: now, updated_at: now };
  await ctx.store.db.transaction().execute(async (tx) => {
    await tx.insertInto('segments').values({ ...row, app_id: appId }).execute();
    await saveReferences(tx, appId, row.id, f);
  });
  return view(row);
}

async function findSegment(db: Kysely<Database>, appId: string, id: string): Promise<SegmentRow> {
  const row = await db.selectFrom('segments').select(['id', 'name', 'filter', 'created_at', 'updated_at']).where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new ApiError('segment_not_found', `No segment ${id} in this app`);
  return row;
}

/** One segment with its live size: who its filter matches now, on the runtime's clock. */
export async function getSegment(ctx: Context, appId: string, id: string): Promise<SegmentView & { size: AudienceCount }> {
  const row = await findSegment(ctx.store.db, appId, id);
  const f = await expandedFilter(ctx.store.db, appId, JSON.parse(row.filter), '/filter');
  return { ...view(row), size: await countAudience(ctx.store.db, appId, f, { now: ctx.now(), caps: ctx.store.caps }) };
}

/** A page of the app's segments, oldest first; `next` is the cursor of the page after, null on the last. */
export async function listSegments(ctx: Context, appId: string, opts: { limit: number; cursor?: string }): Promise<{ data: SegmentView[]; next: string | null }> {
  let q = ctx.store.db.selectFrom('segments').select(['id', 'name', 'filter', 'created_at', 'updated_at']).where('app_id', '=', appId);
  if (opts.cursor !== undefined) {
    const after = decodeSegmentCursor(opts.cursor);
    q = q.where((eb) => eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]));
  }
  const rows = await q.orderBy('created_at').orderBy('id').limit(opts.limit + 1).execute();
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  return { data: page.map(view), next: rows.length > opts.limit && last ? encodeSegmentCursor({ createdAt: last.created_at, id: last.id }) : null };
}

/** The segments that name `id`, directly or through others, nearest first. */
async function referrersOf(db: Kysely<Database>, appId: string, id: string): Promise<string[]> {
  const found: string[] = [];
  let frontier = [id];
  while (frontier.length > 0) {
    const rows = await db.selectFrom('segment_references').select('segment_id').where('app_id', '=', appId).where('referenced_id', 'in', frontier).execute();
    frontier = [...new Set(rows.map((r) => r.segment_id))].filter((s) => s !== id && !found.includes(s));
    found.push(...frontier);
  }
  return found;
}

/**
 * Renames a segment or changes its filter. The new filter is checked as if saved: a
 * reference that would lead back to this segment through others is `segment_cycle`, and
 * every segment that names this one must still fit the limits with it expanded.
 */
export async function updateSegment(ctx: Context, appId: string, id: string, patch: SegmentPatch): Promise<SegmentView> {
  const db = ctx.store.db;
  const row = await findSegment(db, appId, id);
  let f: Filter | undefined;
  if (patch.filter !== undefined) {
    f = checkedForm(patch.filter);
    const asSaved = segmentResolver(db, appId, new Map([[id, f]]));
    const own = await expandSegments(f, asSaved);
    if (!own.ok) throw filterAt(own.error, '/filter');
    for (const referrer of await referrersOf(db, appId, id)) {
      const stored = await asSaved(referrer);
      const checked = stored === undefined ? undefined : validateFilter(stored);
      if (!checked?.ok) continue;
      const theirs = await expandSegments(checked.filter, asSaved);
      if (!theirs.ok) {
        throw new ApiError(theirs.error.code, `Segment ${referrer} names this one, and with this filter it would be refused: ${theirs.error.message}`, { ...theirs.error.extra, pointer: '#/filter', segment: referrer });
      }
    }
  }
  const updated: SegmentRow = { ...row, name: patch.name ?? row.name, filter: f ? JSON.stringify(f) : row.filter, updated_at: ctx.now() };
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('segments').set({ name: updated.name, filter: updated.filter, updated_at: updated.updated_at }).where('app_id', '=', appId).where('id', '=', id).execute();
    if (f) await saveReferences(tx, appId, id, f);
  });
  return view(updated);
}

/**
 * Deletes a segment. One that other segments name is kept, and refused with
 * `segment_in_use` and their ids: deleting it would leave them naming nothing. Accepted
 * notifications are not affected: they hold their filter as it was expanded when accepted.
 */
export async function deleteSegment(ctx: Context, appId: string, id: string): Promise<void> {
  const db = ctx.store.db;
  await findSegment(db, appId, id);
  await db.transaction().execute(async (tx) => {
    const referrers = await tx.selectFrom('segment_references').select('segment_id').where('app_id', '=', appId).where('referenced_id', '=', id).orderBy('segment_id').execute();
    if (referrers.length > 0) {
      const ids = referrers.map((r) => r.segment_id);
      throw new ApiError('segment_in_use', `Segment ${id} is named by ${ids.join(', ')}; change or delete those first`, { referrers: ids });
    }
    await tx.deleteFrom('segment_references').where('segment_id', '=', id).execute();
    await tx.deleteFrom('segments').where('app_id', '=', appId).where('id', '=', id).execute();
  });
}
