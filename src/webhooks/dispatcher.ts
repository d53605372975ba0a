import type { Logger } from 'pino';
import type { Context } from '../context.ts';
import { lastActivitySeq, readActivity } from '../store/activity-log.ts';
import { activityEvent, batchBody, type WebhookEvent } from './message-body.ts';
import { activityTypesFor } from './event-types.ts';
import { enqueueMessages, type NewMessage } from './enqueue.ts';
import { pruneMessages } from './prune.ts';
import { ActivityHorizon } from './horizon.ts';

/** ms between prunes of the delivery log: its retention is counted in days. */
const PRUNE_EVERY = 3_600_000;

interface EndpointCursor {
  id: string;
  app_id: string;
  events: string | null;
  batch_size: number;
  cursor_seq: number;
}

/**
 * Reads the activity log past each enabled endpoint's cursor and turns what it finds into
 * messages. For one endpoint, one transaction: take the endpoint's row (a compare-and-set
 * on the cursor, which also holds it against another process's dispatcher on
 * PostgreSQL), read, write the messages and queue their jobs, move the cursor. A crash
 * leaves either all of it or none, so an event is carried at least once.
 */
export class WebhookDispatcher {
  readonly #ctx: Context;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  /** Set by stop(): a pass under way ends after the endpoint it is on. */
  #closing = false;
  #prunedAt = Number.NEGATIVE_INFINITY;
  readonly #horizon: ActivityHorizon;

  constructor(ctx: Context) {
    this.#ctx = ctx;
    this.#logger = ctx.logger.child({ module: 'webhooks' });
    this.#horizon = new ActivityHorizon(ctx.store.db, { seqsCommitInOrder: ctx.store.caps.dialect === 'sqlite', now: ctx.now });
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#closing = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#closing = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.dispatch()
        .then((more) => this.#schedule(more ? 0 : this.#ctx.config.webhookDispatchInterval))
        .catch((err: unknown) => {
          this.#logger.error({ err }, 'webhook dispatch failed');
          this.#schedule(this.#ctx.config.webhookDispatchInterval);
        });
    }, delay);
    this.#timer.unref();
  }

  /** One pass over every enabled endpoint; true when one of them had a full page (more may be waiting). */
  async dispatch(): Promise<boolean> {
    await this.#prune();
    const { db } = this.#ctx.store;
    // Only endpoints behind the end of the log: an idle installation costs one read a pass.
    const last = await lastActivitySeq(db);
    const endpoints = await db.selectFrom('webhook_endpoints').select(['id', 'app_id', 'events', 'batch_size', 'cursor_seq']).where('enabled', '=', 1).where('cursor_seq', '<', last).orderBy('id').execute();
    if (endpoints.length === 0) return false;
    const horizon = await this.#horizon.advance(Math.min(...endpoints.map((e) => Number(e.cursor_seq))), last);
    let more = false;
    for (const e of endpoints) {
      if (this.#closing) break;
      if (Number(e.cursor_seq) >= horizon) continue;
      const read = await this.#dispatchEndpoint({ ...e, cursor_seq: Number(e.cursor_seq) }, horizon);
      if (read >= this.#ctx.config.webhookDispatchBatch) more = true;
    }
    return more;
  }

  /** The delivery log keeps webhookLogRetentionDays; checked at most once an hour. */
  async #prune(): Promise<void> {
    const now = this.#ctx.now();
    if (now - this.#prunedAt < PRUNE_EVERY) return;
    this.#prunedAt = now;
    const n = await pruneMessages(this.#ctx.store.db, now - this.#ctx.config.webhookLogRetentionDays * 86_400_000);
    if (n > 0) this.#logger.info({ messages: n }, 'pruned the webhook delivery log');
  }

  /** Reads one endpoint's events up to `horizon` (./horizon.ts) and makes its messages; returns the rows read. */
  async #dispatchEndpoint(e: EndpointCursor, horizon: number): Promise<number> {
    const types = activityTypesFor(e.events === null ? null : (JSON.parse(e.events) as string[]));
    const { db } = this.#ctx.store;
    // An endpoint that takes no activity type (only webhook.endpoint_disabled) has nothing to read, and holds no row back.
    if (types !== undefined && types.length === 0) {
      await db.updateTable('webhook_endpoints').set({ cursor_seq: horizon }).where('id', '=', e.id).where('cursor_seq', '=', e.cursor_seq).execute();
      return 0;
    }
    return db.transaction().execute(async (tx) => {
      // Take the row first: on PostgreSQL a second dispatcher waits here, then finds the cursor moved and reads nothing.
      const held = await tx.updateTable('webhook_endpoints').set({ cursor_seq: e.cursor_seq }).where('id', '=', e.id).where('cursor_seq', '=', e.cursor_seq).where('enabled', '=', 1).executeTakeFirst();
      if (Number(held.numUpdatedRows) === 0) return 0;
      const read = await readActivity(tx, { afterSeq: e.cursor_seq, limit: this.#ctx.config.webhookDispatchBatch, appId: e.app_id, ...(types !== undefined ? { types } : {}) });
      const rows = read.filter((r) => r.seq <= horizon);
      // A short read saw every row of this endpoint's up to the horizon: the cursor moves there even past rows of
      // other types, so an endpoint for rare events neither rescans the others nor holds them from retention.
      const through = read.length < this.#ctx.config.webhookDispatchBatch ? horizon : rows.at(-1)?.seq;
      if (rows.length === 0) {
        if (through !== undefined && through > e.cursor_seq) await tx.updateTable('webhook_endpoints').set({ cursor_seq: through }).where('id', '=', e.id).execute();
        return 0;
      }
      const now = this.#ctx.now();
      const messages: NewMessage[] = [];
      const size = Math.max(1, e.batch_size);
      for (let i = 0; i < rows.length; i += size) {
        const chunk = rows.slice(i, i + size);
        const events: WebhookEvent[] = chunk.map(activityEvent);
        const first = chunk[0]!;
        const last = chunk.at(-1)!;
        messages.push({
          endpoint_id: e.id,
          app_id: e.app_id,
          type: size === 1 ? events[0]!.type : 'batch',
          body: size === 1 ? JSON.stringify(events[0]) : batchBody(events, now),
          events: chunk.length,
          first_seq: first.seq,
          last_seq: last.seq,
          event_at: first.at,
        });
      }
      await enqueueMessages(tx, this.#ctx.queue, messages, now);
      await tx.updateTable('webhook_endpoints').set({ cursor_seq: through ?? rows.at(-1)!.seq }).where('id', '=', e.id).execute();
      // A full page all within the horizon: more may be waiting.
      return rows.length;
    });
  }
}
