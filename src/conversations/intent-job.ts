import type { Context } from '../context.ts';
import type { Job } from '../queue/queue.ts';
import type { IntentAction, Language } from './assistant/index.ts';
import { addAnswer, lockConversation } from './answers.ts';
import { intentRequest, IntentCallError, type IntentHttpOptions, type IntentRequest } from './intent-http.ts';
import { slotsVerdict, webhookVerdict, type IntentVerdict } from './intent-response.ts';
import { intentSignature } from './intent-signing.ts';
import { messageView } from './message-view.ts';

/** What the assist job stores on the user's message it took for an intent (conversation_messages.intent). */
export interface MatchedIntent {
  name: string;
  action: IntentAction;
  language: Language;
  confidence: number;
}

/** Messages of the thread sent with a webhook intent, the latest ones (the last is the user's message). */
const HISTORY = 20;
/** Characters of a hand-off reason kept: a code and what explains it, not a body. */
const MAX_REASON_CHARS = 300;

/** The Standard Webhooks id of the requests for one message's intent: the same on every attempt, so the app can drop a repeat. */
export const intentRequestId = (conversationId: string, seq: number): string => `intent.${conversationId}.${seq}`;

/**
 * Carries out the intent the built-in assistant matched on message `seq`
 * (docs/conversations-assistant.md#intents): the `webhook` action posts the message to the
 * app, whose answer is the thread's next message; `offerSlots` fetches the app's free
 * slots and offers them as buttons. Each request is signed (intent-signing.ts) and goes
 * through the address policy, a timeout and a size cap (intent-http.ts).
 *
 * Idempotent: the outcome is written in one transaction under the thread's lock, only while
 * the message's `intent_done_at` is still null, and the answer's client id is `intent:<seq>`
 * (unique in the thread), so a retried or repeated job never answers twice. A failure worth
 * another attempt (no answer in time, a refused connection, 408, 429, 5xx) throws, and the
 * queue retries with its backoff; on the last attempt the thread goes to a person instead,
 * with the reason on the thread (`handoff_reason`).
 */
export async function runIntent(ctx: Context, http: IntentHttpOptions, job: Job): Promise<void> {
  const { conversationId, seq } = job.data as { conversationId: string; seq: number };
  const db = ctx.store.db;
  const m = await db.selectFrom('conversation_messages').selectAll().where('conversation_id', '=', conversationId).where('seq', '=', seq).executeTakeFirst();
  if (!m || m.intent === null || m.intent_done_at !== null) return;
  const c = await db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirstOrThrow();
  const intent = JSON.parse(m.intent) as MatchedIntent;
  let verdict: IntentVerdict = { kind: 'later' };
  // A person took the thread over while the job waited: no request, the intent ends here.
  if (c.state === 'open') {
    verdict = await call(ctx, http, c, m.seq, intent);
    if (verdict.kind === 'retry') {
      if (job.attempts < ctx.config.maxAttempts) throw new Error(`intent ${intent.name}: ${verdict.reason}`);
      verdict = { kind: 'handoff', reason: `${verdict.reason} (after ${job.attempts} attempts)` };
    }
  }
  await finish(ctx, conversationId, seq, intent, verdict);
}

async function call(ctx: Context, http: IntentHttpOptions, c: { id: string; app_id: string; notification_id: string; subscription_id: string; user_id: string | null }, seq: number, intent: MatchedIntent): Promise<IntentVerdict> {
  const now = ctx.now();
  const id = intentRequestId(c.id, seq);
  let req: IntentRequest;
  if ('webhook' in intent.action) {
    const rows = await ctx.store.db.selectFrom('conversation_messages').select(['seq', 'author', 'text', 'actions', 'choice', 'created_at']).where('conversation_id', '=', c.id).where('seq', '<=', seq).orderBy('seq', 'desc').limit(HISTORY).execute();
    const history = rows.reverse().map(messageView);
    const data = { appId: c.app_id, conversationId: c.id, notificationId: c.notification_id, subscriptionId: c.subscription_id, userId: c.user_id, intent: intent.name, language: intent.language, confidence: intent.confidence, message: history.at(-1), history };
    const body = JSON.stringify({ type: 'conversation.intent', timestamp: new Date(now).toISOString(), data });
    req = { method: 'POST', url: intent.action.webhook, headers: { 'content-type': 'application/json', accept: 'application/json' }, body };
  } else {
    req = { method: 'GET', url: intent.action.offerSlots.url, headers: { accept: 'application/json', 'accept-language': intent.language } };
  }
  const signature = await intentSignature(ctx.store.db, ctx.secrets, c.app_id, req.url, id, now, req.body ?? '');
  if (!signature) return { kind: 'handoff', reason: `intent_unsigned: the app has no enabled webhook endpoint on ${new URL(req.url).origin} whose secret signs the request` };
  req.headers = { ...req.headers, 'user-agent': 'Carillon-Intents/1', ...signature };
  try {
    const res = await intentRequest(http, req);
    return 'webhook' in intent.action ? webhookVerdict(res) : slotsVerdict(res, intent.action.offerSlots, intent.language);
  } catch (err) {
    if (!(err instanceof IntentCallError)) throw err;
    if (err.failure === 'refused') return { kind: 'handoff', reason: `intent_refused: ${err.message}` };
    if (err.failure === 'too_large') return { kind: 'handoff', reason: `intent_bad_response: ${err.message}` };
    return { kind: 'retry', reason: `intent_unreachable: ${err.failure}: ${err.message}` };
  }
}

async function finish(ctx: Context, conversationId: string, seq: number, intent: MatchedIntent, verdict: IntentVerdict): Promise<void> {
  const now = ctx.now();
  const handedOff = await ctx.store.db.transaction().execute(async (tx) => {
    await lockConversation(tx, conversationId);
    const done = await tx.updateTable('conversation_messages').set({ intent_done_at: now }).where('conversation_id', '=', conversationId).where('seq', '=', seq).where('intent_done_at', 'is', null).executeTakeFirst();
    if (Number(done.numUpdatedRows) === 0) return false;
    const thread = await tx.selectFrom('conversations').select(['id', 'next_seq', 'state']).where('id', '=', conversationId).executeTakeFirstOrThrow();
    if (thread.state !== 'open') return false;
    if (verdict.kind === 'answer') {
      await addAnswer(tx, ctx.queue, thread, { author: 'assistant', text: verdict.text, actions: verdict.actions, clientId: `intent:${seq}` }, now);
      return false;
    }
    if (verdict.kind !== 'handoff') return false;
    const reason = verdict.reason.slice(0, MAX_REASON_CHARS);
    await tx.updateTable('conversations').set({ state: 'waiting_for_person', handoff_reason: reason, updated_at: now }).where('id', '=', conversationId).execute();
    return reason;
  });
  if (handedOff) ctx.logger.child({ module: 'conversations' }).warn({ conversation: conversationId, seq, intent: intent.name, reason: handedOff }, 'intent handed to a person');
}
