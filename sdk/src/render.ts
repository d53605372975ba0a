/**
 * From the Declarative Web Push message (WebKit's format, which Carillon sends to every
 * browser) to a `showNotification()` call, and from a click back to the page to open.
 * Pure functions: the service worker does the I/O.
 */

/** `notification` of `{"web_push": 8030, "notification": {...}}` as Carillon builds it. */
export interface DeclarativeNotification {
  title: string;
  body?: string;
  navigate?: string;
  icon?: string;
  image?: string;
  badge?: string;
  tag?: string;
  lang?: string;
  dir?: 'auto' | 'ltr' | 'rtl';
  silent?: boolean;
  require_interaction?: boolean;
  /** Alert again when it replaces one with the same tag (the next message of a conversation). */
  renotify?: boolean;
  /** `type: "text"` with a `placeholder`: an inline reply where the browser has one (Chromium). */
  actions?: { action: string; title: string; navigate?: string; icon?: string; type?: 'button' | 'text'; placeholder?: string }[];
  data?: Record<string, unknown>;
}

/** The options `showNotification()` takes (TypeScript's DOM types lack actions and image). */
export interface ShowOptions {
  body?: string;
  icon?: string;
  image?: string;
  badge?: string;
  tag?: string;
  lang?: string;
  dir?: 'auto' | 'ltr' | 'rtl';
  silent?: boolean;
  requireInteraction?: boolean;
  renotify?: boolean;
  actions?: { action: string; title: string; icon?: string; type?: 'button' | 'text'; placeholder?: string }[];
  data: Record<string, unknown>;
}

/**
 * Where a click goes and who to report it for, kept in `notification.data` under this key
 * (browsers other than Safari drop `navigate` from the shown notification).
 */
export const ROUTING_KEY = '_carillon';

export interface Routing {
  navigate?: string;
  /** action → URL, for the actions that have their own `navigate`. */
  actions?: Record<string, string>;
  /** The subscription that displayed it, for click and dismiss reports. */
  subscriptionId?: string;
}

/** The message's notification, or undefined when the push is not a Declarative Web Push message. */
export function parsePush(json: unknown): DeclarativeNotification | undefined {
  if (!isObject(json) || json.web_push !== 8030) return undefined;
  const n = json.notification;
  if (!isObject(n) || typeof n.title !== 'string') return undefined;
  return n as unknown as DeclarativeNotification;
}

/** The title and options to show, and the notification id that a second copy would repeat. */
export function renderNotification(n: DeclarativeNotification, subscriptionId?: string): { id: string | undefined; title: string; options: ShowOptions } {
  const routing: Routing = {};
  if (n.navigate !== undefined) routing.navigate = n.navigate;
  if (subscriptionId !== undefined) routing.subscriptionId = subscriptionId;
  const options: ShowOptions = { data: { ...n.data } };
  for (const key of ['body', 'icon', 'image', 'badge', 'tag', 'lang', 'dir', 'silent'] as const) {
    if (n[key] !== undefined) (options as unknown as Record<string, unknown>)[key] = n[key];
  }
  if (n.require_interaction) options.requireInteraction = true;
  // renotify needs a tag; a browser refuses the notification otherwise.
  if (n.renotify && n.tag !== undefined) options.renotify = true;
  if (n.actions?.length) {
    options.actions = n.actions.map((a) => ({
      action: a.action,
      title: a.title,
      ...(a.icon !== undefined ? { icon: a.icon } : {}),
      ...(a.type === 'text' ? { type: 'text' as const, ...(a.placeholder !== undefined ? { placeholder: a.placeholder } : {}) } : {}),
    }));
    const withTarget = n.actions.filter((a) => a.navigate !== undefined);
    if (withTarget.length) routing.actions = Object.fromEntries(withTarget.map((a) => [a.action, a.navigate!]));
  }
  options.data[ROUTING_KEY] = routing;
  const id = typeof n.data?.id === 'string' ? n.data.id : undefined;
  return { id, title: n.title, options };
}

/** The routing a shown notification carries (see `renderNotification`). */
export function routingOf(data: unknown): Routing {
  const routing = isObject(data) ? data[ROUTING_KEY] : undefined;
  return isObject(routing) ? (routing as Routing) : {};
}

/**
 * The absolute URL a click opens: the chosen action's own `navigate`, else the
 * notification's; relative URLs resolve against the site (the worker's origin).
 *
 * A click on a notification that can be answered (`data.reply`) opens its reply page when
 * the notification has no page of its own, and also wherever the browser shows no action
 * buttons (`showsActions` false: Firefox ESR 140, Safari), since the body is then the only
 * way to the Reply action; a Firefox user could otherwise never reply (issue #18).
 *
 *   clickTarget(data, '', 'https://shop.example', Notification.maxActions > 0)
 */
export function clickTarget(data: unknown, action: string, origin: string, showsActions: boolean): string | undefined {
  const routing = routingOf(data);
  const own = (action && routing.actions?.[action]) || routing.navigate;
  const replyPage = action === '' ? replyPageOf(data) : undefined;
  const url = replyPage !== undefined && (own === undefined || !showsActions) ? replyPage : own;
  if (url === undefined) return undefined;
  try {
    return new URL(url, origin).href;
  } catch {
    return undefined;
  }
}

/** The thread's reply page, when the notification can be answered. */
function replyPageOf(data: unknown): string | undefined {
  const page = isObject(data) && isObject(data.reply) ? (data.reply as Partial<ReplyThread>).page : undefined;
  return typeof page === 'string' ? page : undefined;
}

/** A conversation's reply as Carillon's push carries it in `data.reply` (docs/conversations.md). */
export interface ReplyThread {
  conversationId: string;
  token: string;
  endpoint: string;
  page: string;
  /** On a thread's answer: the answer's seq; its buttons without a URL are choices. */
  answer?: number;
}

/** The action of Carillon's reply field (docs/conversations.md). */
export const REPLY_ACTION = 'reply';

/** What a click posts to the thread (see `replyRequest`). */
export interface ReplyPost {
  url: string;
  body: string;
  /** The action the click is reported as: the reply's, or the button tapped. */
  action: string;
  /** Where the user can try again if the post fails, when the action has no page of its own: the thread's reply page. */
  page?: string;
}

/**
 * What a click on a notification of a thread posts to it, or undefined when it posts nothing:
 *
 * - the reply action with text typed inline (Chromium hands it over as NotificationEvent.reply):
 *   `{token, text, clientId}`; without text nothing is posted here (the action's `navigate`
 *   opens the reply page). Text typed with no action is a reply too: Chromium on Linux takes
 *   it from the desktop's notification server (KDE's NotificationReplied signal), which names
 *   no action, and fires the click with `action` empty. Only a text action takes text, and
 *   Carillon's notification has one, the reply.
 * - another of its buttons that has no URL of its own (a slot the assistant offered,
 *   `slot:tue-10`) on a push that is a thread's answer (`data.reply.answer`, its seq): the
 *   tap is the user's next message in the thread (docs/conversations.md#a-tapped-button),
 *   `{token, text: the button's title, clientId, choice: its action}`, the title as
 *   `buttons` (the shown notification's `actions`) holds it. The buttons of the thread's
 *   first notification ("Later", "Archive") are the app's own, no answer's: a tap on one
 *   posts nothing and stays a click (`clickTarget`).
 */
export function replyRequest(data: unknown, action: string, typed: unknown, clientId: string, buttons: readonly { action: string; title: string }[] = []): ReplyPost | undefined {
  if (!isObject(data) || !isObject(data.reply)) return undefined;
  const r = data.reply as Partial<ReplyThread>;
  if (typeof r.endpoint !== 'string' || typeof r.token !== 'string') return undefined;
  if (action === REPLY_ACTION || action === '') {
    if (typeof typed !== 'string' || typed.trim() === '') return undefined;
    return { url: r.endpoint, body: JSON.stringify({ token: r.token, text: typed, clientId }), action: REPLY_ACTION };
  }
  if (typeof r.answer !== 'number') return undefined;
  const button = buttons.find((b) => b.action === action);
  if (button === undefined || routingOf(data).actions?.[action] !== undefined) return undefined;
  return { url: r.endpoint, body: JSON.stringify({ token: r.token, text: button.title, clientId, choice: action }), action, ...(typeof r.page === 'string' ? { page: r.page } : {}) };
}

/** The open window already showing `target` (focused rather than opening a second one). */
export function findWindow<C extends { url: string }>(windows: readonly C[], target: string): C | undefined {
  return windows.find((w) => w.url === target);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
