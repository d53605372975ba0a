import { Type, type Static } from '@sinclair/typebox';
import { NotificationAction } from '../message/content.ts';

/** The longest reply the schema lets through; `replyMaxChars` (at most this) is the limit a request meets. */
export const REPLY_HARD_MAX_CHARS = 10_000;

/**
 * A tapped button of the thread's latest answer (`slot:tue-10`): its action id, within an
 * action's own constraint (NotificationAction.action); the reply's text is then the button's title.
 */
const ReplyChoice = Type.String({ minLength: 1, maxLength: 64, description: 'The action id of a button of the thread’s latest answer that the user tapped (a slot, slot:<id>); text is then that button’s title' });

/** POST /v1/reply: a user's reply, authenticated by the token its push carried. */
export const ReplyInput = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 512, description: 'The reply token of the push (data.reply.token on the web and APNs, reply_token on FCM)' }),
    text: Type.String({ minLength: 1, maxLength: REPLY_HARD_MAX_CHARS, description: 'What the user typed; at most replyMaxChars characters (1,000 by default)' }),
    clientId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$', description: 'The device’s id for this reply (a UUID): sent again on a retry, the reply is stored once' }),
    choice: Type.Optional(ReplyChoice),
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
  choice: Type.Optional(Type.String({ description: 'A user’s message that is a tapped button of the answer before it: the button’s action id (its title is the text)' })),
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

/**
 * A button of an answer: a notification's action whose id is not `reply`, the id of the reply
 * field the web push adds beside it (build-payload.ts addReply), which would then be there twice.
 */
export const AnswerAction = Type.Object(
  {
    ...NotificationAction.properties,
    action: Type.String({ minLength: 1, maxLength: 64, pattern: '^(?!reply$)', description: 'The button’s id; not reply, the reply field’s' }),
  },
  { additionalProperties: false },
);

/** POST /v1/apps/{appId}/conversations/{id}/messages: the app's (or a person's) answer, pushed into the thread. */
export const AnswerInput = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 1_000, description: 'Shown as the body of the push' }),
    actions: Type.Optional(Type.Array(AnswerAction, { maxItems: 3, description: 'Buttons offered with the answer, beside the reply field' })),
  },
  { additionalProperties: false },
);
export type AnswerInput = Static<typeof AnswerInput>;
