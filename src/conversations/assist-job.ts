import type { Context } from '../context.ts';
import type { Job } from '../queue/queue.ts';
import { createBuiltinAssistant, IndexCache, type AssistantReply } from './assistant/index.ts';
import { addAnswer, lockConversation } from './answers.ts';
import type { MatchedIntent } from './intent-job.ts';
import { intentJobSpec } from './job-specs.ts';
import { loadKnowledgeBase } from './knowledge-bases.ts';

/**
 * The built-in assistant's turn on a user's message: matched against the app's knowledge
 * base (docs/conversations-assistant.md), an answer is stored as the thread's next message
 * with its push queued (answers.ts); an intent is stored on the message with the job that
 * carries out its action (intent-job.ts), which makes its own requests and retries; below
 * the threshold, or with no knowledge base, the thread waits for a person, the reason on
 * it. The message is marked handled in the same transaction, so a retried job does nothing
 * twice.
 */
export async function runAssist(ctx: Context, cache: IndexCache, job: Job): Promise<void> {
  const { conversationId, seq } = job.data as { conversationId: string; seq: number };
  const db = ctx.store.db;
  const m = await db.selectFrom('conversation_messages').selectAll().where('conversation_id', '=', conversationId).where('seq', '=', seq).executeTakeFirst();
  if (!m || m.handled_at !== null) return;
  const c = await db.selectFrom('conversations').select(['app_id']).where('id', '=', conversationId).executeTakeFirstOrThrow();
  const kb = await loadKnowledgeBase(db, c.app_id);
  const reply: AssistantReply = kb
    ? await createBuiltinAssistant(cache.get(c.app_id, String(kb.version), () => kb.knowledgeBase)).reply({ message: m.text })
    : { kind: 'handoff', reason: 'low_confidence', confidence: 0 };
  const now = ctx.now();
  await db.transaction().execute(async (tx) => {
    await lockConversation(tx, conversationId);
    const fresh = await tx.selectFrom('conversation_messages').select('handled_at').where('conversation_id', '=', conversationId).where('seq', '=', seq).executeTakeFirstOrThrow();
    if (fresh.handled_at !== null) return;
    const thread = await tx.selectFrom('conversations').select(['id', 'next_seq', 'state']).where('id', '=', conversationId).executeTakeFirstOrThrow();
    await tx.updateTable('conversation_messages').set({ handled_at: now }).where('conversation_id', '=', conversationId).where('seq', '=', seq).execute();
    // A person took the thread over, or closed it, while the reply waited: the assistant stays out.
    if (thread.state !== 'open') return;
    if (reply.kind === 'answer') {
      await addAnswer(tx, ctx.queue, thread, { author: 'assistant', text: reply.text, clientId: `answer:${seq}` }, now);
    } else if (reply.kind === 'intent') {
      const intent: MatchedIntent = { name: reply.intent, action: reply.action, language: reply.language, confidence: reply.confidence };
      await tx.updateTable('conversation_messages').set({ intent: JSON.stringify(intent) }).where('conversation_id', '=', conversationId).where('seq', '=', seq).execute();
      await ctx.queue.add([intentJobSpec(conversationId, seq)], tx);
    } else {
      const reason = kb ? reply.reason : 'no_knowledge_base';
      await tx.updateTable('conversations').set({ state: 'waiting_for_person', handoff_reason: reason, updated_at: now }).where('id', '=', conversationId).execute();
    }
  });
}
