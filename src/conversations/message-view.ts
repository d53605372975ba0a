import type { ConversationMessagesTable } from '../store/schema-conversations.ts';
import type { ConversationMessage } from './reply-input.ts';

/** A stored message as the API shows it; `choice` on a user's tapped button, when the row was read with it. */
export function messageView(m: Pick<ConversationMessagesTable, 'seq' | 'author' | 'text' | 'actions' | 'created_at'> & Partial<Pick<ConversationMessagesTable, 'choice'>>): ConversationMessage {
  return { seq: m.seq, author: m.author, text: m.text, actions: m.actions ? (JSON.parse(m.actions) as ConversationMessage['actions']) : [], ...(m.choice ? { choice: m.choice } : {}), createdAt: new Date(m.created_at).toISOString() };
}
