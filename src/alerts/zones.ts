/**
 * What a user chose for civic alerts (docs/civic-alerts.md#how-users-are-located-and-by-what-consent):
 *
 * - **Zones**: geocodes the user picked (`{valueName: 'SAME', value: '006109'}`, a
 *   postcode), kept as zone keys (`SAME:006109`, valueName upper-cased) and matched
 *   against an alert's geocodes, and, through the app's geocode tables, its polygons.
 * - **Test alerts**: whether the user takes Exercise and Test alerts (alert_testers).
 * - **Location**: a position the user shared for alerts, after agreeing in the browser
 *   (the SDK asks `navigator.geolocation` only when the site calls it). It is kept apart
 *   from the user's `location` (the app backend's, used for audiences) and used for alerts
 *   alone; withdrawing it deletes it.
 *
 * Setting any of them makes the user if it is not known yet, as preferences do.
 */
import type { Context } from '../context.ts';
import { zoneKey } from '../protocol/cap/area.ts';
import { ensureUser } from '../audience/users/ensure-user.ts';

/** Zones one user may pick: a home, a workplace, a few relatives' places. */
export const MAX_ZONES_PER_USER = 50;

export interface Zone {
  valueName: string;
  value: string;
}

export interface SharedLocation {
  lat: number;
  lon: number;
  /** m, as the browser reported it; null when not given. */
  accuracy: number | null;
  updatedAt: string;
}

export interface AlertChoices {
  zones: Zone[];
  testAlerts: boolean;
  location: SharedLocation | null;
}

/** A zone key back as a zone: valueName holds no colon (the schema's rule), so the first one splits. */
function zoneOf(key: string): Zone {
  const at = key.indexOf(':');
  return { valueName: key.slice(0, at), value: key.slice(at + 1) };
}

export async function getAlertChoices(ctx: Context, appId: string, externalId: string): Promise<AlertChoices> {
  const db = ctx.store.db;
  const [zones, tester, location] = await Promise.all([
    db.selectFrom('user_alert_zones').select('zone').where('app_id', '=', appId).where('external_id', '=', externalId).orderBy('zone').execute(),
    db.selectFrom('alert_testers').select('external_id').where('app_id', '=', appId).where('external_id', '=', externalId).executeTakeFirst(),
    db.selectFrom('user_alert_locations').selectAll().where('app_id', '=', appId).where('external_id', '=', externalId).executeTakeFirst(),
  ]);
  return {
    zones: zones.map((z) => zoneOf(z.zone)),
    testAlerts: tester !== undefined,
    location: location ? { lat: Number(location.lat), lon: Number(location.lon), accuracy: location.accuracy_m === null ? null : Number(location.accuracy_m), updatedAt: new Date(Number(location.updated_at)).toISOString() } : null,
  };
}

/** Replaces the user's zones (when given) and sets the test-alert opt-in (when given). */
export async function setAlertChoices(ctx: Context, appId: string, externalId: string, change: { zones?: Zone[]; testAlerts?: boolean }): Promise<AlertChoices> {
  const now = ctx.now();
  await ctx.store.db.transaction().execute(async (tx) => {
    await ensureUser(tx, ctx.store.caps, appId, externalId, now);
    if (change.zones !== undefined) {
      const keys = [...new Set(change.zones.map((z) => zoneKey(z.valueName, z.value)))];
      await tx.deleteFrom('user_alert_zones').where('app_id', '=', appId).where('external_id', '=', externalId).execute();
      if (keys.length > 0) await tx.insertInto('user_alert_zones').values(keys.map((zone) => ({ app_id: appId, external_id: externalId, zone }))).execute();
    }
    if (change.testAlerts === true) {
      await tx.insertInto('alert_testers').values({ app_id: appId, external_id: externalId, opted_in_at: now }).onConflict((oc) => oc.columns(['app_id', 'external_id']).doNothing()).execute();
    } else if (change.testAlerts === false) {
      await tx.deleteFrom('alert_testers').where('app_id', '=', appId).where('external_id', '=', externalId).execute();
    }
  });
  return getAlertChoices(ctx, appId, externalId);
}

/** Keeps the position the user shared for alerts (the last one replaces the one before). */
export async function setSharedLocation(ctx: Context, appId: string, externalId: string, position: { lat: number; lon: number; accuracy?: number }): Promise<AlertChoices> {
  const now = ctx.now();
  const row = { app_id: appId, external_id: externalId, lat: position.lat, lon: position.lon, accuracy_m: position.accuracy ?? null, updated_at: now };
  await ctx.store.db.transaction().execute(async (tx) => {
    await ensureUser(tx, ctx.store.caps, appId, externalId, now);
    await tx
      .insertInto('user_alert_locations')
      .values(row)
      .onConflict((oc) => oc.columns(['app_id', 'external_id']).doUpdateSet({ lat: row.lat, lon: row.lon, accuracy_m: row.accuracy_m, updated_at: now }))
      .execute();
  });
  ctx.logger.info({ module: 'alerts', appId }, 'a user shared a position for alerts');
  return getAlertChoices(ctx, appId, externalId);
}

/** Forgets the shared position: the user withdrew it. */
export async function deleteSharedLocation(ctx: Context, appId: string, externalId: string): Promise<void> {
  await ctx.store.db.deleteFrom('user_alert_locations').where('app_id', '=', appId).where('external_id', '=', externalId).execute();
}
