/**
 * Reads an app's located users from the store into a LocatedUserIndex: every user with a
 * location (a position the user shared for alerts, user_alert_locations, else users.lat
 * and users.lon, set by the app's backend) or a chosen zone (user_alert_zones). Read by keyset pages, so a million users never sit in one result.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { LocatedUserIndex } from './located-users.ts';

/** Rows per page read: big enough that a million users take 100 round trips. */
const PAGE = 10_000;

export interface LocatedUsers {
  index: LocatedUserIndex;
  /** The user of each ordinal the index answers with. */
  externalIds: string[];
}

export async function loadLocatedUsers(db: Kysely<Database>, appId: string, opts: { pageSize?: number } = {}): Promise<LocatedUsers> {
  const page = opts.pageSize ?? PAGE;
  const zonesByUser = new Map<string, string[]>();
  let afterZone = { externalId: '', zone: '' };
  for (;;) {
    const after = afterZone;
    const rows = await db
      .selectFrom('user_alert_zones')
      .select(['external_id', 'zone'])
      .where('app_id', '=', appId)
      .where((eb) => eb.or([eb('external_id', '>', after.externalId), eb.and([eb('external_id', '=', after.externalId), eb('zone', '>', after.zone)])]))
      .orderBy('external_id')
      .orderBy('zone')
      .limit(page)
      .execute();
    for (const r of rows) {
      const list = zonesByUser.get(r.external_id);
      if (list) list.push(r.zone);
      else zonesByUser.set(r.external_id, [r.zone]);
    }
    if (rows.length < page) break;
    const last = rows[rows.length - 1]!;
    afterZone = { externalId: last.external_id, zone: last.zone };
  }

  const lats: number[] = [];
  const lons: number[] = [];
  const externalIds: string[] = [];
  const zones = new Map<string, number[]>();
  const add = (externalId: string, lat: number, lon: number) => {
    const ordinal = externalIds.length;
    externalIds.push(externalId);
    lats.push(lat);
    lons.push(lon);
    for (const z of zonesByUser.get(externalId) ?? []) {
      const list = zones.get(z);
      if (list) list.push(ordinal);
      else zones.set(z, [ordinal]);
    }
    zonesByUser.delete(externalId);
  };
  let afterSeq = 0;
  for (;;) {
    const rows = await db
      .selectFrom('users')
      .leftJoin('user_alert_locations as shared', (join) => join.onRef('shared.app_id', '=', 'users.app_id').onRef('shared.external_id', '=', 'users.external_id'))
      .select(['users.seq', 'users.external_id', 'users.lat', 'users.lon', 'shared.lat as shared_lat', 'shared.lon as shared_lon'])
      .where('users.app_id', '=', appId)
      .where('users.seq', '>', afterSeq)
      .where((eb) => eb.or([eb('users.lat', 'is not', null), eb('shared.lat', 'is not', null), eb('users.external_id', 'in', eb.selectFrom('user_alert_zones').select('external_id').where('app_id', '=', appId))]))
      .orderBy('users.seq')
      .limit(page)
      .execute();
    for (const r of rows) {
      // A position the user shared for alerts is where they are; the backend's may be an address on file.
      const lat = r.shared_lat ?? r.lat;
      const lon = r.shared_lat !== null ? r.shared_lon : r.lon;
      const located = lat !== null && lon !== null;
      add(r.external_id, located ? Number(lat) : Number.NaN, located ? Number(lon) : Number.NaN);
    }
    if (rows.length < page) break;
    afterSeq = Number(rows[rows.length - 1]!.seq);
  }
  // Zones of users the users table does not hold (yet): reached by zone alone.
  for (const externalId of [...zonesByUser.keys()]) add(externalId, Number.NaN, Number.NaN);
  return { index: LocatedUserIndex.fromColumns(Float64Array.from(lats), Float64Array.from(lons), zones), externalIds };
}
