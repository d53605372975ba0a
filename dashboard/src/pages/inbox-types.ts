/**
 * What the conversation routes answer (src/http/routes/conversations.schemas.ts), added to
 * the answers of api/types.ts by declaration merging.
 */
import type { Paged } from './campaign-types.ts';

/** The inbox's tabs: a state of the thread, the threads the operator holds, or every thread. */
export const INBOX_TABS = ['waiting_for_person', 'open', 'mine', 'closed', 'all'] as const;
export type InboxTab = (typeof INBOX_TABS)[number];

export type ConversationState = 'open' | 'waiting_for_person' | 'closed';

export interface ConversationSummary {
  id: string;
  notificationId: string;
  subscriptionId: string;
  userId: string | null;
  state: ConversationState;
  assistant: 'webhook' | 'builtin';
  title: string;
  assignee: { operatorId: string; email: string; takenAt: string } | null;
  /** Why it was last handed to a person (low_confidence, intent_unreachable: …); null when it never was. */
  handoffReason: string | null;
  answerTo: 'device' | 'user';
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
}

export interface ConversationMessage {
  seq: number;
  author: 'user' | 'assistant' | 'person';
  text: string;
  actions: { action: string; title: string; url?: string }[];
  createdAt: string;
  /** On a user's tapped button (a slot): its action id, the text being its title. */
  choice?: string;
  /** On a person's message: the operator who wrote it; null once they are removed. */
  operator?: { operatorId: string; email: string } | null;
}

/** The thread with one page of its messages: by default its last 100; `earlier` is the `before` of the page before. */
export interface Conversation extends ConversationSummary {
  messages: ConversationMessage[];
  earlier: number | null;
  later: number | null;
}

/** The longest answer the route takes (AnswerInput.text, src/conversations/reply-input.ts). */
export const ANSWER_MAX_CHARS = 1_000;

declare module '../api/types.ts' {
  interface Answers {
    listConversations: Paged<ConversationSummary>;
    getConversation: Conversation;
    takeOverConversation: Conversation;
    releaseConversation: Conversation;
    closeConversation: Conversation;
    answerConversation: ConversationMessage;
  }
}
