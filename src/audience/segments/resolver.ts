import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { ResolveSegment } from '../filter/index.ts';

/**
 * Looks segments up in the store, within one app: a segment of another app is no segment
 * here. `overrides` stand in for stored filters, so that a change can be checked as if it
 * were saved (a PATCH that would close a loop through other segments).
 */
export function segmentResolver(db: Kysely<Database>, appId: string, overrides: ReadonlyMap<string, unknown> = new Map()): ResolveSegment {
  return async (id) => {
    if (overrides.has(id)) return overrides.get(id);
    const row = await db.selectFrom('segments').select('filter').where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
    return row ? (JSON.parse(row.filter) as unknown) : undefined;
  };
}
