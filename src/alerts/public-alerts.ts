/**
 * The public side of an app's alerts: what the page and its Atom feed list, and the app's
 * setting that turns them off (docs/civic-alerts.md#the-public-alert-page).
 *
 * Only alerts that reached the public are listed: disposition `public` (status Actual,
 * scope Public, neither cancelled nor replaced, not archived) and not expired now. The
 * Atom feed also carries the Cancel messages of the last day, so a system that follows
 * the feed learns that an alert it took is over. Nothing needs a key: the page is public
 * by nature, and answers the same 404 for an app that does not exist and one that turned
 * its page off.
 */
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { getAlertSettings } from './alert-settings.ts';
import type { CapAlert } from '../protocol/cap/types.ts';
import type { AlertsTable } from '../store/schema-alerts.ts';

/** Alerts listed at most: a page that people read, and a feed that other systems poll. */
export const PUBLIC_ALERTS_LIMIT = 100;
/** ms a Cancel stays in the Atom feed: long enough for a follower polling daily. */
export const CANCEL_KEPT_MS = 86_400_000;

export interface PublicAlert {
  row: AlertsTable;
  cap: CapAlert;
}

/** The app's name when its page is on; the same refusal when there is no app or no page. */
export async function publicPageOf(ctx: Context, appId: string): Promise<{ name: string }> {
  const app = await ctx.store.db.selectFrom('apps').select('name').where('id', '=', appId).executeTakeFirst();
  if (!app || !(await getAlertSettings(ctx, appId)).publicPage) throw new ApiError('alert_page_not_found', 'No public alert page here');
  return { name: app.name };
}

const isPublicNow = (row: AlertsTable, now: number) => row.disposition === 'public' && (row.expires_at === null || Number(row.expires_at) > now);

/** The active public alerts, newest received first; with `cancels`, the Cancel messages of the last day too. */
export async function activePublicAlerts(ctx: Context, appId: string, opts: { cancels: boolean }): Promise<PublicAlert[]> {
  const now = ctx.now();
  const rows = await ctx.store.db
    .selectFrom('alerts')
    .selectAll()
    .where('app_id', '=', appId)
    .where('disposition', '=', 'public')
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .where((eb) => (opts.cancels ? eb.or([eb('msg_type', '!=', 'Cancel'), eb('received_at', '>', now - CANCEL_KEPT_MS)]) : eb('msg_type', '!=', 'Cancel')))
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .limit(PUBLIC_ALERTS_LIMIT)
    .execute();
  return rows.map((row) => ({ row, cap: JSON.parse(row.document) as CapAlert }));
}

/** One alert of the public page, while it is on it. */
export async function publicAlert(ctx: Context, appId: string, alertId: string): Promise<PublicAlert> {
  const row = await ctx.store.db.selectFrom('alerts').selectAll().where('app_id', '=', appId).where('id', '=', alertId).executeTakeFirst();
  if (!row || !isPublicNow(row, ctx.now())) throw new ApiError('alert_not_found', 'No such alert on this page: it is not public, or it has expired, been replaced or been cancelled');
  return { row, cap: JSON.parse(row.document) as CapAlert };
}
