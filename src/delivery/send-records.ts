import type { Insertable, Transaction } from 'kysely';
import { columnsOf, preparedMany } from '../store/prepared.ts';
import type { ActivityType, Database, SendReason } from '../store/schema.ts';
import type { SendRecordsTable } from '../store/schema-campaigns.ts';
import { appendActivity, type Activity } from '../store/activity-log.ts';
import type { RecordTags } from './personaliser.ts';

/**
 * Categories whose sends never count against marketing frequency caps (issue #12): a
 * sign-in approval or a public-safety alert must not use up a user's promotions.
 */
const UNCAPPED_CATEGORIES: ReadonlySet<string> = new Set(['security', 'civic']);

/** `send_records.detail` is a short explanation, not a log: longer text is cut. */
const MAX_DETAIL = 500;

/** Rows per insert: 13 values each, well under SQLite's 32,766 bound variables. */
const INSERT_CHUNK = 1000;

/** One recipient's send record, before the notification's fields and the time are added. */
export interface RecordDraft {
  userSeq: number | null;
  subscriptionSeq: number | null;
  reason: SendReason;
  detail: string | null;
  countsForCaps: boolean;
  tags?: RecordTags;
  /** Who it is about, as the activity log carries it; looked up by the subscription's seq when absent. */
  who?: Recipient;
  /** For a send that went out: what the push service's last answer made of it (the activity logged). */
  outcome?: { type: 'delivered' | 'failed' | 'pruned'; status?: number | null; reason?: string };
}

/** A record's subscription as the activity log names it. */
export interface Recipient {
  subscriptionId: string;
  channel: string;
  /** The user's external id. */
  userId: string | null;
}

/** Where a batch's records go: its notification, its app, its category. */
export interface RecordTarget {
  appId: string;
  notificationId: string;
  category: string | null;
}

/** Whether a send that went out counts against frequency caps: a marketing send, not a test, nor one its personaliser marks uncapped (a civic alert). */
export function countsForCaps(category: string | null, tags: RecordTags | undefined): boolean {
  return !(tags?.test ?? false) && !(tags?.uncapped ?? false) && !(category !== null && UNCAPPED_CATEGORIES.has(category));
}

type SendRecordRow = Omit<Insertable<SendRecordsTable>, 'id'>;
const SEND_RECORD_COLUMNS = ['app_id', 'notification_id', 'campaign_id', 'variant', 'user_seq', 'subscription_seq', 'category', 'reason', 'detail', 'counts_for_caps', 'test', 'timing', 'at'] as const;
/** Prepared for each row count (src/store/prepared.ts): a broadcast writes its records in groups of a few sizes. */
const sendRecordRows = preparedMany((db, $: readonly SendRecordRow[]) => db.insertInto('send_records').values($.map((r) => columnsOf(r, SEND_RECORD_COLUMNS))));

/**
 * Inserts send records in the caller's transaction: the one that commits the outcomes
 * they describe (delivery progress, the fan-out's page). The records are exactly as
 * idempotent as those outcomes: a recipient's outcome is committed once per batch under
 * its row lock, a retried recipient gets its record only from the attempt that ends it,
 * and a page is committed once under the notification's cursor.
 */
export async function insertSendRecords(tx: Transaction<Database>, target: RecordTarget, drafts: readonly RecordDraft[], at: number): Promise<void> {
  for (let i = 0; i < drafts.length; i += INSERT_CHUNK) {
    const rows = drafts.slice(i, i + INSERT_CHUNK).map((d) => ({
      app_id: target.appId,
      notification_id: target.notificationId,
      campaign_id: d.tags?.campaignId ?? null,
      variant: d.tags?.variant ?? null,
      user_seq: d.userSeq,
      subscription_seq: d.subscriptionSeq,
      category: target.category,
      reason: d.reason,
      detail: d.detail === null ? null : d.detail.slice(0, MAX_DETAIL),
      counts_for_caps: d.countsForCaps ? 1 : 0,
      test: d.tags?.test ? 1 : 0,
      timing: d.tags?.timing === undefined ? null : JSON.stringify(d.tags.timing),
      at,
    }));
    await sendRecordRows.affected(tx, rows);
  }
  await appendActivity(tx, await activitiesOf(tx, target, drafts, at));
}

/**
 * The activity each record logs (docs/analytics.md): a delivered send is `sent` and
 * `delivered`; a refused one `failed`; a gone subscription `pruned`; a cap
 * `capped`, a preference `suppressed`, a run-out TTL `failed`. Test sends log nothing: they
 * are not the campaign's audience.
 */
async function activitiesOf(tx: Transaction<Database>, target: RecordTarget, drafts: readonly RecordDraft[], at: number): Promise<Activity[]> {
  const typed = drafts.flatMap((d) => {
    const types = typesOf(d);
    return types.length && !d.tags?.test ? [{ d, types }] : [];
  });
  if (typed.length === 0) return [];
  const missing = typed.filter(({ d }) => !d.who && d.subscriptionSeq !== null).map(({ d }) => d.subscriptionSeq!);
  const found = new Map<number, Recipient>();
  if (missing.length) {
    const rows = await tx.selectFrom('subscriptions').select(['seq', 'id', 'channel', 'user_id']).where('app_id', '=', target.appId).where('seq', 'in', [...new Set(missing)]).execute();
    for (const r of rows) found.set(Number(r.seq), { subscriptionId: r.id, channel: r.channel, userId: r.user_id });
  }
  return typed.flatMap(({ d, types }) => {
    const who = d.who ?? (d.subscriptionSeq === null ? undefined : found.get(d.subscriptionSeq));
    const data = d.outcome && d.outcome.type !== 'delivered' ? { status: d.outcome.status ?? null, reason: d.outcome.reason ?? null } : d.reason === 'sent' ? null : { reason: d.reason, detail: d.detail };
    return types.map((type) => ({
      appId: target.appId,
      type,
      at,
      notificationId: target.notificationId,
      campaignId: d.tags?.campaignId ?? null,
      variant: d.tags?.variant ?? null,
      category: target.category,
      channel: who?.channel ?? null,
      subscriptionId: who?.subscriptionId ?? null,
      userId: who?.userId ?? null,
      data: type === 'sent' || type === 'delivered' ? null : data,
    }));
  });
}

function typesOf(d: RecordDraft): ActivityType[] {
  switch (d.reason) {
    case 'sent':
      if (d.outcome?.type === 'failed') return ['failed'];
      // The subscription's `opted_out` is logged where it is deleted (writeProgress).
      if (d.outcome?.type === 'pruned') return ['pruned'];
      return ['sent', 'delivered'];
    case 'too_large':
    case 'expired':
      return ['failed'];
    case 'capped':
      return ['capped'];
    case 'suppressed':
      return ['suppressed'];
    default:
      return [];
  }
}
