/**
 * An app's geocode tables: for a geocode scheme (`SAME`, `FIPS6`, a postcode scheme), the
 * polygon of each code, uploaded by the app as GeoJSON (docs/civic-alerts.md#geocode-tables).
 * With them a geocode in an alert reaches users both ways: those who chose that zone, and
 * those located inside the code's polygon (compileArea's `geocodePolygons`).
 */
import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import type { CapArea, CapPolygon, CapValuePair } from '../protocol/cap/types.ts';
import type { Database } from '../store/schema.ts';
import type { AlertGeocodeTablesTable } from '../store/schema-alert-feeds.ts';
import { validateGeocodeTable } from './geocode-validate.ts';

/** Rows per insert: well under SQLite's 32,766 bound parameters (8 columns a row). */
const CHUNK = 500;

const scheme = (valueName: string) => valueName.trim().toUpperCase();

function tableView(row: AlertGeocodeTablesTable) {
  return { valueName: row.value_name, codeProperty: row.code_property, codes: Number(row.codes), bytes: Number(row.bytes), createdAt: new Date(Number(row.created_at)).toISOString() };
}

/** Replaces the app's table for `valueName` with the uploaded one, checked whole first. */
export async function putGeocodeTable(ctx: Context, appId: string, valueName: string, codeProperty: string, body: unknown, bytes: number) {
  const entries = validateGeocodeTable(body, codeProperty);
  const name = scheme(valueName);
  const row: AlertGeocodeTablesTable = { app_id: appId, value_name: name, code_property: codeProperty, codes: entries.length, bytes, created_at: ctx.now() };
  await ctx.store.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('alert_geocodes').where('app_id', '=', appId).where('value_name', '=', name).execute();
    await tx.deleteFrom('alert_geocode_tables').where('app_id', '=', appId).where('value_name', '=', name).execute();
    await tx.insertInto('alert_geocode_tables').values(row).execute();
    for (let i = 0; i < entries.length; i += CHUNK) {
      const values = entries.slice(i, i + CHUNK).map((e) => ({ app_id: appId, value_name: name, code: e.code, geometry: JSON.stringify(e.geometry), min_lon: e.bbox[0], min_lat: e.bbox[1], max_lon: e.bbox[2], max_lat: e.bbox[3] }));
      await tx.insertInto('alert_geocodes').values(values).execute();
    }
  });
  ctx.logger.info({ module: 'alerts', appId, valueName: name, codes: entries.length }, 'geocode table stored');
  return tableView(row);
}

export async function listGeocodeTables(ctx: Context, appId: string) {
  const rows = await ctx.store.db.selectFrom('alert_geocode_tables').selectAll().where('app_id', '=', appId).orderBy('value_name').execute();
  return { data: rows.map(tableView) };
}

export async function getGeocodeTable(ctx: Context, appId: string, valueName: string) {
  const row = await ctx.store.db.selectFrom('alert_geocode_tables').selectAll().where('app_id', '=', appId).where('value_name', '=', scheme(valueName)).executeTakeFirst();
  if (!row) throw new ApiError('geocode_table_not_found', `No geocode table ${scheme(valueName)} in this app`);
  return tableView(row);
}

export async function deleteGeocodeTable(ctx: Context, appId: string, valueName: string): Promise<void> {
  const name = scheme(valueName);
  await ctx.store.db.transaction().execute(async (tx) => {
    const res = await tx.deleteFrom('alert_geocode_tables').where('app_id', '=', appId).where('value_name', '=', name).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new ApiError('geocode_table_not_found', `No geocode table ${name} in this app`);
    await tx.deleteFrom('alert_geocodes').where('app_id', '=', appId).where('value_name', '=', name).execute();
  });
}

/** GeoJSON outer rings as CAP polygons ({lat, lon} points). */
function polygonsOf(geometry: string): CapPolygon[] {
  const g = JSON.parse(geometry) as { type: 'Polygon' | 'MultiPolygon'; coordinates: number[][][] | number[][][][] };
  const polygons = g.type === 'Polygon' ? [g.coordinates as number[][][]] : (g.coordinates as number[][][][]);
  return polygons.map((rings) => ({ points: rings[0]!.map((p) => ({ lat: p[1]!, lon: p[0]! })) }));
}

/**
 * What compileArea needs to know of the app's geocode tables for these areas: the polygons
 * of each of their geocodes the app has a table row for, read in one query.
 * @example compileArea(areas, { geocodePolygons: await geocodePolygonsFor(ctx.store.db, appId, areas) })
 */
export async function geocodePolygonsFor(db: Kysely<Database>, appId: string, areas: readonly CapArea[]): Promise<(geocode: CapValuePair) => readonly CapPolygon[] | undefined> {
  const wanted = new Map<string, { valueName: string; code: string }>();
  for (const a of areas) for (const g of a.geocodes) wanted.set(`${scheme(g.valueName)}:${g.value.trim()}`, { valueName: scheme(g.valueName), code: g.value.trim() });
  const found = new Map<string, CapPolygon[]>();
  const list = [...wanted.values()];
  for (let i = 0; i < list.length; i += CHUNK) {
    const part = list.slice(i, i + CHUNK);
    const rows = await db
      .selectFrom('alert_geocodes')
      .select(['value_name', 'code', 'geometry'])
      .where('app_id', '=', appId)
      .where((eb) => eb.or(part.map((w) => eb.and([eb('value_name', '=', w.valueName), eb('code', '=', w.code)]))))
      .execute();
    for (const r of rows) found.set(`${r.value_name}:${r.code}`, polygonsOf(r.geometry));
  }
  return (g) => found.get(`${scheme(g.valueName)}:${g.value.trim()}`);
}
