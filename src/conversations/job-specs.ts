import { PRIORITY, type JobSpec } from '../queue/queue.ts';

/** The built-in assistant matches a user's message and answers it, or hands the thread to a person (assist-job.ts). */
export const ASSIST_JOB = 'conversation.assist';
/** The action of an intent the built-in assistant matched: the app's webhook called, or its free slots offered (intent-job.ts). */
export const INTENT_JOB = 'conversation.intent';
/** An answer (the assistant's or a person's) is pushed into its thread (push-job.ts). */
export const PUSH_JOB = 'conversation.push';

/**
 * Normal priority: a public reply (anyone holding a token) makes these jobs, and the
 * urgent lane's slots are kept for what an app's secret key sends urgently (civic alerts,
 * sign-ins), which replies in numbers must not hold.
 */
export function assistJobSpec(conversationId: string, seq: number): JobSpec {
  return { name: ASSIST_JOB, data: { conversationId, seq }, priority: PRIORITY.normal, key: `conversation:assist:${conversationId}:${seq}` };
}

export function pushJobSpec(conversationId: string, seq: number): JobSpec {
  return { name: PUSH_JOB, data: { conversationId, seq }, priority: PRIORITY.normal, key: `conversation:push:${conversationId}:${seq}` };
}

/** Normal priority too: the same public replies make these. */
export function intentJobSpec(conversationId: string, seq: number): JobSpec {
  return { name: INTENT_JOB, data: { conversationId, seq }, priority: PRIORITY.normal, key: `conversation:intent:${conversationId}:${seq}` };
}
