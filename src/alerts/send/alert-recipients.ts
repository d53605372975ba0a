/**
 * The subscriptions an alert's notification goes to, worked out once per notification and
 * kept in memory while its fan-out runs (a fan-out asks page by page). Worked out again
 * after a restart: the same area over the same users gives the same set, and the fan-out's
 * cursor (a subscription seq) keeps each subscription to one page whatever moved since.
 */
import type { Context } from '../../context.ts';
import type { CapAlert } from '../../protocol/cap/types.ts';
import type { AlertNotificationsTable } from '../../store/schema-alert-sends.ts';
import type { AlertsTable } from '../../store/schema-alerts.ts';
import { alertAudience } from './audience.ts';

export interface AlertRecipients {
  /** Every subscription of the audience, ascending seq. */
  all: number[];
  /** Those whose user turned `category` off, ascending seq, with their user. */
  turnedOff: { seq: number; userSeq: number }[];
}

/** Users per query of their subscriptions: well under every engine's bound on parameters. */
const USERS_PER_QUERY = 1_000;
/** Notifications whose recipients are kept at once; alerts are few, and each set is small beside the index. */
const KEPT = 8;

/** The alert a notification was sent for, with the alerts its Cancel or Update names. */
export async function alertOfNotification(ctx: Context, by: { notificationId: string } | { alertId: string }): Promise<{ link: AlertNotificationsTable; alert: AlertsTable } | undefined> {
  const q = ctx.store.db.selectFrom('alert_notifications').selectAll();
  const link = await ('notificationId' in by ? q.where('notification_id', '=', by.notificationId) : q.where('alert_id', '=', by.alertId)).executeTakeFirst();
  if (!link) return undefined;
  const alert = await ctx.store.db.selectFrom('alerts').selectAll().where('id', '=', link.alert_id).executeTakeFirstOrThrow();
  return { link: link as AlertNotificationsTable, alert: alert as AlertsTable };
}

/** The stored alerts an alert's references resolved to (its Cancel or Update targets). */
export async function referencedAlerts(ctx: Context, alertId: string): Promise<AlertsTable[]> {
  return (await ctx.store.db
    .selectFrom('alert_references as r')
    .innerJoin('alerts as a', 'a.id', 'r.target_id')
    .selectAll('a')
    .where('r.alert_id', '=', alertId)
    .orderBy('r.position')
    .execute()) as AlertsTable[];
}

export class AlertRecipientCache {
  readonly #kept = new Map<string, Promise<AlertRecipients | undefined>>();
  readonly #ctx: Context;

  constructor(ctx: Context) {
    this.#ctx = ctx;
  }

  /** The recipients of the alert's notification; undefined when the alert was not sent. */
  async of(alertId: string, category: string | null): Promise<AlertRecipients | undefined> {
    const key = `${alertId}\u0000${category ?? ''}`;
    let p = this.#kept.get(key);
    if (!p) {
      p = this.#work(alertId, category);
      if (this.#kept.size >= KEPT) this.#kept.delete(this.#kept.keys().next().value!);
      this.#kept.set(key, p);
      p.catch(() => this.#kept.delete(key));
    }
    return p;
  }

  async #work(alertId: string, category: string | null): Promise<AlertRecipients | undefined> {
    const ctx = this.#ctx;
    const db = ctx.store.db;
    const found = await alertOfNotification(ctx, { alertId });
    if (!found) return undefined;
    const { link, alert } = found;
    const cap = JSON.parse(alert.document) as CapAlert;
    // A Cancel or an all-clear reaches whoever the alerts it ends reached, and its own area.
    const ended = link.kind === 'all_clear' ? await referencedAlerts(ctx, alert.id) : [];
    const extraAreas = ended.flatMap((a) => (JSON.parse(a.document) as CapAlert).infos.flatMap((i) => i.areas));
    let users = await alertAudience(ctx, alert.app_id, cap, { includeUnlocated: link.include_unlocated === 1, extraAreas });
    if (alert.disposition === 'testers' || alert.status === 'Exercise' || alert.status === 'Test') {
      const testers = new Set((await db.selectFrom('alert_testers').select('external_id').where('app_id', '=', alert.app_id).execute()).map((t) => t.external_id));
      users = new Set([...users].filter((u) => testers.has(u)));
    }
    const ids = [...users];
    const all: number[] = [];
    const turnedOff: { seq: number; userSeq: number }[] = [];
    for (let i = 0; i < ids.length; i += USERS_PER_QUERY) {
      const rows = await db
        .selectFrom('subscriptions')
        .innerJoin('users', (j) => j.onRef('users.app_id', '=', 'subscriptions.app_id').onRef('users.external_id', '=', 'subscriptions.user_id'))
        .select(['subscriptions.seq as seq', 'users.seq as user_seq'])
        .$if(category !== null, (q) =>
          q.select((eb) =>
            eb
              .exists(eb.selectFrom('user_preferences').select('user_seq').whereRef('user_preferences.user_seq', '=', 'users.seq').where('user_preferences.category', '=', category!).where('user_preferences.enabled', '=', 0))
              .as('off'),
          ),
        )
        .where('subscriptions.app_id', '=', alert.app_id)
        .where('subscriptions.user_id', 'in', ids.slice(i, i + USERS_PER_QUERY))
        .execute();
      for (const r of rows as { seq: number; user_seq: number; off?: unknown }[]) {
        all.push(Number(r.seq));
        if (r.off === true || Number(r.off) === 1) turnedOff.push({ seq: Number(r.seq), userSeq: Number(r.user_seq) });
      }
    }
    all.sort((a, b) => a - b);
    turnedOff.sort((a, b) => a.seq - b.seq);
    return { all, turnedOff };
  }
}

/** The first index of `sorted` (ascending by `key`) whose key is above `after` (binary search). */
export function firstAfter<T>(sorted: readonly T[], after: number, key: (item: T) => number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(sorted[mid]!) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
