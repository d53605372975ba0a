/**
 * What the SDK does for the signed-in user, apart from push: the user's language, time
 * zone and sessions, custom attributes, tracked events and notification preferences, all
 * with the publishable key for the user that `setUserId` named, proven by its hash.
 */
import type { Api, AttributeValue } from './api.ts';
import { CarillonError } from './errors.ts';
import { trackEvent } from './events.ts';
import { deviceFields } from './registration.ts';
import { kvGet, kvUpdate } from './store.ts';

/** A tracked event's properties: flat, scalars only (the server's rule; docs/sdk.md#tracking-events). */
export type EventProperties = Record<string, string | number | boolean | null>;

// As the server checks it (src/audience/events/limits.ts), so a typo fails at the call, not in the queue.
const EVENT_NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;

/** The signed-in user and its proof, or `user_required`. */
async function signedIn(storage: boolean): Promise<{ userId: string; userIdHash: string | undefined }> {
  const state = storage ? await kvGet('state') : undefined;
  if (state?.userId === undefined) throw new CarillonError('user_required', 'Call setUserId() with the signed-in user first');
  return { userId: state.userId, userIdHash: state.userIdHash };
}

function proof(userIdHash: string | undefined): { userIdHash?: string } {
  return userIdHash !== undefined ? { userIdHash } : {};
}

/** Marks activity now, so that the next page load within SESSION_TIMEOUT is the same session. */
async function touch(): Promise<void> {
  await kvUpdate('state', (s) => ({ ...s, lastActivityAt: Date.now() })).catch(() => undefined);
}

/**
 * Tells the server the user's language and time zone, and counts a session start when
 * one began. Best effort, as the rest of init: a failure (offline, a stale hash) must
 * not break the page, and the next page view tries again.
 */
export async function syncUser(api: Api, userId: string, userIdHash: string | undefined, sessionStart: boolean): Promise<void> {
  await api.putUser(userId, { ...deviceFields(), ...proof(userIdHash) }).catch(() => undefined);
  if (sessionStart) await api.startSession(userId, userIdHash).catch(() => undefined);
}

export async function setAttributes(api: Api, storage: boolean, attributes: Record<string, AttributeValue>): Promise<void> {
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) throw new CarillonError('invalid_request', 'attributes must be an object');
  const { userId, userIdHash } = await signedIn(storage);
  await touch();
  await api.putUser(userId, { attributes, ...proof(userIdHash) });
}

export async function track(api: Api, storage: boolean, name: string, properties?: EventProperties): Promise<void> {
  if (typeof name !== 'string' || !EVENT_NAME.test(name)) {
    throw new CarillonError('invalid_event_name', 'The event name must be a letter, then letters, digits and _ . : -, 64 characters at most');
  }
  if (properties !== undefined && (typeof properties !== 'object' || properties === null || Array.isArray(properties))) {
    throw new CarillonError('invalid_event_property', 'properties must be a flat object of strings, numbers, booleans and nulls');
  }
  const { userId, userIdHash } = await signedIn(storage);
  await touch();
  await trackEvent(api, { userId, ...proof(userIdHash), name, ...(properties !== undefined ? { properties: { ...properties } } : {}) });
}

export async function getPreferences(api: Api, storage: boolean): Promise<Record<string, boolean>> {
  const { userId, userIdHash } = await signedIn(storage);
  return api.getPreferences(userId, userIdHash);
}

export async function setPreferences(api: Api, storage: boolean, preferences: Record<string, boolean>): Promise<Record<string, boolean>> {
  const bad = typeof preferences === 'object' && preferences !== null ? Object.entries(preferences).find(([, v]) => typeof v !== 'boolean') : undefined;
  if (typeof preferences !== 'object' || preferences === null || bad) {
    throw new CarillonError('invalid_request', `preferences must map categories to true or false${bad ? ` (see "${bad[0]}")` : ''}`);
  }
  const { userId, userIdHash } = await signedIn(storage);
  await touch();
  const saved = await api.setPreferences(userId, userIdHash, preferences);
  // An answer without the categories (204) is read back, so the caller always gets them all.
  return saved !== null && typeof saved === 'object' && Object.keys(saved).length > 0 ? saved : api.getPreferences(userId, userIdHash);
}
