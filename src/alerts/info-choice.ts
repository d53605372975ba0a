/**
 * Which `<info>` a user is shown, and how urgent an alert is: the decisions sending will
 * use, pure and tested here. docs/civic-alerts.md#languages-and-priority.
 */
import type { CapAlert, CapInfo } from '../protocol/cap/types.ts';

const primary = (tag: string) => tag.split('-')[0]!.toLowerCase();

/**
 * The info that best matches the user's language (BCP 47, as CAP's RFC 3066 tags): the
 * same tag (case-insensitive), else the tag's language alone (`fr` for `fr-CA`), else
 * another region of the language (`fr-FR`), else `en-US` (CAP's default), else the first.
 * Undefined when there is no info (a Cancel may have none).
 * @example pickInfo(alert.infos, 'es-MX') // the es-US block of the AMBER sample
 */
export function pickInfo(infos: readonly CapInfo[], language: string | null | undefined): CapInfo | undefined {
  if (infos.length === 0) return undefined;
  if (language) {
    const want = language.toLowerCase();
    const exact = infos.find((i) => i.language.toLowerCase() === want);
    if (exact) return exact;
    const base = infos.find((i) => i.language.toLowerCase() === primary(want));
    if (base) return base;
    const sibling = infos.find((i) => primary(i.language) === primary(want));
    if (sibling) return sibling;
  }
  return infos.find((i) => i.language.toLowerCase() === 'en-us') ?? infos[0];
}

/**
 * The top priority: severity Extreme or Severe with urgency Immediate or Expected
 * (the urgent lane, Web Push `Urgency: high`, APNs time-sensitive or critical).
 */
export function isTopPriority(info: Pick<CapInfo, 'severity' | 'urgency'>): boolean {
  return (info.severity === 'Extreme' || info.severity === 'Severe') && (info.urgency === 'Immediate' || info.urgency === 'Expected');
}

/**
 * Whether the alert ends what it references: a Cancel, or an Update whose every info says
 * the danger is past (urgency Past, or responseType AllClear), as the NTWC "Tsunami
 * Cancellation" does.
 */
export function isAllClear(alert: Pick<CapAlert, 'msgType' | 'infos'>): boolean {
  if (alert.msgType === 'Cancel') return true;
  if (alert.msgType !== 'Update' || alert.infos.length === 0) return false;
  return alert.infos.every((i) => i.urgency === 'Past' || i.responseTypes.includes('AllClear'));
}
