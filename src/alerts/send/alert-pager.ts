import type { AudiencePager, AudienceQuery } from '../../delivery/audience-pager.ts';
import { firstAfter, type AlertRecipientCache } from './alert-recipients.ts';

/** The target an alert's notification stores: the alert it was sent for (notifications.target). */
export interface AlertTarget {
  alert: string;
}

export function isAlertTarget(target: unknown): target is AlertTarget {
  return typeof target === 'object' && target !== null && typeof (target as Partial<AlertTarget>).alert === 'string';
}

/**
 * The fan-out's pages of an alert's notification: the subscriptions of the users in its
 * area (alert-recipients.ts), in seq order; every other notification goes to `inner`.
 * The target names the alert, not a filter: an area is geometry over located
 * users, not SQL.
 */
export function alertPager(cache: AlertRecipientCache, inner: AudiencePager): AudiencePager {
  const recipientsOf = (q: AudienceQuery, category: string | null) => cache.of((q.target as unknown as AlertTarget).alert, category);
  return {
    async page(q) {
      if (!isAlertTarget(q.target)) return inner.page(q);
      const r = await recipientsOf(q, q.suppressCategory);
      if (!r) return [];
      const off = new Set(q.suppressCategory === null ? [] : r.turnedOff.map((t) => t.seq));
      const out: number[] = [];
      for (let i = firstAfter(r.all, q.afterSeq, (s) => s); i < r.all.length && out.length < q.limit; i++) if (!off.has(r.all[i]!)) out.push(r.all[i]!);
      return out;
    },
    async suppressed(q) {
      if (!isAlertTarget(q.target)) return inner.suppressed(q);
      const r = await recipientsOf(q, q.suppressCategory);
      if (!r) return [];
      const from = firstAfter(r.turnedOff, q.afterSeq, (t) => t.seq);
      const out = [];
      for (let i = from; i < r.turnedOff.length; i++) {
        const t = r.turnedOff[i]!;
        if (q.throughSeq !== undefined && t.seq > q.throughSeq) break;
        out.push(t);
      }
      return out;
    },
  };
}
