import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import type { Context } from '../../context.ts';
import {
  AnswerInput,
  answerConversation,
  closeConversation,
  getConversation,
  getKnowledgeBase,
  listConversations,
  putKnowledgeBase,
  releaseConversation,
  takeOverConversation,
  THREAD_PAGE_DEFAULT,
  THREAD_PAGE_MAX,
} from '../../conversations/index.ts';
import { ApiError } from '../../errors/api-error.ts';
import { guard } from '../guards.ts';
import { guardedProblems } from '../openapi.ts';
import { AppParams } from '../schemas.ts';
import { Conversation, ConversationListQuery, ConversationPage, ConversationParams, ConversationReadQuery, KnowledgeBaseBody, StoredKnowledgeBase, ThreadMessage } from './conversations.schemas.ts';

/**
 * Conversations (docs/conversations.md#the-api): the threads replies open, the app's answers
 * into them, and the built-in assistant's knowledge base. The secret key, or an operator's
 * session: members read, editors answer, take over, hand back, close and upload
 * (src/http/route-roles.ts). Taking a thread over is a person's: a session, not a key.
 */
export function conversationRoutes(app: FastifyInstance, ctx: Context): void {
  const tags = ['conversations'];
  const secret = guard(ctx, 'secret');
  app.put<{ Params: AppParams; Body: unknown }>(
    '/v1/apps/:appId/assistant/knowledge-base',
    {
      onRequest: secret,
      schema: {
        operationId: 'putAssistantKnowledgeBase',
        tags,
        summary: 'Replace the built-in assistant’s knowledge base (checked whole; a new version)',
        params: AppParams,
        body: KnowledgeBaseBody,
        response: { 200: StoredKnowledgeBase, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'invalid_knowledge_base') },
      },
    },
    async (req) => putKnowledgeBase(ctx, req.params.appId, req.body),
  );
  app.get<{ Params: AppParams }>(
    '/v1/apps/:appId/assistant/knowledge-base',
    { onRequest: secret, schema: { operationId: 'getAssistantKnowledgeBase', tags, summary: 'The built-in assistant’s knowledge base', params: AppParams, response: { 200: StoredKnowledgeBase, ...guardedProblems('secret', { params: true }, 'knowledge_base_not_found') } } },
    async (req) => getKnowledgeBase(ctx, req.params.appId),
  );
  app.get<{ Params: AppParams; Querystring: ConversationListQuery }>(
    '/v1/apps/:appId/conversations',
    { onRequest: secret, schema: { operationId: 'listConversations', tags, summary: 'The app’s conversations, newest first, by cursor', params: AppParams, querystring: ConversationListQuery, response: { 200: ConversationPage, ...guardedProblems('secret', { params: true }, 'app_not_found', 'invalid_cursor') } } },
    async (req) => {
      await getApp(ctx, req.params.appId);
      const { assignee } = req.query;
      if (assignee === 'me' && !req.operator) throw new ApiError('forbidden', 'assignee=me names the signed-in operator: it needs a dashboard session, not an API key');
      return listConversations(ctx, req.params.appId, { limit: req.query.limit, cursor: req.query.cursor, state: req.query.state, assignee: assignee === 'me' ? req.operator!.id : assignee === 'none' ? null : undefined });
    },
  );
  app.get<{ Params: ConversationParams; Querystring: ConversationReadQuery }>(
    '/v1/apps/:appId/conversations/:id',
    {
      onRequest: secret,
      schema: {
        operationId: 'getConversation',
        tags,
        summary: 'One conversation and a page of its messages, who wrote each, in order',
        description: `By default the thread’s last ${THREAD_PAGE_DEFAULT} messages (at most ${THREAD_PAGE_MAX}); \`before\` and \`after\` (a seq) page back and forth, as \`earlier\` and \`later\` say.`,
        params: ConversationParams,
        querystring: ConversationReadQuery,
        response: { 200: Conversation, ...guardedProblems('secret', { params: true }, 'conversation_not_found') },
      },
    },
    async (req) => getConversation(ctx, req.params.appId, req.params.id, { limit: req.query.limit, before: req.query.before, after: req.query.after }),
  );
  app.post<{ Params: ConversationParams }>(
    '/v1/apps/:appId/conversations/:id/close',
    { onRequest: secret, schema: { operationId: 'closeConversation', tags, summary: 'Close a conversation: it takes no more replies or answers, and no one holds it', params: ConversationParams, response: { 200: Conversation, ...guardedProblems('secret', { params: true }, 'conversation_not_found') } } },
    async (req) => closeConversation(ctx, req.params.appId, req.params.id),
  );
  app.post<{ Params: ConversationParams }>(
    '/v1/apps/:appId/conversations/:id/take-over',
    {
      onRequest: secret,
      schema: {
        operationId: 'takeOverConversation',
        tags,
        summary: 'Take a conversation over from the assistant: it waits for you, and only you answer it',
        description: 'With a dashboard session (an editor or owner of the app). The assistant, built-in or the app’s server, no longer answers it; another person taking it is refused with conversation_held until it is handed back.',
        params: ConversationParams,
        response: { 200: Conversation, ...guardedProblems('secret', { params: true }, 'conversation_not_found', 'conversation_closed', 'conversation_held') },
      },
    },
    async (req) => {
      if (!req.operator) throw new ApiError('forbidden', 'Taking a conversation over is a person’s: sign in to the dashboard');
      return takeOverConversation(ctx, req.params.appId, req.params.id, req.operator.id);
    },
  );
  app.post<{ Params: ConversationParams }>(
    '/v1/apps/:appId/conversations/:id/release',
    {
      onRequest: secret,
      schema: {
        operationId: 'releaseConversation',
        tags,
        summary: 'Hand a conversation back to the assistant: no one holds it, and it is open again',
        description: 'A thread a person took over is handed back by a person of the app (an editor or owner, with a dashboard session), or ends with close: an API key is refused with conversation_held and nothing changes.',
        params: ConversationParams,
        response: { 200: Conversation, ...guardedProblems('secret', { params: true }, 'conversation_not_found', 'conversation_closed', 'conversation_held') },
      },
    },
    async (req) => releaseConversation(ctx, req.params.appId, req.params.id, req.operator ? { operatorId: req.operator.id } : null),
  );
  app.post<{ Params: ConversationParams; Body: AnswerInput }>(
    '/v1/apps/:appId/conversations/:id/messages',
    {
      onRequest: secret,
      schema: {
        operationId: 'answerConversation',
        tags,
        summary: 'Answer in a conversation: the message is pushed to the device that replied, in the same thread',
        description: 'Written by the assistant with an API key (the app’s server answering conversation.message), by a person with a dashboard session. A thread a person took over takes answers from them only (conversation_held).',
        params: ConversationParams,
        body: AnswerInput,
        response: { 201: ThreadMessage, ...guardedProblems('secret', { params: true, body: true }, 'conversation_not_found', 'conversation_closed', 'conversation_held') },
      },
    },
    async (req, reply) => reply.status(201).send(await answerConversation(ctx, req.params.appId, req.params.id, req.body, req.operator ? { author: 'person', operatorId: req.operator.id, email: req.operator.email } : { author: 'assistant' })),
  );
}
