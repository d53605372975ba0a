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
  return { web_push: 8030, notification };
}
