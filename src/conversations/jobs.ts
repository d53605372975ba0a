import type { Context } from '../context.ts';
import type { JobKind } from '../queue/job-kind.ts';
import { IndexCache } from './assistant/index.ts';
import { runAssist } from './assist-job.ts';
import type { Resolver } from '../transport/index.ts';
import { runIntent } from './intent-job.ts';
import type { IntentHttpOptions } from './intent-http.ts';
import { ASSIST_JOB, INTENT_JOB, PUSH_JOB, assistJobSpec, intentJobSpec, pushJobSpec } from './job-specs.ts';
import { runPush } from './push-job.ts';

/** Jobs of one kind brought back per reconcile pass at most; the next pass takes the rest. */
const RECONCILE_LIMIT = 1000;

export interface ConversationJobsOptions {
  /** Resolves intent URLs' hostnames (tests map names to chosen addresses); every answer is checked unless allowPrivateEndpoints. */
  lookup?: Resolver | undefined;
  /** CA certificates trusted for intent URLs instead of Node's roots (test receivers). */
  ca?: string | Buffer | undefined;
  /** The signal that ends an intent request after intentTimeout; AbortSignal.timeout unless a test holds the clock. */
  deadline?: ((timeoutMs: number) => AbortSignal) | undefined;
}

/**
 * The job kinds of conversations. Their unfinished work is in the messages: a user's
 * message of a built-in thread not yet handled, an intent whose action has not come to an
 * end, an answer whose push is not yet made.
 */
export function conversationJobs(ctx: Context, opts: ConversationJobsOptions = {}): JobKind[] {
  const cache = new IndexCache();
  const http: IntentHttpOptions = { allowPrivate: () => ctx.config.allowPrivateEndpoints, timeoutMs: () => ctx.config.intentTimeout, lookup: opts.lookup, ca: opts.ca, deadline: opts.deadline };
  return [
    {
      name: ASSIST_JOB,
      handler: (job) => runAssist(ctx, cache, job),
      async reconcile(before) {
        const rows = await ctx.store.db
          .selectFrom('conversation_messages')
          .innerJoin('conversations', 'conversations.id', 'conversation_messages.conversation_id')
          .select(['conversation_messages.conversation_id', 'conversation_messages.seq'])
          .where('conversations.assistant', '=', 'builtin')
          .where('conversation_messages.author', '=', 'user')
          .where('conversation_messages.handled_at', 'is', null)
          .where('conversation_messages.created_at', '<', before)
          .limit(RECONCILE_LIMIT)
          .execute();
        return rows.map((r) => assistJobSpec(r.conversation_id, r.seq));
      },
    },
    {
      name: PUSH_JOB,
      handler: (job) => runPush(ctx, job),
      async reconcile(before) {
        const rows = await ctx.store.db
          .selectFrom('conversation_messages')
          .select(['conversation_id', 'seq'])
          .where('author', '!=', 'user')
          .where('notification_id', 'is', null)
          .where('created_at', '<', before)
          .limit(RECONCILE_LIMIT)
          .execute();
        return rows.map((r) => pushJobSpec(r.conversation_id, r.seq));
      },
    },
    {
      name: INTENT_JOB,
      handler: (job) => runIntent(ctx, http, job),
      async reconcile(before) {
        const rows = await ctx.store.db
          .selectFrom('conversation_messages')
          .select(['conversation_id', 'seq'])
          .where('intent', 'is not', null)
          .where('intent_done_at', 'is', null)
          .where('created_at', '<', before)
          .limit(RECONCILE_LIMIT)
          .execute();
        return rows.map((r) => intentJobSpec(r.conversation_id, r.seq));
      },
    },
  ];
}
