import { REPLY_CATEGORY, type MessageContent } from '../../message/content.ts';
import { buildApnsPayload, type ApnsPayloadInput } from '../../protocol/apns/payload.ts';

/**
 * One notification as APNs JSON (documented in docs/app-push.md). `id` sits beside `aps`
 * so the app drops a second copy after a retry, as `data.id` does on the web.
 *
 * - `contentAvailable` makes a background push: `content-available: 1` and nothing shown
 *   (Apple: a background notification carries no alert, sound or badge).
 * - `image` sets `mutable-content: 1`, so the app's notification service extension can
 *   download it before display; the URL is in the top-level `image` key.
 * - `actions` are the app's registered `category`; their titles and URLs travel as
 *   `actions` for an extension that builds the buttons itself.
 */
export function buildApnsPayloadFor(id: string, c: MessageContent): Record<string, unknown> {
  const background = c.contentAvailable === true;
  const critical = c.interruptionLevel === 'critical';
  const input: ApnsPayloadInput = background
    ? { contentAvailable: true, aps: c.apns?.aps }
    : {
        alert: { title: c.title, ...(c.apns?.subtitle !== undefined ? { subtitle: c.apns.subtitle } : {}), ...(c.body !== undefined ? { body: c.body } : {}) },
        // A critical alert always plays a sound; `silent` (the web's "no sound") wins otherwise.
        ...(critical ? { sound: c.sound ?? 'default' } : !c.silent && c.sound !== undefined ? { sound: c.sound } : {}),
        ...(c.badgeCount !== undefined ? { badge: c.badgeCount } : {}),
        ...(c.threadId !== undefined ? { threadId: c.threadId } : {}),
        ...(c.category !== undefined ? { category: c.category } : {}),
        // A reply thread (docs/conversations.md#apns): the category of the app's text input action, the thread as thread-id.
        ...(c.replyThread ? { category: REPLY_CATEGORY, threadId: c.replyThread.conversationId } : {}),
        mutableContent: c.image !== undefined,
        ...(c.interruptionLevel !== undefined ? { interruptionLevel: c.interruptionLevel } : {}),
        aps: c.apns?.aps,
      };
  const custom: Record<string, unknown> = { ...c.data, id };
  if (c.url !== undefined) custom.url = c.url;
  if (!background && c.image !== undefined) custom.image = c.image;
  if (!background && c.replyThread) custom.reply = { conversationId: c.replyThread.conversationId, token: c.replyThread.token, endpoint: c.replyThread.endpoint };
  if (!background && c.actions?.length) custom.actions = c.actions.map((a) => ({ action: a.action, title: a.title, ...(a.url !== undefined ? { url: a.url } : {}) }));
  return buildApnsPayload(input, custom);
}
