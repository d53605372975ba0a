import { Type, type Static } from '@sinclair/typebox';
import { ConversationMessage, THREAD_PAGE_DEFAULT, THREAD_PAGE_MAX } from '../../conversations/index.ts';
import { CONVERSATION_STATES } from '../../store/schema-conversations.ts';
import { Id } from '../../message/fields.ts';

/** Schemas of the conversation routes (conversations.ts). */
const State = Type.Union(CONVERSATION_STATES.map((s) => Type.Literal(s)), { description: 'open: the assistant answers; waiting_for_person: handed off; closed: takes no more replies' });

export const ConversationSummary = Type.Object({
  id: Type.String(),
  notificationId: Type.String({ description: 'The notification the thread began with' }),
  subscriptionId: Type.String({ description: 'The device the thread is with: replies come from it, answers go to it' }),
  userId: Type.Union([Type.String(), Type.Null()]),
  state: State,
  assistant: Type.Union([Type.Literal('webhook'), Type.Literal('builtin')]),
  title: Type.String({ description: 'The first notification’s title, given to each answer' }),
  assignee: Type.Union(
    [Type.Object({ operatorId: Type.String(), email: Type.String(), takenAt: Type.String() }), Type.Null()],
    { description: 'The person who took the thread over from the assistant (…/take-over); null while no one holds it, and once it is closed' },
  ),
  handoffReason: Type.Union([Type.String(), Type.Null()], { description: 'Why the thread was last handed to a person (low_confidence, intent_unreachable: …); null when it never was' }),
  answerTo: Type.Union([Type.Literal('device'), Type.Literal('user')], { description: 'Where its answers are pushed, as the notification’s reply.answerTo chose' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  expiresAt: Type.String({ description: 'When its reply tokens stop being accepted' }),
});

/** A message as the conversation routes show it: on a person's, the operator who wrote it. */
export const ThreadMessage = Type.Object({
  ...ConversationMessage.properties,
  operator: Type.Optional(
    Type.Union([Type.Object({ operatorId: Type.String(), email: Type.String() }), Type.Null()], {
      description: 'On a message by a person only: the operator who wrote it; null when written before this was recorded or by an operator since removed',
    }),
  ),
});

const seqOrNull = (description: string, minimum = 1) => Type.Union([Type.Integer({ minimum }), Type.Null()], { description });

export const Conversation = Type.Object({
  ...ConversationSummary.properties,
  messages: Type.Array(ThreadMessage, { description: `One page of the thread’s messages in its order: by default its last ${THREAD_PAGE_DEFAULT}` }),
  earlier: seqOrNull('Pass as `before` to read the messages before these; null when there are none'),
  later: seqOrNull('Pass as `after` to read the messages after these (0: from the start); null when there are none yet', 0),
});

export const ConversationReadQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: THREAD_PAGE_MAX, default: THREAD_PAGE_DEFAULT, description: 'Messages in the page' })),
    before: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'The last `limit` messages with a seq below this one (the `earlier` of a page)' })),
    after: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: 'The first `limit` messages with a seq above this one (the `later` of a page, or the last seq a client has)' })),
  },
  { additionalProperties: false },
);
export type ConversationReadQuery = Static<typeof ConversationReadQuery> & { limit: number };

export const ConversationPage = Type.Object({ data: Type.Array(ConversationSummary), next: Type.Union([Type.String(), Type.Null()], { description: 'The cursor of the next page; null on the last' }) });

export const ConversationListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The `next` of the page before' })),
    state: Type.Optional(State),
    assignee: Type.Optional(
      Type.Union([Type.Literal('me'), Type.Literal('none')], { description: 'me: the threads the signed-in operator holds (a dashboard session only); none: those no one holds' }),
    ),
  },
  { additionalProperties: false },
);
export type ConversationListQuery = Static<typeof ConversationListQuery> & { limit: number };

export const ConversationParams = Type.Object({ appId: Id, id: Type.String({ minLength: 1, maxLength: 64, pattern: '^cnv_[A-Za-z0-9_-]+$' }) });
export type ConversationParams = Static<typeof ConversationParams>;

/** The knowledge base is checked whole by validate-knowledge-base.ts, which lists every problem with its pointer. */
export const KnowledgeBaseBody = Type.Object(
  { pairs: Type.Array(Type.Unknown(), { maxItems: 2_000 }), intents: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 50 })) },
  { additionalProperties: true, description: 'Question–answer pairs and intents (docs/conversations-assistant.md#the-knowledge-base); every member is checked, refused with invalid_knowledge_base and pointers' },
);

export const StoredKnowledgeBase = Type.Object({
  version: Type.Integer({ minimum: 1, description: 'One more with each upload' }),
  updatedAt: Type.String(),
  knowledgeBase: Type.Unknown({ description: 'As uploaded' }),
});
