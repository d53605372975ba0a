/** The tables of conversations (migrations 034, 041 to 044, src/conversations/, docs/conversations.md); part of `Database` in schema.ts. */

/** `open` while the assistant answers; `waiting_for_person` after a hand-off; `closed` for good. */
export type ConversationState = 'open' | 'waiting_for_person' | 'closed';
export const CONVERSATION_STATES: readonly ConversationState[] = ['open', 'waiting_for_person', 'closed'];

/** Who answers the thread's replies: the app's server through the `conversation.message` webhook, or Carillon's matcher. */
export type ConversationAssistant = 'webhook' | 'builtin';

/** Where a thread's answers are pushed (`reply.answerTo`): the device that replied, or every subscription of its user. */
export type AnswerTo = 'device' | 'user';

/** Who wrote a message: the user who replied, the assistant (built-in or the app's server), or a person. */
export type MessageAuthor = 'user' | 'assistant' | 'person';

export interface ConversationsTable {
  /** cnv_... */
  id: string;
  app_id: string;
  /** The notification the thread began with. */
  notification_id: string;
  /** The device it was sent to: replies come from it and answers go back to it. */
  subscription_id: string;
  /** The subscription's user id (the site's), when it had one. */
  user_id: string | null;
  state: ConversationState;
  assistant: ConversationAssistant;
  /** The first notification's title, given to the answers pushed into the thread. */
  title: string;
  /** The reply field's placeholder, offered again with each answer. */
  placeholder: string;
  /** The reply button's label, offered again with each answer. */
  reply_title: string;
  /** The seq the next message of the thread takes (1 for the first). */
  next_seq: number;
  created_at: number;
  updated_at: number;
  /** When its reply tokens stop being accepted. */
  expires_at: number;
  /** The operator who took the thread over from the assistant (migration 041); null while no one holds it. */
  assignee: string | null;
  /** When they took it; null while no one holds it. */
  taken_at: number | null;
  /** Where answers are pushed: the device that replied, or all of the user's subscriptions (migration 043). */
  answer_to: AnswerTo;
  /** Why the thread was last handed to a person (`low_confidence`, `intent_unreachable: …`); null when it never was (migration 042). */
  handoff_reason: string | null;
}

export interface ConversationMessagesTable {
  conversation_id: string;
  /** 1, 2, ...: the thread's order. */
  seq: number;
  author: MessageAuthor;
  text: string;
  /** JSON array of action buttons offered with an answer; null for none. */
  actions: string | null;
  /** The replying device's id for a user's message (idempotency); `answer:<seq>` for an assistant's answer to message seq. */
  client_id: string | null;
  /** A user's message: when the assistant took it (the built-in matched it, or the webhook was queued); null until then. */
  handled_at: number | null;
  /** An answer: the notification that pushes it; null until queued. */
  notification_id: string | null;
  created_at: number;
  /** A user's message the built-in assistant took for an intent: `{name, action, language, confidence}` (JSON), written with the intent job (migration 042). */
  intent: string | null;
  /** When that intent's action came to an end (an answer, the app's "later", a hand-off); null while it is due. */
  intent_done_at: number | null;
  /** A person's message: the operator who wrote it (migration 044); null for every other author, and once that operator is removed. */
  operator_id: string | null;
  /** A user's message that is a tapped button of the thread's latest answer: the button's action id (`slot:tue-10`), its title the text; null for a typed reply (migration 045). */
  choice: string | null;
}

export interface AssistantKnowledgeBasesTable {
  app_id: string;
  /** The knowledge base as uploaded (JSON), checked by validate-knowledge-base.ts. */
  body: string;
  /** 1 on the first upload, one more on each. */
  version: number;
  updated_at: number;
}
