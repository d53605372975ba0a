import type { MessageContent } from '../../message/content.ts';
import { buildFcmMessage, type AndroidNotificationPriority, type AndroidPriority } from '../../protocol/fcm/message.ts';
import type { OutgoingMessage } from '../channel.ts';

/** interruptionLevel in Android's words (AndroidNotification.NotificationPriority). */
const NOTIFICATION_PRIORITY: Record<NonNullable<MessageContent['interruptionLevel']>, AndroidNotificationPriority> = {
  passive: 'PRIORITY_LOW',
  active: 'PRIORITY_DEFAULT',
  'time-sensitive': 'PRIORITY_HIGH',
  critical: 'PRIORITY_MAX',
};

/**
 * android.priority from the urgency. FCM sends notification messages at HIGH and data
 * messages at NORMAL by default ("Setting the priority of a message"); Carillon keeps
 * that for `normal`, raises `high`, time-sensitive and critical, and lowers `low`.
 */
export function androidPriority(content: MessageContent, urgency: OutgoingMessage['urgency']): AndroidPriority {
  if (content.fcm?.priority) return content.fcm.priority;
  if (urgency === 'high' || content.interruptionLevel === 'time-sensitive' || content.interruptionLevel === 'critical') return 'HIGH';
  if (urgency === 'normal' && !content.contentAvailable) return 'HIGH';
  return 'NORMAL';
}

/** FCM takes only string values in `data`; anything else is sent as its JSON. */
function stringData(data: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data ?? {})) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

export type FcmMessageParts = Pick<OutgoingMessage, 'content' | 'ttl' | 'urgency' | 'topic'>;

/**
 * One notification as an FCM HTTP v1 message (documented in docs/app-push.md).
 * `data.id` lets the app drop a second copy after a retry, as on the web.
 *
 * - `contentAvailable` makes a data message: no `notification`, so Android shows nothing
 *   and the app's FirebaseMessagingService receives the data.
 * - `category` is `click_action` (the intent filter the tap opens); `url` (the deep
 *   link) and `actions` travel in `data`.
 * - `topic` is the collapse_key (the last of a collapsible series is kept for an offline device).
 */
export function buildFcmMessageFor(id: string, token: string, m: FcmMessageParts): { message: Record<string, unknown> } {
  const c = m.content;
  const dataOnly = c.contentAvailable === true;
  // Carillon's keys are set last: `id` is what the app dedupes on.
  const data = { ...stringData(c.data), ...c.fcm?.data };
  data.id = id;
  if (c.url !== undefined) data.url = c.url;
  if (!dataOnly && c.actions?.length) data.actions = JSON.stringify(c.actions.map((a) => ({ action: a.action, title: a.title, ...(a.url !== undefined ? { url: a.url } : {}) })));
  const reply = dataOnly ? undefined : c.replyThread;
  // A reply thread (docs/conversations.md#fcm): the keys that make the app offer a RemoteInput action.
  if (reply) Object.assign(data, { reply_conversation_id: reply.conversationId, reply_token: reply.token, reply_endpoint: reply.endpoint, reply_placeholder: reply.placeholder, reply_title: reply.title });
  const critical = c.interruptionLevel === 'critical';
  const sound = critical ? (c.sound ?? 'default') : c.silent ? undefined : c.sound;
  return buildFcmMessage({
    token,
    ...(dataOnly ? {} : { notification: { title: c.title, ...(c.body !== undefined ? { body: c.body } : {}), ...(c.image !== undefined ? { image: c.image } : {}) } }),
    data,
    android: {
      ttlSeconds: m.ttl,
      priority: androidPriority(c, m.urgency),
      collapseKey: reply ? reply.conversationId : (c.fcm?.collapseKey ?? m.topic),
      ...(dataOnly
        ? {}
        : {
            notification: {
              ...(c.tag !== undefined ? { tag: c.tag } : {}),
              // The thread's answers replace its notification on the device.
              ...(reply ? { tag: reply.conversationId } : {}),
              ...(sound !== undefined ? { sound } : {}),
              ...(c.category !== undefined ? { clickAction: c.category } : {}),
              ...(c.badgeCount !== undefined ? { notificationCount: c.badgeCount } : {}),
              ...(c.interruptionLevel !== undefined ? { notificationPriority: NOTIFICATION_PRIORITY[c.interruptionLevel] } : {}),
              ...(c.fcm?.channelId !== undefined ? { channelId: c.fcm.channelId } : {}),
              // A civic alert is shown in full on the lock screen.
              ...(critical ? { visibility: 'PUBLIC' as const } : {}),
            },
          }),
    },
    ...(c.fcm?.android ? { androidOverrides: c.fcm.android } : {}),
  });
}
