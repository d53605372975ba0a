/**
 * An app's civic alert settings, one row of alert_settings (docs/civic-alerts.md):
 * `publicPage` serves the public page and its Atom feed (on until turned off),
 * `apnsCriticalAlerts` says the app's APNs credentials carry Apple's critical-alert
 * entitlement, so top-priority alerts go as `interruption-level: critical` (off until set).
 */
import type { Context } from '../context.ts';

export interface AlertSettings {
  publicPage: boolean;
  apnsCriticalAlerts: boolean;
}

export async function getAlertSettings(ctx: Context, appId: string): Promise<AlertSettings> {
  const row = await ctx.store.db.selectFrom('alert_settings').select(['public_page', 'apns_critical_alerts']).where('app_id', '=', appId).executeTakeFirst();
  return { publicPage: row ? Number(row.public_page) === 1 : true, apnsCriticalAlerts: row ? Number(row.apns_critical_alerts) === 1 : false };
}

/** Changes the settings the body names; the others keep their value. */
export async function setAlertSettings(ctx: Context, appId: string, change: Partial<AlertSettings>): Promise<AlertSettings> {
  const now = ctx.now();
  const set = {
    ...(change.publicPage !== undefined ? { public_page: change.publicPage ? 1 : 0 } : {}),
    ...(change.apnsCriticalAlerts !== undefined ? { apns_critical_alerts: change.apnsCriticalAlerts ? 1 : 0 } : {}),
    updated_at: now,
  };
  const current = await getAlertSettings(ctx, appId);
  await ctx.store.db
    .insertInto('alert_settings')
    .values({ app_id: appId, public_page: current.publicPage ? 1 : 0, apns_critical_alerts: current.apnsCriticalAlerts ? 1 : 0, ...set })
    .onConflict((oc) => oc.column('app_id').doUpdateSet(set))
    .execute();
  return getAlertSettings(ctx, appId);
}
