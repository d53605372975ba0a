/**
 * Who an alert's area reaches: the one place an alert's `<area>` blocks are compiled
 * (compileArea) and resolved over the app's located users (docs/civic-alerts.md#resolving-an-area-to-users).
 */
import type { Context } from '../../context.ts';
import { compileArea } from '../../protocol/cap/area.ts';
import type { CapAlert, CapArea } from '../../protocol/cap/types.ts';
import { loadLocatedUsers } from '../area/load-located-users.ts';
import { geocodePolygonsFor } from '../geocode-tables.ts';

export interface AlertAudienceOptions {
  /** A wide alert: users without a location (and no zone) are reached too, by the operator's choice. */
  includeUnlocated?: boolean;
  /** Areas of earlier alerts to add (a Cancel reaches whoever its cancelled alert reached). */
  extraAreas?: readonly CapArea[];
}

/** Users read per query when listing those without a location. */
const PAGE = 10_000;

/**
 * The users (external ids) an alert's area holds: located users inside its polygons and
 * circles, users whose zone matches one of its geocodes, and, for a wide alert, every
 * user without a location. Users without a location are otherwise reached only by zone.
 * @example const users = await alertAudience(ctx, appId, alert, { includeUnlocated: false });
 */
export async function alertAudience(ctx: Context, appId: string, alert: Pick<CapAlert, 'infos'>, opts: AlertAudienceOptions = {}): Promise<Set<string>> {
  const areas = [...alert.infos.flatMap((i) => i.areas), ...(opts.extraAreas ?? [])];
  const out = new Set<string>();
  if (areas.length > 0) {
    // A geocode reaches users who picked it and users located in its polygon, where the app uploaded a table for its scheme.
    const shape = compileArea(areas, { geocodePolygons: await geocodePolygonsFor(ctx.store.db, appId, areas) });
    const located = await loadLocatedUsers(ctx.store.db, appId);
    for (const ordinal of located.index.resolve(shape)) out.add(located.externalIds[ordinal]!);
  }
  if (opts.includeUnlocated) {
    let afterSeq = 0;
    for (;;) {
      const rows = await ctx.store.db.selectFrom('users').select(['seq', 'external_id']).where('app_id', '=', appId).where('seq', '>', afterSeq).where('lat', 'is', null)
        // A position shared for alerts locates a user as well as the backend's location does.
        .where((eb) => eb.not(eb.exists(eb.selectFrom('user_alert_locations as l').select('l.app_id').whereRef('l.app_id', '=', 'users.app_id').whereRef('l.external_id', '=', 'users.external_id'))))
        .orderBy('seq').limit(PAGE).execute();
      for (const r of rows) out.add(r.external_id);
      if (rows.length < PAGE) break;
      afterSeq = Number(rows.at(-1)!.seq);
    }
  }
  return out;
}
