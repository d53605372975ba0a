/**
 * Who a CAP alert is for, decided from the alert alone and the time it arrived (pure).
 * docs/civic-alerts.md#who-an-alert-reaches explains each rule.
 *
 * - `msgType` Ack and Error are messages between systems (CAP 1.2 §3.2.1): no one.
 * - `status` System and Draft reach no one; Exercise and Test reach only users who opted
 *   into test alerts; Actual reaches the public.
 * - Only `scope` Public reaches anyone: Restricted and Private name audiences Carillon
 *   does not know (their `restriction` and `addresses` are kept, not acted on).
 * - An alert every `<info>` of which has expired when it arrives is archived, not pushed
 *   (the NTWC sample's `expires` equals its `sent`). A Cancel with no `<info>` never expires.
 */
import type { CapAlert } from '../protocol/cap/types.ts';
import type { AlertDisposition } from '../store/schema-alerts.ts';

export interface Disposition {
  disposition: Extract<AlertDisposition, 'public' | 'testers' | 'none' | 'archived'>;
  reason: string;
}

/** The latest expiry of the alert's infos; undefined when one has none (it does not expire) or there are none. */
export function alertExpiresAt(alert: CapAlert): number | undefined {
  if (alert.infos.length === 0) return undefined;
  let latest = -Infinity;
  for (const info of alert.infos) {
    if (!info.expires) return undefined;
    latest = Math.max(latest, info.expires.epochMs);
  }
  return latest;
}

export function decideDisposition(alert: CapAlert, receivedAt: number): Disposition {
  if (alert.msgType === 'Ack' || alert.msgType === 'Error') return { disposition: 'none', reason: `msgType ${alert.msgType} is for systems, not people` };
  if (alert.status === 'System' || alert.status === 'Draft') return { disposition: 'none', reason: `status ${alert.status} reaches no one` };
  if (alert.scope !== 'Public') return { disposition: 'none', reason: `scope ${alert.scope} names an audience Carillon does not hold` };
  const expires = alertExpiresAt(alert);
  if (expires !== undefined && expires <= receivedAt) return { disposition: 'archived', reason: 'every info had expired when the alert arrived' };
  if (alert.status === 'Exercise' || alert.status === 'Test') return { disposition: 'testers', reason: `status ${alert.status} reaches only users who opted into test alerts` };
  return { disposition: 'public', reason: 'status Actual, scope Public' };
}
