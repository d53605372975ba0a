import type { Config } from '../../config/defaults.ts';
import type { Context } from '../../context.ts';
import type { Personalised, PersonalisedNotification, PersonalRecipient, Personaliser } from '../../delivery/personaliser.ts';
import type { MessageContent } from '../../message/content.ts';
import type { Channel, OutgoingMessage } from '../../providers/channel.ts';
import { CHANNELS } from '../../providers/registry.ts';
import type { CapAlert, CapInfo } from '../../protocol/cap/types.ts';
import { pickInfo } from '../info-choice.ts';
import { alertContent, allClearContent, type AlertContentOptions } from './alert-content.ts';
import { alertOfNotification, referencedAlerts } from './alert-recipients.ts';

const USERS_PER_QUERY = 1_000;

/**
 * The alert's public page, the link to its full text. The public page's route is
 * `/public/apps/{appId}/alerts/{alertId}` (docs/civic-alerts.md#the-public-page).
 */
export function alertPageUrl(config: Pick<Config, 'publicUrl' | 'host' | 'port'>, appId: string, alertId: string): string {
  const base = (config.publicUrl || `http://${config.host}:${config.port}`).replace(/\/+$/, '');
  return `${base}/public/apps/${encodeURIComponent(appId)}/alerts/${encodeURIComponent(alertId)}`;
}

/** Whether the app's APNs credentials carry Apple's critical-alert entitlement (alert_settings). */
export async function criticalAlertsAllowed(ctx: Context, appId: string): Promise<boolean> {
  const row = await ctx.store.db.selectFrom('alert_settings').select('apns_critical_alerts').where('app_id', '=', appId).executeTakeFirst();
  return row?.apns_critical_alerts === 1;
}

/**
 * Alerts' notifications, recipient by recipient: each user is shown the `<info>` in their
 * language (pickInfo), made into content for their channel (alert-content.ts), one message
 * object per info and channel so recipients alike share one payload build. A notification
 * whose alert was cancelled or replaced while its fan-out ran sends nothing more: each
 * recipient left is recorded `alert_cancelled` (or `alert_replaced`) and is reached by the
 * Cancel's or Update's own notification instead. Civic alerts are not campaigns: no
 * frequency cap or quiet hours hold them. Other notifications go to `inner`.
 */
export function alertPersonaliser(ctx: Context, inner: Personaliser, channels: ReadonlyMap<string, Channel> = CHANNELS): Personaliser {
  return {
    async personalise(n: PersonalisedNotification, recipients: readonly PersonalRecipient[], base: OutgoingMessage): Promise<Personalised[]> {
      const found = await alertOfNotification(ctx, { notificationId: n.id });
      if (!found) return inner.personalise(n, recipients, base);
      const { link, alert } = found;
      if (link.kind === 'alert' && (alert.disposition === 'cancelled' || alert.disposition === 'replaced')) {
        const cancelled = alert.disposition === 'cancelled';
        const skip: Personalised = { skip: { reason: cancelled ? 'alert_cancelled' : 'alert_replaced', detail: cancelled ? `cancelled by ${alert.cancelled_by}` : `replaced by ${alert.replaced_by}` } };
        return recipients.map(() => skip);
      }
      const cap = JSON.parse(alert.document) as CapAlert;
      const seqs = [...new Set(recipients.map((r) => r.userSeq).filter((s): s is number => s !== null))];
      const language = new Map<number, string | null>();
      for (let i = 0; i < seqs.length; i += USERS_PER_QUERY) {
        const rows = await ctx.store.db.selectFrom('users').select(['seq', 'language']).where('seq', 'in', seqs.slice(i, i + USERS_PER_QUERY)).execute();
        for (const u of rows) language.set(Number(u.seq), u.language);
      }
      const fullTextUrl = alertPageUrl(ctx.config, alert.app_id, alert.id);
      const opts: Omit<AlertContentOptions, 'fits'> = { thread: link.thread, fullTextUrl, criticalAlerts: await criticalAlertsAllowed(ctx, alert.app_id), sound: ctx.config.alertSound };
      // A Cancel without <info> speaks in the words of the alert it ends.
      const ended = cap.infos.length === 0 ? await referencedAlerts(ctx, alert.id) : [];
      const endedInfos = ended.length > 0 ? (JSON.parse(ended[0]!.document) as CapAlert).infos : [];

      const messages = new Map<string, OutgoingMessage>();
      const messageFor = (channelName: string, lang: string | null): OutgoingMessage => {
        const info: CapInfo | undefined = pickInfo(cap.infos.length > 0 ? cap.infos : endedInfos, lang);
        const key = `${channelName}\u0000${info ? (cap.infos.length > 0 ? cap.infos : endedInfos).indexOf(info) : `-${lang ?? ''}`}`;
        let m = messages.get(key);
        if (!m) {
          const channel = channels.get(channelName);
          const fits = channel ? (c: MessageContent) => channel.payloadBytes(n.id, c) <= channel.capabilities.maxPayloadBytes : undefined;
          const content = cap.infos.length > 0 && info ? alertContent(cap, alert.id, info, { ...opts, ...(fits ? { fits } : {}) }) : allClearContent(cap, alert.id, info, lang, opts);
          m = { ...base, content };
          messages.set(key, m);
        }
        return m;
      };
      // Whatever category the alert went in (civic, one of the app's own, none for Extreme), it
      // never uses up a user's marketing caps.
      return recipients.map((r) => ({ message: messageFor(r.channel, r.userSeq === null ? null : (language.get(r.userSeq) ?? null)), tags: { uncapped: true } }));
    },
  };
}
