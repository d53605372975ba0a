import type { Context } from '../../context.ts';
import type { JobKind } from '../../queue/job-kind.ts';
import type { Resolver } from '../../transport/index.ts';
import { FeedFetcher } from './feed-fetcher.ts';
import { feedPollJob } from './poll-job.ts';

export { createFeed, deleteFeed, getFeed, listFeeds, updateFeed, type FeedInput } from './feeds.ts';

export interface AlertFeeds {
  jobs: JobKind[];
  close(): Promise<void>;
}

/** The feed poll job with its own connections (the endpoint address rule on every one), for a worker process. */
export function createAlertFeeds(ctx: Context, opts: { resolve?: Resolver; ca?: string | Buffer } = {}): AlertFeeds {
  const fetcher = new FeedFetcher({ allowPrivate: ctx.config.allowPrivateEndpoints, timeoutMs: ctx.config.alertFeedTimeout, now: ctx.now, ...opts });
  return { jobs: [feedPollJob(ctx, { fetcher })], close: () => fetcher.close() };
}
