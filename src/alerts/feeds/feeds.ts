/**
 * An app's CAP feeds: registered with a URL and an interval, polled by the feed poll job
 * (./poll-job.ts), each showing its last poll, status and error
 * (docs/civic-alerts.md#connecting-a-cap-feed).
 */
import type { Context } from '../../context.ts';
import { newId } from '../../crypto/tokens.ts';
import { ApiError } from '../../errors/api-error.ts';
import { checkEndpointUrl, EndpointRejectedError } from '../../transport/index.ts';
import type { AlertFeedsTable, FeedReach } from '../../store/schema-alert-feeds.ts';
import { feedPollJobSpec } from './poll-job-spec.ts';

/** Feeds one app may have: an authority publishes a handful; hundreds would be a mistake or abuse. */
export const MAX_FEEDS_PER_APP = 100;

export interface FeedInput {
  url: string;
  /** s between polls. */
  interval: number;
  /** Whom its alerts reach; `area` unless set. */
  reach?: FeedReach;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function feedView(row: AlertFeedsTable) {
  return {
    id: row.id,
    url: row.url,
    interval: Number(row.interval_s),
    reach: row.reach,
    status: row.status,
    error: row.error_code === null ? null : { code: row.error_code, detail: row.error_detail ?? '' },
    failures: Number(row.failures),
    lastPollAt: iso(row.last_poll_at),
    lastSuccessAt: iso(row.last_success_at),
    nextPollAt: iso(row.next_poll_at)!,
    lastEntries: Number(row.last_entries),
    alertsReceived: Number(row.alerts_received),
    etag: row.etag,
    lastModified: row.last_modified,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}
export type FeedView = ReturnType<typeof feedView>;

function checkFeedUrl(ctx: Context, raw: string): string {
  try {
    return checkEndpointUrl(raw, { allowPrivate: ctx.config.allowPrivateEndpoints }).href;
  } catch (err) {
    if (err instanceof EndpointRejectedError) {
      throw new ApiError('alert_feed_url_rejected', `url: ${err.message.replace(/^endpoint/, 'the url')}`, { reason: err.reason, pointer: '#/url' });
    }
    throw err;
  }
}

async function findFeed(ctx: Context, appId: string, id: string): Promise<AlertFeedsTable> {
  const row = await ctx.store.db.selectFrom('alert_feeds').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new ApiError('alert_feed_not_found', `No alert feed ${id} in this app`);
  return row;
}

/** Registers a feed; its first poll is due at once. */
export async function createFeed(ctx: Context, appId: string, input: FeedInput): Promise<FeedView> {
  const url = checkFeedUrl(ctx, input.url);
  const now = ctx.now();
  const row: AlertFeedsTable = {
    id: newId('afd'),
    app_id: appId,
    url,
    interval_s: input.interval,
    reach: input.reach ?? 'area',
    etag: null,
    last_modified: null,
    seen_entries: '[]',
    status: 'pending',
    failures: 0,
    error_code: null,
    error_detail: null,
    last_poll_at: null,
    last_success_at: null,
    next_poll_at: now,
    poll_seq: 1,
    last_entries: 0,
    alerts_received: 0,
    created_at: now,
    updated_at: now,
  };
  await ctx.store.db.transaction().execute(async (tx) => {
    const { n } = (await tx.selectFrom('alert_feeds').select((eb) => eb.fn.countAll<number>().as('n')).where('app_id', '=', appId).executeTakeFirstOrThrow()) as { n: number | string };
    if (Number(n) >= MAX_FEEDS_PER_APP) throw new ApiError('too_many_alert_feeds', `An app has at most ${MAX_FEEDS_PER_APP} alert feeds; delete one first`, { limit: MAX_FEEDS_PER_APP });
    await tx.insertInto('alert_feeds').values(row).execute();
    await ctx.queue.add([feedPollJobSpec(row.id, 1, now)], tx);
  });
  ctx.logger.info({ module: 'alerts', feedId: row.id, appId }, 'alert feed registered');
  return feedView(row);
}

export async function getFeed(ctx: Context, appId: string, id: string): Promise<FeedView> {
  return feedView(await findFeed(ctx, appId, id));
}

/** Every feed of the app, oldest first (at most MAX_FEEDS_PER_APP). */
export async function listFeeds(ctx: Context, appId: string): Promise<{ data: FeedView[] }> {
  const rows = await ctx.store.db.selectFrom('alert_feeds').selectAll().where('app_id', '=', appId).orderBy('created_at').orderBy('id').execute();
  return { data: rows.map(feedView) };
}

/**
 * Changes a feed's URL or interval. Either polls it again now, with its failures
 * forgotten (the operator fixed something); a new URL also forgets the old one's
 * validators and entries.
 */
export async function updateFeed(ctx: Context, appId: string, id: string, patch: Partial<FeedInput>): Promise<FeedView> {
  const url = patch.url === undefined ? undefined : checkFeedUrl(ctx, patch.url);
  const now = ctx.now();
  return ctx.store.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('alert_feeds').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
    if (!row) throw new ApiError('alert_feed_not_found', `No alert feed ${id} in this app`);
    const moved = url !== undefined && url !== row.url;
    const set = {
      ...(url !== undefined ? { url } : {}),
      ...(patch.interval !== undefined ? { interval_s: patch.interval } : {}),
      ...(patch.reach !== undefined ? { reach: patch.reach } : {}),
      ...(moved ? { etag: null, last_modified: null, seen_entries: '[]' } : {}),
      failures: 0,
      next_poll_at: now,
      poll_seq: Number(row.poll_seq) + 1,
      updated_at: now,
    };
    await tx.updateTable('alert_feeds').set(set).where('id', '=', id).execute();
    // The job queued for the poll this replaces finds its number gone and does nothing.
    await ctx.queue.add([feedPollJobSpec(id, set.poll_seq, now)], tx);
    return feedView({ ...row, ...set });
  });
}

export async function deleteFeed(ctx: Context, appId: string, id: string): Promise<void> {
  const res = await ctx.store.db.deleteFrom('alert_feeds').where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new ApiError('alert_feed_not_found', `No alert feed ${id} in this app`);
}
