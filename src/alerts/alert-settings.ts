/**
 * An app's civic alert settings, one row of alert_settings (docs/civic-alerts.md):
 * `publicPage` serves the public page and its Atom feed (on until turned off),
 * `apnsCriticalAlerts` says the app's APNs credentials carry Apple's critical-alert
 * entitlement, so top-priority alerts go as `interruption-level: critical` (off until set),
 * `categories` maps CAP `<category>` values to the categories alerts are sent in, so a user
 * can turn some off and keep others (issue #16; send/send-alert.ts `alertCategory`).
 */
import { parseAppCategories, pointerTo } from '../apps/categories.ts';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { CAP_CATEGORIES, type CapCategory } from '../protocol/cap/types.ts';

/** CAP `<category>` (CAP 1.2 §3.2.2) to a category of the app: `civic` or one the app declared. */
export type AlertCategoryMap = Partial<Record<CapCategory, string>>;

export interface AlertSettings {
  publicPage: boolean;
  apnsCriticalAlerts: boolean;
  categories: AlertCategoryMap;
}

/** The one built-in category alerts may go in: the others are for orders, promotions and sign-in. */
export const ALERT_BUILT_IN_CATEGORY = 'civic';

const CAP_CATEGORY_SET: ReadonlySet<string> = new Set(CAP_CATEGORIES);

/** The map as stored (alert_settings.categories, a JSON object or null); a CAP name no longer valid is dropped. */
export function parseAlertCategoryMap(stored: string | null): AlertCategoryMap {
  if (stored === null) return {};
  const parsed: unknown = JSON.parse(stored);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).filter(([k, v]) => CAP_CATEGORY_SET.has(k) && typeof v === 'string')) as AlertCategoryMap;
}

export async function getAlertSettings(ctx: Context, appId: string): Promise<AlertSettings> {
  const row = await ctx.store.db.selectFrom('alert_settings').select(['public_page', 'apns_critical_alerts', 'categories']).where('app_id', '=', appId).executeTakeFirst();
  return {
    publicPage: row ? Number(row.public_page) === 1 : true,
    apnsCriticalAlerts: row ? Number(row.apns_critical_alerts) === 1 : false,
    categories: parseAlertCategoryMap(row?.categories ?? null),
  };
}

/**
 * Refuses a map naming a category alerts cannot go in, pointing at its member
 * (`#/categories/Met`): `civic` or one of the app's own categories (the schema checks the
 * CAP names). Nothing is stored when one is refused.
 */
export async function checkAlertCategoryMap(ctx: Context, appId: string, map: AlertCategoryMap): Promise<void> {
  const own = parseAppCategories((await ctx.store.db.selectFrom('apps').select('categories').where('id', '=', appId).executeTakeFirst())?.categories ?? null);
  const allowed = [ALERT_BUILT_IN_CATEGORY, ...own];
  for (const [cap, name] of Object.entries(map)) {
    if (allowed.includes(name)) continue;
    const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name;
    const detail = `"${shown}" is not a category alerts can go in: civic or one of the app's own (${own.length ? own.join(', ') : 'none declared; PATCH /v1/apps/{appId} categories'})`;
    throw new ApiError('unknown_category', `categories.${cap}: ${detail}`, {
      errors: [{ pointer: pointerTo('categories', cap), field: `body.categories.${cap}`, detail, message: detail }],
    });
  }
}

/** Changes the settings the body names; the others keep their value. `categories` replaces the whole map (`{}` clears it). */
export async function setAlertSettings(ctx: Context, appId: string, change: Partial<AlertSettings>): Promise<AlertSettings> {
  if (change.categories !== undefined) await checkAlertCategoryMap(ctx, appId, change.categories);
  const now = ctx.now();
  const set = {
    ...(change.publicPage !== undefined ? { public_page: change.publicPage ? 1 : 0 } : {}),
    ...(change.apnsCriticalAlerts !== undefined ? { apns_critical_alerts: change.apnsCriticalAlerts ? 1 : 0 } : {}),
    ...(change.categories !== undefined ? { categories: Object.keys(change.categories).length ? JSON.stringify(change.categories) : null } : {}),
    updated_at: now,
  };
  const current = await getAlertSettings(ctx, appId);
  await ctx.store.db
    .insertInto('alert_settings')
    .values({
      app_id: appId,
      public_page: current.publicPage ? 1 : 0,
      apns_critical_alerts: current.apnsCriticalAlerts ? 1 : 0,
      categories: Object.keys(current.categories).length ? JSON.stringify(current.categories) : null,
      ...set,
    })
    .onConflict((oc) => oc.column('app_id').doUpdateSet(set))
    .execute();
  return getAlertSettings(ctx, appId);
}

/**
 * The category an alert goes in by the map: the first `<category>` of its first `<info>`
 * that the map names, when that category is still one alerts can go in (an app that
 * stopped declaring it sends in `civic` again); `civic` otherwise.
 */
export function mappedAlertCategory(infos: readonly { categories: readonly string[] }[], map: AlertCategoryMap, ownCategories: readonly string[]): string {
  const first = infos[0];
  const named = first?.categories.map((c) => map[c as CapCategory]).find((m) => m !== undefined);
  return named !== undefined && ownCategories.includes(named) ? named : ALERT_BUILT_IN_CATEGORY;
}

/** What sendAlert needs to choose the category: the map and the app's own categories now. */
export async function alertCategoryRules(ctx: Context, appId: string): Promise<{ map: AlertCategoryMap; own: string[] }> {
  const settings = await ctx.store.db.selectFrom('alert_settings').select('categories').where('app_id', '=', appId).executeTakeFirst();
  const map = parseAlertCategoryMap(settings?.categories ?? null);
  if (Object.keys(map).length === 0) return { map, own: [] };
  const app = await ctx.store.db.selectFrom('apps').select('categories').where('id', '=', appId).executeTakeFirst();
  return { map, own: parseAppCategories(app?.categories ?? null) };
}
