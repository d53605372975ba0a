import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import type { WebhookMessagesTable } from '../store/schema-webhooks.ts';
import { attemptsOf, type AttemptView } from './attempt-log.ts';
import { attemptJob } from './enqueue.ts';
import { findEndpoint } from './endpoints.ts';
import type { ReplayInput } from './webhook-input.ts';
import { decodeWebhookCursor, encodeWebhookCursor } from './webhook-cursor.ts';

/** Most messages one range replay takes. */
export const MAX_REPLAY = 10_000;

/** One line of an endpoint's delivery log. */
export interface MessageView {
  id: string;
  type: string;
  /** Events carried: 1, or more for a batch. */
  events: number;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  /** The last attempt's HTTP status; null when none came (timeout, refused) or none was made. */
  lastStatus: number | null;
  lastDurationMs: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  eventAt: string;
  createdAt: string;
  /** Every attempt made, oldest first, across replays: the `last...` fields are the last of them. */
  attemptLog: AttemptView[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());

function messageView(r: WebhookMessagesTable, attemptLog: AttemptView[]): MessageView {
  return {
    id: r.id,
    type: r.type,
    events: r.events,
    status: r.status,
    attempts: r.attempts,
    lastStatus: r.last_status,
    lastDurationMs: r.last_duration_ms,
    lastError: r.last_error,
    lastAttemptAt: iso(r.last_attempt_at),
    nextAttemptAt: iso(r.next_attempt_at),
    deliveredAt: iso(r.delivered_at),
    eventAt: iso(r.event_at)!,
    createdAt: iso(r.created_at)!,
    attemptLog,
  };
}

/** The endpoint's delivery log, newest first, by cursor; `status` keeps one kind. */
export async function listMessages(ctx: Context, appId: string, endpointId: string, opts: { limit: number; cursor?: string; status?: MessageView['status'] }): Promise<{ data: MessageView[]; next: string | null }> {
  await findEndpoint(ctx.store.db, appId, endpointId);
  let q = ctx.store.db.selectFrom('webhook_messages').selectAll().where('endpoint_id', '=', endpointId);
  if (opts.status !== undefined) q = q.where('status', '=', opts.status);
  if (opts.cursor !== undefined) {
    const before = decodeWebhookCursor(opts.cursor, 'msg');
    q = q.where((eb) => eb.or([eb('created_at', '<', before.at), eb.and([eb('created_at', '=', before.at), eb('id', '<', before.id)])]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit + 1).execute();
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  const attempts = await attemptsOf(ctx.store.db, page.map((r) => r.id));
  return { data: page.map((r) => messageView(r, attempts.get(r.id) ?? [])), next: rows.length > opts.limit && last ? encodeWebhookCursor('msg', Number(last.created_at), last.id) : null };
}

function rangeOf(input: ReplayInput): { messageId: string } | { from: number; to: number } {
  const hasRange = input.from !== undefined || input.to !== undefined;
  if (input.messageId !== undefined && !hasRange) return { messageId: input.messageId };
  if (input.messageId !== undefined) throw new ApiError('invalid_replay_range', 'Give either messageId or from and to, not both', { pointer: '#/messageId' });
  if (input.from === undefined) throw new ApiError('invalid_replay_range', 'A replay needs messageId, or from and to', { pointer: '#/from' });
  if (input.to === undefined) throw new ApiError('invalid_replay_range', 'A range replay needs to as well as from', { pointer: '#/to' });
  const from = Date.parse(input.from);
  const to = Date.parse(input.to);
  if (!(from < to)) throw new ApiError('invalid_replay_range', 'from must be before to', { pointer: '#/to' });
  return { from, to };
}

/**
 * Sends messages again now, with a fresh retry schedule: one (`messageId`), or every
 * message whose (first) event happened in [from, to). The same `webhook-id` and body go
 * out, signed anew, so a receiver that dedupes on the id sees a replay as the message it
 * is. Whatever attempt was queued for them goes stale and does nothing.
 */
export async function replayMessages(ctx: Context, appId: string, endpointId: string, input: ReplayInput): Promise<{ replayed: number }> {
  const range = rangeOf(input);
  await findEndpoint(ctx.store.db, appId, endpointId);
  const now = ctx.now();
  return ctx.store.db.transaction().execute(async (tx) => {
    let q = tx.selectFrom('webhook_messages').select(['id']).where('endpoint_id', '=', endpointId);
    q = 'messageId' in range ? q.where('id', '=', range.messageId) : q.where('event_at', '>=', range.from).where('event_at', '<', range.to).orderBy('event_at').limit(MAX_REPLAY + 1);
    const rows = await q.execute();
    if ('messageId' in range && rows.length === 0) throw new ApiError('webhook_message_not_found', `No message ${range.messageId} for this endpoint`);
    if (rows.length > MAX_REPLAY) throw new ApiError('invalid_replay_range', `The range holds more than ${MAX_REPLAY} messages: replay a shorter one`, { pointer: '#/from', limit: MAX_REPLAY });
    if (rows.length === 0) return { replayed: 0 };
    const ids = rows.map((r) => r.id);
    const replayed: { id: string; attempts: number; replays: number }[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      // The job is made from the row as updated: an attempt that finished meanwhile has moved `attempts` on.
      replayed.push(
        ...(await tx
          .updateTable('webhook_messages')
          .set((eb) => ({ status: 'pending', next_attempt_at: now, round: eb.ref('attempts'), replays: eb('replays', '+', 1) }))
          .where('id', 'in', ids.slice(i, i + 500))
          .returning(['id', 'attempts', 'replays'])
          .execute()),
      );
    }
    await ctx.queue.add(replayed.map((r) => attemptJob({ messageId: r.id, attempt: r.attempts, replay: r.replays }, now)), tx);
    return { replayed: rows.length };
  });
}
