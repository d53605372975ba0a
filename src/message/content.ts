import { Type, type Static } from '@sinclair/typebox';
import { LinkUrl } from './fields.ts';

/** What a notification says, independent of the channel that carries it. */
export const NotificationAction = Type.Object(
  {
    action: Type.String({ minLength: 1, maxLength: 64 }),
    title: Type.String({ minLength: 1, maxLength: 100 }),
    url: Type.Optional(LinkUrl('Opened when this action is chosen')),
    icon: Type.Optional(LinkUrl('Action icon URL')),
  },
  { additionalProperties: false },
);
export type NotificationAction = Static<typeof NotificationAction>;

export const ApnsOverrides = Type.Object(
  {
    subtitle: Type.Optional(Type.String({ maxLength: 1000 })),
    collapseId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\x20-\\x7e]+$', description: 'apns-collapse-id (64 bytes at most); topic otherwise' })),
    priority: Type.Optional(Type.Union([Type.Literal(10), Type.Literal(5), Type.Literal(1)], { description: 'apns-priority; from urgency otherwise' })),
    aps: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'extra aps keys (relevance-score, target-content-id, ...), merged last' })),
  },
  { additionalProperties: false, description: 'APNs-only settings for what does not map from the fields above' },
);
export type ApnsOverrides = Static<typeof ApnsOverrides>;

export const FcmOverrides = Type.Object(
  {
    collapseKey: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'android.collapse_key; topic otherwise' })),
    priority: Type.Optional(Type.Union([Type.Literal('HIGH'), Type.Literal('NORMAL')], { description: 'android.priority; from urgency otherwise' })),
    channelId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'android.notification.channel_id (Android 8+ notification channel)' })),
    android: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'members merged into message.android, last' })),
    data: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'extra data entries (string values), merged into message.data' })),
  },
  { additionalProperties: false, description: 'FCM-only settings for what does not map from the fields above' },
);
export type FcmOverrides = Static<typeof FcmOverrides>;

/**
 * `reply`: the notification can be answered (docs/conversations.md). Each recipient's push
 * opens a thread of its own and carries a reply token for it; `assistant` says who answers:
 * the app's server (`webhook`, through the `conversation.message` webhook) or Carillon's
 * built-in assistant over the app's knowledge base (`builtin`).
 */
export const ReplyOptions = Type.Object(
  {
    placeholder: Type.String({ minLength: 1, maxLength: 100, description: 'Shown in the empty reply field' }),
    assistant: Type.Union([Type.Literal('webhook'), Type.Literal('builtin')], { description: 'Who answers the replies: the app’s server (conversation.message webhook) or the built-in assistant' }),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'The reply button’s label; "Reply" by default' })),
    answerTo: Type.Optional(
      Type.Union([Type.Literal('device'), Type.Literal('user')], {
        description: 'Where answers are pushed: the device that replied (device, the default), or every current subscription of the recipient’s user (user; the device when the recipient has no user id), each able to reply in the same thread',
      }),
    ),
  },
  { additionalProperties: false, description: 'Lets the user answer the notification (docs/conversations.md)' },
);
export type ReplyOptions = Static<typeof ReplyOptions>;

/**
 * A recipient's own thread, set on its message at send time by conversations (never accepted
 * from the API): what each channel's payload carries so the device can post a reply.
 */
export interface ReplyThread {
  /** cnv_...: the thread, also its tag (web), thread-id (APNs) and collapse key (FCM). */
  conversationId: string;
  /** The reply token (src/conversations/reply-token.ts). */
  token: string;
  /** Where a reply is posted: `<publicUrl>/v1/reply`. */
  endpoint: string;
  /** A page showing the thread with a reply field, for browsers without inline replies. */
  page: string;
  placeholder: string;
  /** The reply button's label. */
  title: string;
  /**
   * Set on an answer's push: the answer's seq in the thread. Its buttons without a URL are the
   * answer's, a tap on one the user's next message (a choice); the buttons of a thread's first
   * notification, which the app sent itself, are no message of the thread and post nothing.
   */
  answer?: number;
}

/** APNs category of a notification that can be answered: the app registers it with a UNTextInputNotificationAction (docs/conversations.md). */
export const REPLY_CATEGORY = 'CARILLON_REPLY';

/**
 * A thread as long as any could be, for sizing a notification with `reply` before its
 * threads exist: a token and URLs of the longest form Carillon makes, and an answer's seq.
 */
export function largestReplyThread(reply: ReplyOptions, publicUrlChars: number): ReplyThread {
  const id = `cnv_${'x'.repeat(22)}`;
  const base = 'x'.repeat(Math.max(publicUrlChars, 22));
  const token = 'x'.repeat(320);
  // An answer's push names its answer too (the seq, never longer than this).
  return { conversationId: id, token, endpoint: `${base}/v1/reply`, page: `${base}/reply/${id}#${token}`, placeholder: reply.placeholder, title: reply.title ?? 'Reply', answer: Number.MAX_SAFE_INTEGER };
}

/**
 * What a `reply` cannot go with, refused before anything is stored: a silent push (nothing is
 * shown to answer) and four actions already (the reply is a fifth; four is the most any
 * channel shows). The field at fault and why, or null.
 */
export function replyConflict(content: Pick<MessageContent, 'reply' | 'contentAvailable' | 'actions'>): { pointer: string; detail: string } | null {
  if (!content.reply) return null;
  if (content.contentAvailable) return { pointer: '#/reply', detail: 'a silent push (contentAvailable) shows nothing to reply to' };
  if ((content.actions?.length ?? 0) > 3) return { pointer: '#/actions', detail: 'with reply, at most 3 actions: the reply button is the fourth' };
  const clash = content.actions?.findIndex((a) => a.action === 'reply') ?? -1;
  if (clash >= 0) return { pointer: `#/actions/${clash}/action`, detail: 'with reply, no action may be called reply: it is the reply field’s' };
  return null;
}

/** The content fields, for composing request schemas that carry them beside other members. */
export const messageContentFields = {
  title: Type.String({ minLength: 1, maxLength: 1000 }),
  body: Type.Optional(Type.String({ maxLength: 4000 })),
  url: Type.Optional(LinkUrl('Opened on click (Declarative Web Push `navigate`)')),
  icon: Type.Optional(LinkUrl('Icon image URL')),
  image: Type.Optional(LinkUrl('Large image URL')),
  badge: Type.Optional(LinkUrl('Monochrome badge URL')),
  tag: Type.Optional(Type.String({ maxLength: 128, description: 'Replaces an earlier notification with the same tag on the device' })),
  lang: Type.Optional(Type.String({ maxLength: 35 })),
  dir: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('ltr'), Type.Literal('rtl')])),
  silent: Type.Optional(Type.Boolean()),
  requireInteraction: Type.Optional(Type.Boolean()),
  actions: Type.Optional(Type.Array(NotificationAction, { maxItems: 4 })),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Delivered to the service worker as notification.data' })),
  sound: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'apns, fcm: a sound in the app bundle or resources, or "default"' })),
  badgeCount: Type.Optional(Type.Integer({ minimum: 0, maximum: 99_999, description: 'apns, fcm: the number on the app icon (APNs `badge`, FCM `notification_count`); `badge` is the web badge image' })),
  threadId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'apns: thread-id, groups notifications in Notification Center' })),
  interruptionLevel: Type.Optional(
    Type.Union([Type.Literal('passive'), Type.Literal('active'), Type.Literal('time-sensitive'), Type.Literal('critical')], {
      description: 'apns interruption-level, fcm notification_priority; critical is for civic alerts only',
    }),
  ),
  contentAvailable: Type.Optional(Type.Boolean({ description: 'apns, fcm: a silent data-only push (APNs background, FCM data message); browsers still show the title' })),
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'apns: category (the actions the app registered); fcm: click_action' })),
  apns: Type.Optional(ApnsOverrides),
  fcm: Type.Optional(FcmOverrides),
  reply: Type.Optional(ReplyOptions),
};

/** What a notification says, independent of the channel that carries it. */
export const MessageContent = Type.Object(messageContentFields, { additionalProperties: false, description: 'What a notification says, independent of the channel that carries it' });
export type MessageContent = Static<typeof MessageContent> & {
  /** Set per recipient at send time when the content has `reply`; see ReplyThread. */
  replyThread?: ReplyThread;
};
