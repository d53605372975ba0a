/**
 * From a stored alert to its notification (docs/civic-alerts.md#sending): an alert whose
 * disposition reaches people is stored as a notification of its own, with its fan-out job,
 * in one transaction; the fan-out (src/delivery/) then accounts for every recipient.
 */
import { newId } from '../../crypto/tokens.ts';
import type { Context } from '../../context.ts';
import { fanoutJobSpec } from '../../delivery/fanout.ts';
import type { CapAlert, CapInfo } from '../../protocol/cap/types.ts';
import { PRIORITY } from '../../queue/queue.ts';
import type { AlertNotificationKind } from '../../store/schema-alert-sends.ts';
import type { AlertsTable } from '../../store/schema-alerts.ts';
import { alertCategoryRules, mappedAlertCategory, type AlertCategoryMap } from '../alert-settings.ts';
import { isAllClear, isTopPriority, pickInfo } from '../info-choice.ts';
import { alertContent, allClearContent } from './alert-content.ts';
import { alertPageUrl, criticalAlertsAllowed } from './alert-personaliser.ts';
import type { AlertTarget } from './alert-pager.ts';
import { referencedAlerts } from './alert-recipients.ts';

/** s; the longest TTL a push service keeps a message for (Web Push services cap it near four weeks). */
const MAX_TTL = 2_419_200;

export interface SendOptions {
  /** A wide alert: users without a location are reached too (docs/civic-alerts.md#who-is-reached). */
  includeUnlocated?: boolean;
}

export interface AlertSend {
  notificationId: string;
  kind: AlertNotificationKind;
  thread: string;
  topPriority: boolean;
}

/** Whether an alert is sent at all: its disposition reaches people (public, or testers). */
export function reachesPeople(row: Pick<AlertsTable, 'disposition'>): boolean {
  return row.disposition === 'public' || row.disposition === 'testers';
}

/**
 * The preference category an alert is sent under: none for Extreme ones when the operator
 * says they cannot be turned off; else the category the app's map gives its first `<info>`
 * (mappedAlertCategory), `civic` when the map names none. Whatever the category, the alert
 * is not a campaign: its personaliser applies no cap or quiet hours (alert-personaliser.ts).
 */
export function alertCategory(
  infos: readonly Pick<CapInfo, 'severity' | 'categories'>[],
  extremeIgnoresPreferences: boolean,
  rules: { map: AlertCategoryMap; own: readonly string[] } = { map: {}, own: [] },
): string | null {
  if (extremeIgnoresPreferences && infos.some((i) => i.severity === 'Extreme')) return null;
  return mappedAlertCategory(infos, rules.map, rules.own);
}

/**
 * Sends a stored alert, once: a no-op for an alert already sent or one whose disposition
 * reaches no one (none, archived, cancelled, replaced). An Update or Cancel takes the
 * thread of the alert it names, so it replaces that notification on the device; a Cancel
 * (or an Update that says all clear) is sent as an all-clear to the area of the alerts it
 * ends, on their lane.
 */
export async function sendAlert(ctx: Context, row: AlertsTable, opts: SendOptions = {}): Promise<AlertSend | undefined> {
  if (!reachesPeople(row)) return undefined;
  const db = ctx.store.db;
  const already = await db.selectFrom('alert_notifications').selectAll().where('alert_id', '=', row.id).executeTakeFirst();
  if (already) return undefined;
  const cap = JSON.parse(row.document) as CapAlert;
  const ended = await referencedAlerts(ctx, row.id);
  const endedLinks = ended.length === 0 ? [] : await db.selectFrom('alert_notifications').select(['alert_id', 'thread']).where('alert_id', 'in', ended.map((a) => a.id)).execute();
  // The thread of the first named alert that was sent; its own otherwise (an alert id is a valid RFC 8030 Topic: 26 base64url characters).
  const thread = ended.map((a) => endedLinks.find((l) => l.alert_id === a.id)?.thread).find((t) => t !== undefined) ?? row.id;
  const kind: AlertNotificationKind = isAllClear(cap) ? 'all_clear' : 'alert';
  const endedInfos = ended.flatMap((a) => (JSON.parse(a.document) as CapAlert).infos);
  // An all-clear goes on the lane of what it ends, so it is not overtaken by it.
  const topPriority = kind === 'all_clear' ? endedInfos.some(isTopPriority) : cap.infos.some(isTopPriority);
  // An all-clear goes in the category of what it ends, so it reaches whoever got that.
  const category = alertCategory(kind === 'all_clear' ? endedInfos : cap.infos, ctx.config.alertExtremeIgnoresPreferences, await alertCategoryRules(ctx, row.app_id));
  const now = ctx.now();
  const expires = row.expires_at === null ? undefined : Number(row.expires_at);
  const ttl = expires === undefined ? ctx.config.defaultTtl : Math.max(0, Math.min(MAX_TTL, Math.floor((expires - now) / 1000)));
  // The notification's own content is what the API shows: the en-US info (or the first); each recipient gets theirs.
  const contentOpts = { thread, fullTextUrl: alertPageUrl(ctx.config, row.app_id, row.id), criticalAlerts: await criticalAlertsAllowed(ctx, row.app_id), sound: ctx.config.alertSound };
  const info = pickInfo(cap.infos, null);
  const content = info ? alertContent(cap, row.id, info, contentOpts) : allClearContent(cap, row.id, pickInfo(endedInfos, null), null, contentOpts);
  const id = newId('ntf');
  const target: AlertTarget = { alert: row.id };
  try {
    await db.transaction().execute(async (tx) => {
      await tx
        .insertInto('notifications')
        .values({
          id,
          app_id: row.app_id,
          status: 'queued',
          target: JSON.stringify(target),
          audience: null,
          content: JSON.stringify(content),
          ttl,
          urgency: topPriority ? 'high' : 'normal',
          topic: thread,
          category,
          send_at: now,
          idempotency_key: null,
          request_hash: null,
          fanout_cursor: 0,
          fanout_done: 0,
          targeted: 0,
          created_at: now,
          completed_at: null,
          conversion: null,
          priority: topPriority ? PRIORITY.urgent : PRIORITY.normal,
        })
        .execute();
      await tx.insertInto('alert_notifications').values({ alert_id: row.id, app_id: row.app_id, notification_id: id, kind, thread, include_unlocated: opts.includeUnlocated ? 1 : 0, created_at: now }).execute();
      await tx.updateTable('alerts').set({ send_pending: null }).where('id', '=', row.id).execute();
      await ctx.queue.add([fanoutJobSpec(id, 0, { runAt: now, priority: topPriority ? PRIORITY.urgent : PRIORITY.normal })], tx);
    });
  } catch (err) {
    // The same alert posted twice at once: the primary key let one send in.
    if (await db.selectFrom('alert_notifications').select('alert_id').where('alert_id', '=', row.id).executeTakeFirst()) return undefined;
    throw err;
  }
  ctx.logger.info({ module: 'alerts', alertId: row.id, notificationId: id, kind, topPriority }, 'alert sent');
  return { notificationId: id, kind, thread, topPriority };
}
