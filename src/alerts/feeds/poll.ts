/**
 * One poll of one feed: the document fetched (conditionally), its CAP messages read, each
 * through receiveCapAlert (which stores an alert once by its identity, whichever feed or
 * request brings it), and the feed's row updated with what came of it and when the next
 * poll is due, in one transaction with that poll's job.
 *
 * - A linked CAP document is fetched once per entry version (Atom id + updated, RSS guid +
 *   pubDate): the keys read are kept in `seen_entries`. One that failed to download is
 *   tried again at the next poll; one that is not valid CAP is not (until its entry changes).
 * - At most MAX_LINKS_PER_POLL linked documents are fetched per poll; the rest wait for the
 *   next, which then does not send the validators back (a 304 would hide them).
 * - A failed poll (the document could not be had, or is not a feed) backs off: the
 *   interval doubled per failure in a row, up to alertFeedMaxBackoff (or the interval, if
 *   longer), and no sooner than a Retry-After the server sent.
 */
import type { Context } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { CapError } from '../../protocol/cap/index.ts';
import type { AlertFeedsTable, FeedStatus } from '../../store/schema-alert-feeds.ts';
import { receiveCapAlert } from '../alerts.ts';
import { NotAFeedError, readFeedDocument } from './feed-document.ts';
import { FeedFetchError, type FeedFetcher } from './feed-fetcher.ts';
import { feedPollJobSpec } from './poll-job-spec.ts';

/** Linked CAP documents fetched in one poll: a first poll of a large feed spreads over a few. */
export const MAX_LINKS_PER_POLL = 50;
/**
 * ms of network time a poll may spend on linked documents (real time, not the store's
 * clock): past it the rest wait for the next poll, so a feed of slow links holds a worker
 * slot for two minutes at most, not fifty timeouts.
 */
export const POLL_BUDGET_MS = 120_000;

export interface PollDeps {
  fetcher: FeedFetcher;
}

export interface PollOutcome {
  status: FeedStatus;
  error: { code: string; detail: string } | null;
  /** CAP messages the document held. */
  entries: number;
  /** Alerts stored for the first time by this poll. */
  created: number;
  nextPollAt: number;
}

/** ms until the next poll after `failures` failed polls in a row (0: the interval). */
export function nextDelay(intervalS: number, failures: number, maxBackoffMs: number, retryAfterMs?: number): number {
  const interval = intervalS * 1000;
  if (failures === 0) return interval;
  const cap = Math.max(interval, maxBackoffMs);
  return Math.max(Math.min(cap, interval * 2 ** Math.min(failures, 30)), Math.min(retryAfterMs ?? 0, 86_400_000));
}

function describe(err: unknown): { code: string; detail: string } {
  if (err instanceof FeedFetchError) return { code: err.code, detail: err.message };
  if (err instanceof NotAFeedError) return { code: 'not_a_feed', detail: err.message };
  if (err instanceof CapError) return { code: err.reason === 'too_large' ? 'too_large' : err.name === 'CapMalformedError' ? 'malformed' : 'refused', detail: err.message };
  if (err instanceof ApiError) return { code: err.code, detail: err.message };
  throw err;
}

/**
 * Polls the feed if its poll number `seq` is still the one wanted (a PATCH or an earlier
 * poll may have moved it); returns undefined when there was nothing to do.
 */
export async function pollFeed(ctx: Context, deps: PollDeps, feedId: string, seq?: number): Promise<PollOutcome | undefined> {
  const feed = await ctx.store.db.selectFrom('alert_feeds').selectAll().where('id', '=', feedId).executeTakeFirst();
  if (!feed || (seq !== undefined && Number(feed.poll_seq) !== seq)) return undefined;
  const log = ctx.logger.child({ module: 'alerts', feedId, appId: feed.app_id });
  let status: FeedStatus = 'ok';
  let error: { code: string; detail: string } | null = null;
  let entries = Number(feed.last_entries);
  let created = 0;
  let retryAfterMs: number | undefined;
  let validators = { etag: feed.etag, lastModified: feed.last_modified };
  let seen: string[] = JSON.parse(feed.seen_entries) as string[];

  const ingest = async (xml: string) => {
    const res = await receiveCapAlert(ctx, feed.app_id, xml, 'xml', { includeUnlocated: feed.reach === 'area_and_unlocated' });
    if (res.created) created++;
  };
  try {
    const answer = await deps.fetcher.get(feed.url, validators);
    if (answer.status === 'not_modified') status = 'not_modified';
    else {
      const doc = readFeedDocument(answer.body, answer.url);
      let complete = true;
      const note = (err: unknown, where: string) => {
        const d = describe(err);
        error ??= { code: d.code, detail: `${where}: ${d.detail}`.slice(0, 500) };
      };
      for (const [i, xml] of doc.embedded.entries()) {
        try {
          await ingest(xml);
        } catch (err) {
          note(err, `entry ${i}`);
        }
      }
      const previous = new Set(seen);
      const next: string[] = [];
      let fetched = 0;
      const started = performance.now();
      for (const entry of doc.linked) {
        if (previous.has(entry.key)) {
          next.push(entry.key);
          continue;
        }
        if (fetched >= MAX_LINKS_PER_POLL || performance.now() - started > POLL_BUDGET_MS) {
          complete = false;
          continue;
        }
        fetched++;
        try {
          const linked = await deps.fetcher.get(entry.url);
          if (linked.status === 'ok') await ingest(linked.body);
          next.push(entry.key);
        } catch (err) {
          note(err, entry.url);
          // A document that could not be had is tried again; one that was had but is not CAP is not.
          if (err instanceof FeedFetchError) complete = false;
          else next.push(entry.key);
        }
      }
      seen = next;
      entries = doc.embedded.length + doc.linked.length;
      validators = complete ? { etag: answer.etag, lastModified: answer.lastModified } : { etag: null, lastModified: null };
    }
  } catch (err) {
    status = 'failed';
    error = describe(err);
    if (err instanceof FeedFetchError) retryAfterMs = err.retryAfterMs;
  }

  const now = ctx.now();
  const failures = status === 'failed' ? Number(feed.failures) + 1 : 0;
  const nextPollAt = now + nextDelay(Number(feed.interval_s), failures, ctx.config.alertFeedMaxBackoff, retryAfterMs);
  const set: Partial<AlertFeedsTable> = {
    status,
    failures,
    error_code: error?.code ?? null,
    error_detail: error?.detail ?? null,
    last_poll_at: now,
    next_poll_at: nextPollAt,
    poll_seq: Number(feed.poll_seq) + 1,
    alerts_received: Number(feed.alerts_received) + created,
    ...(status === 'failed' ? {} : { last_success_at: now, etag: validators.etag, last_modified: validators.lastModified, seen_entries: JSON.stringify(seen), last_entries: entries }),
  };
  await ctx.store.db.transaction().execute(async (tx) => {
    // Only if nobody moved the poll meanwhile (a PATCH queued its own).
    const res = await tx.updateTable('alert_feeds').set(set).where('id', '=', feedId).where('poll_seq', '=', Number(feed.poll_seq)).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 1) await ctx.queue.add([feedPollJobSpec(feedId, Number(feed.poll_seq) + 1, nextPollAt)], tx);
  });
  if (status === 'failed') log.warn({ code: error?.code, failures, nextPollAt: new Date(nextPollAt).toISOString() }, 'alert feed poll failed');
  else if (created > 0) log.info({ created, entries }, 'alert feed brought new alerts');
  return { status, error, entries, created, nextPollAt };
}
