import type { Transaction } from 'kysely';
import type { Database, SendReason } from '../store/schema.ts';
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
}

/** Where a batch's records go: its notification, its app, its category. */
export interface RecordTarget {
  appId: string;
  notificationId: string;
  category: string | null;
}

/** Whether a send that went out counts against frequency caps: a marketing send, not a test. */
export function countsForCaps(category: string | null, tags: RecordTags | undefined): boolean {
  return !(tags?.test ?? false) && !(category !== null && UNCAPPED_CATEGORIES.has(category));
}

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
    await tx.insertInto('send_records').values(rows).execute();
  }
}
