import { Type, type Static } from '@sinclair/typebox';
import { NotificationAction } from '../message/content.ts';

/** The longest reply the schema lets through; `replyMaxChars` (at most this) is the limit a request meets. */
export const REPLY_HARD_MAX_CHARS = 10_000;

/** POST /v1/reply: a user's reply, authenticated by the token its push carried. */
export const ReplyInput = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 512, description: 'The reply token of the push (data.reply.token on the web and APNs, reply_token on FCM)' }),
    text: Type.String({ minLength: 1, maxLength: REPLY_HARD_MAX_CHARS, description: 'What the user typed; at most replyMaxChars characters (1,000 by default)' }),
    clientId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$', description: 'The device’s id for this reply (a UUID): sent again on a retry, the reply is stored once' }),
  },
  { additionalProperties: false },
);
export type ReplyInput = Static<typeof ReplyInput>;

/** A message as the API shows it. */
export const ConversationMessage = Type.Object({
  seq: Type.Integer({ minimum: 1, description: 'The thread’s order' }),
  author: Type.Union([Type.Literal('user'), Type.Literal('assistant'), Type.Literal('person')]),
  text: Type.String(),
  actions: Type.Array(Type.Object({ action: Type.String(), title: Type.String(), url: Type.Optional(Type.String()) })),
  createdAt: Type.String(),
});
export type ConversationMessage = Static<typeof ConversationMessage>;

/** What POST /v1/reply answers: the reply as stored, the same again for a retry with its clientId. */
export const ReplyAccepted = Type.Object({
  conversationId: Type.String(),
  state: Type.Union([Type.Literal('open'), Type.Literal('waiting_for_person'), Type.Literal('closed')]),
  message: ConversationMessage,
});
export type ReplyAccepted = Static<typeof ReplyAccepted>;

/** POST /v1/apps/{appId}/conversations/{id}/messages: the app's (or a person's) answer, pushed into the thread. */
export const AnswerInput = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 1_000, description: 'Shown as the body of the push' }),
    actions: Type.Optional(Type.Array(NotificationAction, { maxItems: 3, description: 'Buttons offered with the answer, beside the reply field' })),
  },
  { additionalProperties: false },
);
export type AnswerInput = Static<typeof AnswerInput>;
