import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { lockConversation } from './answers.ts';
import { findConversation, getConversation, refuseHeld, type ConversationView } from './conversations.ts';

/**
 * A person takes the thread over from the assistant (docs/conversations.md#the-inbox): it
 * waits for a person, held by `operatorId`, so neither the built-in assistant (which answers
 * only `open` threads) nor the app's server (its answers are refused with
 * `conversation_held`) answers it any more. Taking a thread one already holds changes
 * nothing; a thread someone else holds is `conversation_held` until it is handed back; a
 * closed one is `conversation_closed`. Under the thread's row lock, so of two people taking
 * it at once one holds it and the other is told who.
 */
export async function takeOverConversation(ctx: Context, appId: string, id: string, operatorId: string): Promise<ConversationView> {
  await findConversation(ctx, appId, id);
  const now = ctx.now();
  await ctx.store.db.transaction().execute(async (tx) => {
    await lockConversation(tx, id);
    const c = await tx.selectFrom('conversations').select(['state', 'assignee']).where('id', '=', id).executeTakeFirstOrThrow();
    if (c.state === 'closed') throw new ApiError('conversation_closed', 'This conversation is closed');
    if (c.assignee === operatorId) return;
    if (c.assignee !== null) await refuseHeld(tx, c.assignee);
    await tx.updateTable('conversations').set({ state: 'waiting_for_person', assignee: operatorId, taken_at: now, updated_at: now }).where('id', '=', id).execute();
  });
  return getConversation(ctx, appId, id);
}

/**
 * Hands the thread back to the assistant: no one holds it and it is `open` again, so the
 * next reply is the assistant's to answer. A thread a person holds is handed back by a
 * person (`by`, the holder or a colleague who means to take it; route-roles.ts makes them
 * an editor or owner): the app's server (`by` null, an API key) is refused with
 * `conversation_held` and nothing changes, since it is the server the person took the
 * thread from. A hand-off no one took, the server may hand back too. A thread no one holds
 * and the assistant already has is left as it is; a closed one is `conversation_closed`.
 */
export async function releaseConversation(ctx: Context, appId: string, id: string, by: { operatorId: string } | null): Promise<ConversationView> {
  await findConversation(ctx, appId, id);
  const now = ctx.now();
  await ctx.store.db.transaction().execute(async (tx) => {
    await lockConversation(tx, id);
    const c = await tx.selectFrom('conversations').select(['state', 'assignee']).where('id', '=', id).executeTakeFirstOrThrow();
    if (c.state === 'closed') throw new ApiError('conversation_closed', 'This conversation is closed');
    if (c.state === 'open' && c.assignee === null) return;
    if (c.assignee !== null && by === null) {
      await refuseHeld(tx, c.assignee, (email) => `${email} has taken this conversation over: a person of the app hands it back (or it is closed), not an API key`);
    }
    await tx.updateTable('conversations').set({ state: 'open', assignee: null, taken_at: null, updated_at: now }).where('id', '=', id).execute();
  });
  return getConversation(ctx, appId, id);
}
