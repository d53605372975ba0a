import type { MessageContent } from '../../message/content.ts';

/**
 * The Declarative Web Push message (WebKit's format, shown by Safari without a service
 * worker; Carillon's service worker renders the same JSON elsewhere). `data.id` carries
 * the notification id so the receiver drops a second copy after a retry.
 */
export function buildWebPushPayload(id: string, c: MessageContent): Record<string, unknown> {
  const notification: Record<string, unknown> = { title: c.title };
  if (c.body !== undefined) notification.body = c.body;
  if (c.url !== undefined) notification.navigate = c.url;
  for (const key of ['lang', 'dir', 'silent', 'icon', 'image', 'badge', 'tag'] as const) {
    if (c[key] !== undefined) notification[key] = c[key];
  }
  if (c.requireInteraction) notification.require_interaction = true;
  if (c.actions?.length) {
    notification.actions = c.actions.map((a) => ({
      action: a.action,
      title: a.title,
      ...(a.url !== undefined ? { navigate: a.url } : {}),
      ...(a.icon !== undefined ? { icon: a.icon } : {}),
    }));
  }
  notification.data = { ...c.data, id };
  if (c.replyThread) addReply(notification, c.replyThread);
  return { web_push: 8030, notification };
}

/**
 * A notification that can be answered (docs/conversations.md#web-push): Chromium's
 * non-standard text action (`type: "text"`, the reply in NotificationEvent.reply), which
 * elsewhere is a button opening the reply page; the thread as the tag, with `renotify` so
 * each answer replacing the one before still alerts; the token in `data.reply`, and on an
 * answer's push the answer's seq (`data.reply.answer`), without which the service worker
 * posts no button as a choice.
 */
function addReply(notification: Record<string, unknown>, t: NonNullable<MessageContent['replyThread']>): void {
  const actions = (notification.actions as Record<string, unknown>[] | undefined) ?? [];
  notification.actions = [...actions, { action: 'reply', title: t.title, type: 'text', placeholder: t.placeholder, navigate: t.page }];
  notification.tag = t.conversationId;
  notification.renotify = true;
  notification.data = { ...(notification.data as Record<string, unknown>), reply: { conversationId: t.conversationId, token: t.token, endpoint: t.endpoint, page: t.page, ...(t.answer !== undefined ? { answer: t.answer } : {}) } };
}

const ENCODER = new TextEncoder();
/** Per content object, the plaintext built for it (and the id it was built with): see webPushPlaintext. */
const plaintexts = new WeakMap<MessageContent, { id: string; bytes: Uint8Array }>();

/**
 * The payload's UTF-8 bytes, built once per content object and notification id: the
 * deliver job's size check (`payloadBytes`, plan-sends.ts) and the sender read the same
 * bytes, so a batch builds each distinct message once, not twice (bench section 8: a
 * personalised campaign has a message per rendering). Held weakly: the bytes go with the
 * batch's content objects. Bytes that own their memory (not a view of Node's pool slab),
 * since the crypto threads are posted a copy of them. Do not change the bytes.
 */
export function webPushPlaintext(id: string, c: MessageContent): Uint8Array {
  const known = plaintexts.get(c);
  if (known !== undefined && known.id === id) return known.bytes;
  const bytes = ENCODER.encode(JSON.stringify(buildWebPushPayload(id, c)));
  plaintexts.set(c, { id, bytes });
  return bytes;
}
