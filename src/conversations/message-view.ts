import type { ConversationMessagesTable } from '../store/schema-conversations.ts';
import type { ConversationMessage } from './reply-input.ts';

/** A stored message as the API shows it. */
export function messageView(m: Pick<ConversationMessagesTable, 'seq' | 'author' | 'text' | 'actions' | 'created_at'>): ConversationMessage {
  return { seq: m.seq, author: m.author, text: m.text, actions: m.actions ? (JSON.parse(m.actions) as ConversationMessage['actions']) : [], createdAt: new Date(m.created_at).toISOString() };
}
