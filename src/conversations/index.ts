/** Conversations: replies to notifications, their threads, and the answers pushed back (docs/conversations.md). */
export { conversationPersonaliser } from './conversation-personaliser.ts';
export { conversationJobs } from './jobs.ts';
export { receiveReply } from './receive-reply.ts';
export { limitReplyAddress } from './reply-limits.ts';
export { ReplyInput, ReplyAccepted, AnswerInput, ConversationMessage } from './reply-input.ts';
export { checkReplyToken, makeReplyToken, type ReplyClaims } from './reply-token.ts';
export { getKnowledgeBase, putKnowledgeBase } from './knowledge-bases.ts';
export { answerConversation, closeConversation, getConversation, listConversations } from './conversations.ts';
export { releaseConversation, takeOverConversation } from './take-over.ts';
export { THREAD_PAGE_DEFAULT, THREAD_PAGE_MAX } from './thread-messages.ts';
export { syncAnswerHook } from './sync-answer.ts';
