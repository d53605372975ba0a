import type { Context } from '../context.ts';
import type { Target } from '../message/target.ts';
import type { Transaction } from 'kysely';
import { anyTurnedOff, audiencePage } from '../store/audience-page.ts';
import type { Database } from '../store/schema.ts';
import type { Job, JobSpec } from '../queue/queue.ts';
import type { AudiencePager } from './audience-pager.ts';
import { scheduleBatch } from './batches.ts';
import { finishIfComplete, lockNotification } from './completion.ts';
import { insertSendRecords } from './send-records.ts';
import { addReasons } from './suppressed-reasons.ts';

export const FANOUT_JOB = 'fanout';

/**
 * The job that cuts a notification's audience from `cursor` on; its key names that piece
 * of work, so adding it twice queues it once.
 */
export function fanoutJobSpec(notificationId: string, cursor: number, opts: { runAt?: number; priority?: number } = {}): JobSpec {
  return { name: FANOUT_JOB, data: { notificationId }, key: `fanout:${notificationId}:${cursor}`, ...opts };
}

/**
 * Whether a notification is cut when it is accepted (cutAtOnce) rather than by a fan-out
 * job: an urgent send due now to a few subscriptions named by id (a sign-in approval, a
 * one-time code), one page at most, and no preference category (nothing to leave out).
 */
export function cutsAtOnce(ctx: Context, n: { target: Target; urgent: boolean; due: boolean; category: string | null }): boolean {
  return n.urgent && n.due && n.category === null && 'subscriptionIds' in n.target && n.target.subscriptionIds.length < ctx.config.batchSize;
}

/**
 * The fan-out of such a send, in the transaction that stores the notification: its one
 * page, the batch and its deliver job and the finished cut are committed with it, so its
 * 202 holds as with a fan-out job (delivered or accounted for, even after a crash), and
 * its push waits for one job, not two. The notification row is this transaction's own:
 * no other worker can be cutting it.
 */
export async function cutAtOnce(ctx: Context, tx: Transaction<Database>, n: { notificationId: string; appId: string; target: { subscriptionIds: string[] }; priority: number }): Promise<void> {
  const seqs = await audiencePage(tx, n.appId, n.target, 0, ctx.config.batchSize);
  if (seqs.length > 0) await scheduleBatch(ctx, tx, { notificationId: n.notificationId, seqs, attempt: 1 }, { priority: n.priority });
  await tx.updateTable('notifications').set({ fanout_cursor: seqs.at(-1) ?? 0, fanout_done: 1, targeted: seqs.length, status: 'sending' }).where('id', '=', n.notificationId).execute();
  // None of the ids is a subscription (any more): nothing to send, complete now.
  if (seqs.length === 0) await finishIfComplete(tx, n.notificationId, ctx.now());
}

/** Audience pages cut per fan-out job: the job stays short, and its progress is committed as it goes. */
const PAGES_PER_JOB = 20;

export interface FanoutDeps {
  /** The audience, page by page (implemented by src/audience/, wired in runtime.ts). */
  pager: AudiencePager;
}

/**
 * Cuts the audience into batches, streaming it page by page in seq order. Each page is
 * committed with its batch row, its deliver job and the advanced cursor in one
 * transaction, so a crash resumes exactly after the last committed page.
 */
export async function runFanout(ctx: Context, deps: FanoutDeps, job: Job): Promise<void> {
  const { notificationId } = job.data as { notificationId: string };
  const db = ctx.store.db;
  const n = await db.selectFrom('notifications').select(['app_id', 'target', 'audience', 'send_at', 'category', 'fanout_cursor', 'fanout_done', 'status']).where('id', '=', notificationId).executeTakeFirst();
  if (!n || n.fanout_done || n.status === 'cancelled') return;
  const target = JSON.parse(n.target) as Target;
  const priority = job.priority;
  let cursor = n.fanout_cursor;
  // Preferences (docs/preferences.md): subscriptions whose user turned the category off
  // are left out of the pages and counted. Asked once per job: when no user has turned it
  // off, the pages carry no preference test at all.
  const suppressCategory = n.category !== null && (await anyTurnedOff(db, n.app_id, n.category)) ? n.category : null;
  // A filter is evaluated as of the send time, on every page alike: one notification, one `now`.
  const audience = { appId: n.app_id, target, audience: n.audience, now: n.send_at, suppressCategory };

  for (let page = 0; page < PAGES_PER_JOB; page++) {
    const seqs = await deps.pager.page({ ...audience, afterSeq: cursor, limit: ctx.config.batchSize });
    const last = seqs.at(-1);
    const finished = seqs.length < ctx.config.batchSize;
    // The left-out ones of this page's own seq range (to the end on the last page): one
    // count over the range the page query just walked, so the ranges of all pages are
    // disjoint and each left-out subscription is counted once, with its page.
    const left = suppressCategory === null ? [] : await deps.pager.suppressed({ ...audience, suppressCategory, afterSeq: cursor, ...(finished ? {} : { throughSeq: last! }) });
    const suppressed = left.length;
    await db.transaction().execute(async (tx) => {
      // Re-check inside the transaction: another worker may have cut this page already.
      await lockNotification(tx, notificationId);
      const current = await tx.selectFrom('notifications').select(['fanout_cursor', 'fanout_done', 'suppressed_reasons', 'status']).where('id', '=', notificationId).executeTakeFirstOrThrow();
      // Cancelled meanwhile (a campaign paused or cancelled between the page query and here): nothing of it is cut.
      if (current.fanout_done || current.fanout_cursor !== cursor || current.status === 'cancelled') return;
      if (last !== undefined) await scheduleBatch(ctx, tx, { notificationId, seqs, attempt: 1 }, { priority });
      // Each left-out subscription's send record, with the count, in the page's own
      // transaction: a page is committed once (the cursor check above), so are its records.
      if (suppressed > 0) {
        const detail = `turned ${suppressCategory} off`;
        await insertSendRecords(tx, { appId: n.app_id, notificationId, category: n.category }, left.map((s) => ({ userSeq: s.userSeq, subscriptionSeq: s.seq, reason: 'suppressed', detail, countsForCaps: false })), ctx.now());
      }
      await tx
        .updateTable('notifications')
        .set((eb) => ({
          fanout_cursor: last ?? cursor,
          fanout_done: finished ? 1 : 0,
          targeted: eb('targeted', '+', seqs.length),
          status: 'sending',
          ...(suppressed > 0 ? { suppressed: eb('suppressed', '+', suppressed), suppressed_reasons: addReasons(current.suppressed_reasons, { preference_off: suppressed }) } : {}),
        }))
        .where('id', '=', notificationId)
        .execute();
      if (finished) await finishIfComplete(tx, notificationId, ctx.now());
    });
    if (finished) return;
    cursor = last!;
  }
  // More audience left: continue in a fresh job, so progress is never held by one long job.
  await ctx.queue.add([fanoutJobSpec(notificationId, cursor, { priority })]);
}
