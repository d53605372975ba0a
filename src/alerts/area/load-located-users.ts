/**
 * Reads an app's located users from the store into a LocatedUserIndex: every user with a
 * location (users.lat, users.lon, set by the app's backend) or a chosen zone
 * (user_alert_zones). Read by keyset pages, so a million users never sit in one result.
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
      .select(['seq', 'external_id', 'lat', 'lon'])
      .where('app_id', '=', appId)
      .where('seq', '>', afterSeq)
      .where((eb) => eb.or([eb('lat', 'is not', null), eb('external_id', 'in', eb.selectFrom('user_alert_zones').select('external_id').where('app_id', '=', appId))]))
      .orderBy('seq')
      .limit(page)
      .execute();
    for (const r of rows) {
      const located = r.lat !== null && r.lon !== null;
      add(r.external_id, located ? Number(r.lat) : Number.NaN, located ? Number(r.lon) : Number.NaN);
    }
    if (rows.length < page) break;
    afterSeq = Number(rows[rows.length - 1]!.seq);
  }
  // Zones of users the users table does not hold (yet): reached by zone alone.
  for (const externalId of [...zonesByUser.keys()]) add(externalId, Number.NaN, Number.NaN);
  return { index: LocatedUserIndex.fromColumns(Float64Array.from(lats), Float64Array.from(lons), zones), externalIds };
}
