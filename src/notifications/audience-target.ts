import { expandedFilter } from '../audience/segments/audience-filter.ts';
import type { Filter } from '../audience/filter/index.ts';
import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { Database } from '../store/schema.ts';
import type { Target } from '../message/target.ts';

/**
 * The audience filter of a `{segment}` or `{filter}` target, checked and with every
 * segment expanded now, at accept time: it is stored with the notification, so a later
 * change or deletion of a segment does not change a send already accepted (scheduled ones
 * too); who matches it is decided when the notification is sent (docs/audience.md,
 * "Segments and sending"). Null for the other selectors.
 *
 * An unknown segment is `unknown_segment` at `#/to/segment`; a filter refused is answered
 * with the pointer into it (`#/to/filter/and/0/op`).
 */
export async function audienceOf(ctx: Context, appId: string, to: Target, db: Kysely<Database> = ctx.store.db): Promise<Filter | null> {
  if ('segment' in to) return expandedFilter(db, appId, { segment: to.segment }, '/to/segment');
  if ('filter' in to) return expandedFilter(db, appId, to.filter, '/to/filter');
  return null;
}
