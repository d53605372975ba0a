import type { Insertable, Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { columnsOf, prepared } from '../store/prepared.ts';
import type { Database, DeliveryProgressTable } from '../store/schema.ts';
import { appendActivity } from '../store/activity-log.ts';
import { insertSendRecords, type RecordDraft } from './send-records.ts';

/**
 * ms an outcome may wait in memory before it is committed. What a `kill -9` repeats is
 * what was in flight plus at most this long of answers: at 1,000 answers a second, 25.
 * Each running batch commits at most this often, so the writes stay a small share of the
 * sends (a batch that ends sooner commits once, as before).
 */
const FLUSH_MS = 25;
/** Outcomes that are committed without waiting for FLUSH_MS (one encryption chunk's worth). */
const FLUSH_COUNT = 50;

export type Bucket = 'delivered' | 'failed' | 'pruned' | 'retrying';

export interface FailureRow {
  subscription_id: string;
  outcome: string;
  status_code: number | null;
  reason: string;
}

/** One recipient's outcome as the batch records it. */
export interface Settled {
  seq: number;
  bucket: Bucket;
  /** For failed and pruned: the row of GET .../failures. */
  failure?: FailureRow;
  /** For retrying: ms the answer asked to wait. */
  retryAfter?: number;
  /** The recipient's send record, for an outcome that ends it (none while it is retried). */
  record?: RecordDraft;
}

type Db = Kysely<Database> | Transaction<Database>;

export interface BatchRef {
  id: number;
  notificationId: string;
  appId: string;
  /** The notification's preference category, as its send records carry it. */
  category: string | null;
  /** When this run started sending: a subscription renewed after it is not pruned. */
  sendStarted: number;
}

const progressLists = prepared((db, $: { batchId: number }) => db.selectFrom('delivery_progress').select(['delivered', 'failed', 'pruned', 'retrying']).where('batch_id', '=', $.batchId));
const progressOf = prepared((db, $: { batchId: number }) => db.selectFrom('delivery_progress').selectAll().where('batch_id', '=', $.batchId));
const progressRow = prepared((db, $: Omit<Insertable<DeliveryProgressTable>, 'id'>) =>
  db.insertInto('delivery_progress').values(columnsOf($, ['batch_id', 'delivered', 'failed', 'pruned', 'retrying', 'retry_after', 'at'])),
);

const batchLock = prepared((db, $: { batchId: number }) => db.updateTable('delivery_batches').set((eb) => ({ done: eb.ref('done') })).where('id', '=', $.batchId));
const batchDone = prepared((db, $: { batchId: number }) => db.selectFrom('delivery_batches').select('done').where('id', '=', $.batchId));

/**
 * Takes the batch's row lock for the rest of the transaction (a no-op update, as
 * lockNotification does) and says whether the batch is done under it; undefined when there
 * is no such batch.
 */
export async function lockBatch(tx: Transaction<Database>, batchId: number): Promise<boolean | undefined> {
  await batchLock.affected(tx, { batchId });
  const row = await batchDone.first(tx, { batchId });
  return row === undefined ? undefined : Boolean(row.done);
}

/** Recipients of the batch whose outcome is committed already (by this run or one before a crash). */
export async function recordedSeqs(db: Db, batchId: number): Promise<Set<number>> {
  const rows = await progressLists.rows(db, { batchId });
  const seqs = new Set<number>();
  for (const r of rows) for (const list of [r.delivered, r.failed, r.pruned, r.retrying]) for (const s of JSON.parse(list) as number[]) seqs.add(s);
  return seqs;
}

/**
 * Commits outcomes in the caller's transaction, which holds the batch's row lock: the
 * progress row, the failures shown by the API, the recipients' send records, and the
 * pruning of gone subscriptions.
 * Recipients already recorded (by a run of the same batch that overlapped this one) are
 * left out, so counts and failures are never doubled.
 */
export async function writeProgress(tx: Transaction<Database>, batch: BatchRef, entries: Settled[], at: number): Promise<void> {
  if (entries.length === 0) return;
  const known = await recordedSeqs(tx, batch.id);
  const fresh = entries.filter((e) => !known.has(e.seq));
  if (fresh.length === 0) return;
  const of = (bucket: Bucket) => fresh.filter((e) => e.bucket === bucket).map((e) => e.seq);
  await progressRow.affected(tx, {
    batch_id: batch.id,
    delivered: JSON.stringify(of('delivered')),
    failed: JSON.stringify(of('failed')),
    pruned: JSON.stringify(of('pruned')),
    retrying: JSON.stringify(of('retrying')),
    retry_after: Math.max(0, ...fresh.map((e) => e.retryAfter ?? 0)),
    at,
  });
  const failures = fresh.flatMap((e) => (e.failure ? [{ ...e.failure, notification_id: batch.notificationId, at }] : []));
  if (failures.length) await tx.insertInto('delivery_failures').values(failures).execute();
  // With the outcomes they describe, in this transaction: a recipient left out above as
  // recorded already has its record already, so a retried or overlapping run never doubles one.
  const records = fresh.flatMap((e) => (e.record ? [e.record] : []));
  if (records.length) await insertSendRecords(tx, batch, records, at);
  const pruned = of('pruned');
  // Only as they were sent to: a subscription renewed meanwhile (new keys) is kept.
  if (pruned.length) {
    const deleted = await tx.deleteFrom('subscriptions').where('app_id', '=', batch.appId).where('seq', 'in', pruned).where('updated_at', '<=', batch.sendStarted).returning(['seq', 'id', 'channel', 'user_id']).execute();
    // Pruning is an opt-out the push service tells of (the user revoked the permission or
    // uninstalled), logged with the deletion it describes.
    const tags = new Map(fresh.map((e) => [e.seq, e.record?.tags]));
    await appendActivity(
      tx,
      deleted.map((d) => {
        const t = tags.get(Number(d.seq));
        return { appId: batch.appId, type: 'opted_out', at, notificationId: batch.notificationId, campaignId: t?.campaignId ?? null, variant: t?.variant ?? null, category: batch.category, channel: d.channel, subscriptionId: d.id, userId: d.user_id, data: { reason: 'pruned' } };
      }),
    );
  }
}

/** What the batch's committed progress adds up to, for its final counts and its retry batch. */
export async function progressTotals(tx: Transaction<Database>, batchId: number): Promise<{ delivered: number; failed: number; pruned: number; retrying: number[]; retryAfter: number }> {
  const rows = await progressOf.rows(tx, { batchId });
  const totals = { delivered: 0, failed: 0, pruned: 0, retrying: [] as number[], retryAfter: 0 };
  for (const r of rows) {
    totals.delivered += (JSON.parse(r.delivered) as number[]).length;
    totals.failed += (JSON.parse(r.failed) as number[]).length;
    totals.pruned += (JSON.parse(r.pruned) as number[]).length;
    totals.retrying.push(...(JSON.parse(r.retrying) as number[]));
    totals.retryAfter = Math.max(totals.retryAfter, Number(r.retry_after));
  }
  totals.retrying.sort((a, b) => a - b);
  return totals;
}

/**
 * Collects a running batch's outcomes and commits them in small groups while it sends
 * (every FLUSH_MS, or FLUSH_COUNT outcomes), one commit at a time, so a crash loses only
 * the answers of the last few milliseconds: the batch re-run sends again only those and
 * what was in flight. A commit that fails keeps its outcomes for the next one, or for the
 * batch's final transaction.
 */
export class BatchProgress {
  readonly #pending: Settled[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly batch: BatchRef,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  add(entry: Settled): void {
    this.#pending.push(entry);
    this.#schedule();
  }

  /** Stops committing; resolves, once the commit in flight ended, with what is left to commit. */
  async settle(): Promise<Settled[]> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#flushing) await this.#flushing;
    return this.#pending.splice(0);
  }

  #schedule(): void {
    if (this.#closed || this.#flushing || this.#pending.length === 0) return;
    if (this.#pending.length >= FLUSH_COUNT) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#flush();
    } else {
      if (this.#timer) return;
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#flush();
      }, FLUSH_MS);
      // A batch that failed before settle() must not keep the process from exiting.
      this.#timer.unref();
    }
  }

  #flush(): void {
    if (this.#closed || this.#flushing || this.#pending.length === 0) return;
    const entries = this.#pending.splice(0);
    this.#flushing = this.#commit(entries)
      .catch((err: unknown) => {
        // Kept, not lost: the next commit or the final transaction records them.
        this.#pending.unshift(...entries);
        this.logger.warn({ err, batch: this.batch.id }, 'could not commit delivery progress; kept for the next commit');
      })
      .finally(() => {
        this.#flushing = undefined;
        this.#schedule();
      });
  }

  async #commit(entries: Settled[]): Promise<void> {
    const at = this.now();
    await this.db.transaction().execute(async (tx) => {
      // The batch's row lock: commits of runs that overlap (a lease that ran out) take turns.
      // Finished meanwhile by an overlapping run, which sent and counted these recipients too.
      if ((await lockBatch(tx, this.batch.id)) !== false) return;
      await writeProgress(tx, this.batch, entries, at);
    });
  }
}
