/**
 * What a civic alert's `<info>` becomes on a device (pure): docs/civic-alerts.md#what-each-cap-field-becomes-on-each-platform.
 *
 * - `headline` → title (the `event` when there is no headline);
 * - `description` and `instruction` → body, cut to the channel's limits with an ellipsis
 *   and the link to the full text (the alert's public page);
 * - `web` → url (the public page when the alert names none, or names one that is not a
 *   web address);
 * - top priority (isTopPriority) → `requireInteraction`, a distinct sound, and
 *   `interruptionLevel` critical where the app's APNs credentials carry Apple's
 *   critical-alert entitlement, time-sensitive otherwise;
 * - the thread → `tag` (and, on the notification, the Topic / apns-collapse-id / FCM
 *   collapse key), so an Update or Cancel replaces the notification before it.
 */
import type { MessageContent } from '../../message/content.ts';
import type { CapAlert, CapInfo } from '../../protocol/cap/types.ts';
import { isTopPriority } from '../info-choice.ts';

/** Characters of body shown at most, whatever the channel could carry: about what a lock screen shows expanded. */
export const ALERT_BODY_CHARS = 600;

export interface AlertContentOptions {
  /** The collapse key the alert shares with its Updates and Cancel. */
  thread: string;
  /** The alert's public page: the link to the full text. */
  fullTextUrl: string;
  /** The app's APNs credentials carry the critical-alert entitlement. */
  criticalAlerts: boolean;
  /** The sound of a top-priority alert (config.alertSound). */
  sound: string;
  /** The channel's payload size of a content (Channel.payloadBytes), and its limit: the body is cut until it fits. */
  fits?: (content: MessageContent) => boolean;
  /** Characters of body at most; ALERT_BODY_CHARS by default. */
  maxBodyChars?: number;
}

const webUrl = (web: string | undefined) => (web !== undefined && /^https?:\/\/[^\s]+$/i.test(web) && web.length <= 2048 ? web : undefined);

/** Joins description and instruction, as a person would read them. */
export function alertText(info: Pick<CapInfo, 'description' | 'instruction'>): string {
  return [info.description, info.instruction]
    .map((t) => t?.replace(/[ \t]+/g, ' ').replace(/\s*\n\s*/g, '\n').trim())
    .filter((t): t is string => !!t)
    .join('\n\n');
}

/**
 * `text` cut to at most `max` characters (code points, so no surrogate pair is split) at a
 * word where one is near, then an ellipsis and the link to the rest; whole when it fits.
 * @example cutText('a long text', 6, 'https://x/a') // 'a…\nhttps://x/a'
 */
export function cutText(text: string, max: number, link: string): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const tail = `…\n${link}`;
  const room = Math.max(0, max - [...tail].length);
  let cut = chars.slice(0, room).join('');
  const space = cut.search(/\s\S*$/);
  if (space > room * 0.7) cut = cut.slice(0, space);
  return cut.trimEnd() + tail;
}

/** Where the alert is sent from the data of the notification, for the app and the service worker. */
function alertData(alert: Pick<CapAlert, 'identifier' | 'sender' | 'msgType'>, info: CapInfo | undefined, alertId: string, fullTextUrl: string) {
  return {
    alert: {
      id: alertId,
      identifier: alert.identifier,
      sender: alert.sender,
      msgType: alert.msgType,
      ...(info ? { event: info.event, severity: info.severity, urgency: info.urgency, certainty: info.certainty, language: info.language } : {}),
      fullText: fullTextUrl,
    },
  };
}

/** The notification content of one `<info>`, for one channel (its `fits`). */
export function alertContent(alert: Pick<CapAlert, 'identifier' | 'sender' | 'msgType'>, alertId: string, info: CapInfo, opts: AlertContentOptions): MessageContent {
  const top = isTopPriority(info);
  const base: MessageContent = {
    title: (info.headline ?? info.event).slice(0, 1000),
    url: webUrl(info.web) ?? opts.fullTextUrl,
    tag: opts.thread,
    lang: info.language.slice(0, 35),
    data: alertData(alert, info, alertId, opts.fullTextUrl),
    ...(top
      ? { requireInteraction: true, sound: opts.sound, interruptionLevel: opts.criticalAlerts ? 'critical' : 'time-sensitive' }
      : { interruptionLevel: 'active' as const }),
  };
  return withBody(base, alertText(info), opts);
}

/** The words of an all-clear where the Cancel carries no `<info>`, by language; English otherwise. */
const ALL_CLEAR: Record<string, string> = {
  en: 'All clear: this alert has been cancelled.',
  fr: 'Fin d’alerte : cette alerte est levée.',
  es: 'Fin de la alerta: esta alerta ha sido cancelada.',
  de: 'Entwarnung: diese Warnung ist aufgehoben.',
};

/**
 * The short all-clear a Cancel without `<info>` replaces the alert with: the cancelled
 * alert's headline (in the user's language, as `info` was picked) and one line saying it
 * is over. Same tag, so it takes the alert's place on the device; never top priority.
 */
export function allClearContent(alert: Pick<CapAlert, 'identifier' | 'sender' | 'msgType'>, alertId: string, cancelled: CapInfo | undefined, language: string | null, opts: AlertContentOptions): MessageContent {
  const lang = (cancelled?.language ?? language ?? 'en').split('-')[0]!.toLowerCase();
  return {
    title: (cancelled?.headline ?? cancelled?.event ?? 'Alert cancelled').slice(0, 1000),
    body: ALL_CLEAR[lang] ?? ALL_CLEAR.en!,
    url: opts.fullTextUrl,
    tag: opts.thread,
    ...(cancelled ? { lang: cancelled.language.slice(0, 35) } : {}),
    data: alertData(alert, undefined, alertId, opts.fullTextUrl),
    interruptionLevel: 'active',
  };
}

/** Sets the body, cut to ALERT_BODY_CHARS, then shorter until the channel can carry it. */
function withBody(base: MessageContent, text: string, opts: AlertContentOptions): MessageContent {
  if (text === '') return base;
  let max = Math.min(opts.maxBodyChars ?? ALERT_BODY_CHARS, 4000);
  for (;;) {
    const content = { ...base, body: cutText(text, max, opts.fullTextUrl) };
    if (!opts.fits || opts.fits(content) || max <= 0) return content;
    max = Math.floor(max * 0.8);
    // Too little room for any text beside the link: the body is the link alone.
    if (max < opts.fullTextUrl.length + 8) return opts.fits({ ...base, body: opts.fullTextUrl }) ? { ...base, body: opts.fullTextUrl } : base;
  }
}
