/**
 * The signed-in user's own quiet hours (docs/sdk.md#quiet-hours): a window of their own
 * clock in which campaign messages wait for its end, replacing the app's window for them.
 * With the publishable key, for the user that `setUserId` named, proven by its hash, as
 * the preferences are; the server is the judge of a window (`invalid_quiet_hours`, with a
 * pointer to the member at fault), the SDK only refuses what cannot be one before sending.
 */
import type { Api } from './api.ts';
import { CarillonError } from './errors.ts';
import { kvGet } from './store.ts';

/** A window of the user's clock, 24-hour `HH:MM` each; it may cross midnight (`22:30` to `07:00`). */
export interface QuietHours {
  start: string;
  end: string;
}

// The server's spelling (src/campaigns/timing/wall-time.ts): two digits each, 00:00 to 23:59.
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

async function signedIn(storage: boolean): Promise<{ userId: string; userIdHash: string | undefined }> {
  const state = storage ? await kvGet('state') : undefined;
  if (state?.userId === undefined) throw new CarillonError('user_required', 'Call setUserId() with the signed-in user first');
  return { userId: state.userId, userIdHash: state.userIdHash };
}

/** The user's own window, or null when they set none (the app's applies). */
export async function getQuietHours(api: Api, storage: boolean): Promise<QuietHours | null> {
  const { userId, userIdHash } = await signedIn(storage);
  return (await api.getQuietHours(userId, userIdHash)).quietHours;
}

/** Sets the user's own window, or with null removes it; resolves with what the server kept. */
export async function setQuietHours(api: Api, storage: boolean, quietHours: QuietHours | null): Promise<QuietHours | null> {
  if (quietHours !== null) {
    if (typeof quietHours !== 'object' || Array.isArray(quietHours)) throw new CarillonError('invalid_quiet_hours', 'quietHours must be {start: "HH:MM", end: "HH:MM"} or null');
    for (const key of ['start', 'end'] as const) {
      if (typeof quietHours[key] !== 'string' || !TIME.test(quietHours[key])) throw new CarillonError('invalid_quiet_hours', `quietHours.${key} must be a 24-hour time as HH:MM, such as 22:30`);
    }
  }
  const { userId, userIdHash } = await signedIn(storage);
  return (await api.setQuietHours(userId, userIdHash, quietHours)).quietHours;
}
