import type { Context } from '../context.ts';
import type { JobKind } from '../queue/job-kind.ts';
import { IndexCache } from './assistant/index.ts';
import { runAssist } from './assist-job.ts';
import { ASSIST_JOB, PUSH_JOB, assistJobSpec, pushJobSpec } from './job-specs.ts';
import { runPush } from './push-job.ts';

/** Jobs of one kind brought back per reconcile pass at most; the next pass takes the rest. */
const RECONCILE_LIMIT = 1000;

/**
 * The job kinds of conversations. Their unfinished work is in the messages: a user's
 * message of a built-in thread not yet handled, an answer whose push is not yet made.
 */
export function conversationJobs(ctx: Context): JobKind[] {
  const cache = new IndexCache();
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
  ];
}
