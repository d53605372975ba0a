import type { Api } from './api.ts';
import { kvGet, kvUpdate } from './store.ts';

/** What the page's and the worker's PushSubscription have in common with the test doubles. */
export interface PushSubscriptionLike {
  readonly endpoint: string;
  toJSON(): PushSubscriptionJSON;
}

/**
 * Registers the browser's subscription with the user id and tags the site gave, and
 * remembers its id. Used by the page after a subscribe and by the service worker when the
 * browser replaces the subscription (`pushsubscriptionchange`).
 */
export async function registerSubscription(api: Api, sub: PushSubscriptionLike): Promise<{ id: string; created: boolean }> {
  const state = (await kvGet('state')) ?? {};
  const json = sub.toJSON();
  const keys = json.keys ?? {};
  const { id, created } = await api.register({
    endpoint: json.endpoint ?? sub.endpoint,
    keys: { p256dh: keys.p256dh ?? '', auth: keys.auth ?? '' },
    expirationTime: json.expirationTime ?? null,
    // The server keeps the fields a registration does not carry (docs/sdk.md, "What a
    // registration changes"): after a sign-out only an explicit null drops the user id.
    ...(state.userId !== undefined ? { userId: state.userId } : state.userIdCleared ? { userId: null } : {}),
    ...(state.userId !== undefined && state.userIdHash !== undefined ? { userIdHash: state.userIdHash } : {}),
    ...(state.tags !== undefined ? { tags: state.tags } : {}),
    ...deviceFields(),
  });
  if (state.subscriptionId !== undefined && state.subscriptionId !== id) {
    // The browser replaced its endpoint, so the old one is dead: remove it now rather than
    // wait for a delivery to fail and prune it.
    await api.remove(state.subscriptionId).catch(() => undefined);
  }
  await kvUpdate('state', (s) => {
    const next = { ...s, subscriptionId: id, endpoint: sub.endpoint };
    // Sent and taken: the server holds no user id now. Forgotten unless a new sign-in and sign-out came meanwhile.
    if (state.userIdCleared && next.userId === undefined) delete next.userIdCleared;
    return next;
  });
  return { id, created };
}

/** Language and time zone, for localised content and local-time delivery. */
export function deviceFields(): { language?: string; timezone?: string } {
  const fields: { language?: string; timezone?: string } = {};
  const language = navigator.language;
  // The server's pattern: a BCP 47 tag of letters and digits.
  if (typeof language === 'string' && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(language)) fields.language = language;
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (timezone) fields.timezone = timezone;
  return fields;
}
