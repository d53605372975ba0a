import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { OutcomeListener, Send, Sender } from '../../providers/channel.ts';
import type { Outcome } from '../../providers/outcome.ts';
import type { CampaignThrottle } from './throttle-store.ts';

/** A notification's throttle: its campaign and rate, or null for a send that is not throttled. */
type Throttled = { campaignId: string; perMinute: number } | null;

/** Notifications whose throttle is remembered; a launched campaign's throttle never changes. */
const REMEMBERED = 10_000;

/**
 * The senders of the deliver job behind campaign throttles: the sends of a throttled
 * campaign (all its waves and runs; not its test sends) take from the campaign's bucket
 * before they go, and those it cannot give now are handed back as deferred retries with
 * the wait it named: they come back in a later batch, never count as a failed attempt,
 * and are not dropped (docs/campaigns-policy.md#throttle). Other sends pass through.
 */
export function throttledSenders(db: Kysely<Database>, throttle: CampaignThrottle, senders: ReadonlyMap<string, Sender>): ReadonlyMap<string, Sender> {
  const known = new Map<string, Throttled>();

  async function throttleOf(notificationId: string): Promise<Throttled> {
    const cached = known.get(notificationId);
    if (cached !== undefined) return cached;
    const row = await db
      .selectFrom('notifications')
      .innerJoin('campaigns', 'campaigns.id', 'notifications.campaign_id')
      .select(['campaigns.id', 'campaigns.definition', 'notifications.campaign_run'])
      .where('notifications.id', '=', notificationId)
      .executeTakeFirst();
    // Run 0 is the test sends (test-send.ts): one device, now, whatever the throttle.
    const perMinute = row && Number(row.campaign_run) > 0 ? (JSON.parse(row.definition) as { throttle?: { perMinute: number } }).throttle?.perMinute : undefined;
    const found: Throttled = row && perMinute !== undefined ? { campaignId: row.id, perMinute } : null;
    if (known.size >= REMEMBERED) known.clear();
    known.set(notificationId, found);
    return found;
  }

  const wrapped = new Map<string, Sender>();
  for (const [channel, inner] of senders) {
    wrapped.set(channel, {
      close: () => inner.close(),
      async send(sends: readonly Send[], settled?: OutcomeListener): Promise<Outcome[]> {
        // One batch is one notification; grouped anyway, so that a caller mixing them is still right.
        const groups = new Map<string, number[]>();
        sends.forEach((s, i) => {
          const g = groups.get(s.message.id);
          if (g) g.push(i);
          else groups.set(s.message.id, [i]);
        });
        const outcomes = new Array<Outcome>(sends.length);
        const going: number[] = [];
        for (const [id, indexes] of groups) {
          const t = await throttleOf(id);
          if (t === null) {
            going.push(...indexes);
            continue;
          }
          const { granted, waitMs } = await throttle.take(t.campaignId, indexes.length, t.perMinute);
          going.push(...indexes.slice(0, granted));
          const held: Outcome = { kind: 'retry', reason: `held back by the campaign's throttle of ${t.perMinute} a minute`, afterMs: waitMs, deferred: true };
          for (const i of indexes.slice(granted)) outcomes[i] = held;
        }
        if (going.length > 0) {
          const answers = await inner.send(
            going.map((i) => sends[i]!),
            settled && ((k, o) => settled(going[k]!, o)),
          );
          answers.forEach((o, k) => (outcomes[going[k]!] = o));
        }
        return outcomes;
      },
    });
  }
  return wrapped;
}
