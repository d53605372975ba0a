/**
 * Civic alerts in the SDK, for the signed-in user: the zones they follow (postcodes,
 * county codes), whether they take test alerts, and their position, shared for alerts
 * only and only when the site asks (docs/sdk.md#civic-alerts). Nothing here runs by
 * itself: `navigator.geolocation` is asked only inside `shareLocation()`, so the browser's
 * location prompt appears only where the site chose to call it, and the user decides there.
 */
import type { Api } from './api.ts';
import { CarillonError } from './errors.ts';
import { kvGet } from './store.ts';

export interface AlertZone {
  /** The geocode scheme as CAP names it: `SAME`, `FIPS6`, `UGC`, a postcode scheme. */
  valueName: string;
  value: string;
}

export interface AlertChoices {
  zones: AlertZone[];
  testAlerts: boolean;
  location: { lat: number; lon: number; accuracy: number | null; updatedAt: string } | null;
}

export interface ShareLocationOptions {
  /** ms to wait for a position; default 15 s. */
  timeout?: number;
  /** ms a cached position may be old; default 10 minutes (alerts are about a neighbourhood, not a street). */
  maximumAge?: number;
  /** Ask for GPS accuracy (slower, more battery); default false. */
  enableHighAccuracy?: boolean;
}

async function signedIn(storage: boolean): Promise<{ path: string; proof: { userIdHash?: string }; query: string }> {
  const state = storage ? await kvGet('state') : undefined;
  if (state?.userId === undefined) throw new CarillonError('user_required', 'Call setUserId() with the signed-in user first');
  const hash = state.userIdHash;
  return { path: `/users/${encodeURIComponent(state.userId)}`, proof: hash !== undefined ? { userIdHash: hash } : {}, query: hash !== undefined ? `?userIdHash=${encodeURIComponent(hash)}` : '' };
}

function position(options: ShareLocationOptions): Promise<GeolocationPosition> {
  if (typeof navigator === 'undefined' || !('geolocation' in navigator)) return Promise.reject(new CarillonError('location_unavailable', 'This browser cannot tell its position'));
  return new Promise((resolve, reject) =>
    navigator.geolocation.getCurrentPosition(resolve, (err) => reject(err.code === err.PERMISSION_DENIED ? new CarillonError('location_denied', 'The user did not allow this site to know their position') : new CarillonError('location_unavailable', err.message || 'No position could be had')), {
      timeout: options.timeout ?? 15_000,
      maximumAge: options.maximumAge ?? 600_000,
      enableHighAccuracy: options.enableHighAccuracy ?? false,
    }),
  );
}

/** `carillon.alerts`: the signed-in user's civic alert choices. */
export class CarillonAlerts {
  readonly #api: Api;
  readonly #storage: boolean;

  constructor(api: Api, storage: boolean) {
    this.#api = api;
    this.#storage = storage;
  }

  /** The user's zones, test-alert opt-in and shared position. */
  async get(): Promise<AlertChoices> {
    const u = await signedIn(this.#storage);
    return this.#api.request('GET', `${u.path}/alert-choices${u.query}`);
  }

  /**
   * Replaces the zones the user follows; `[]` follows none.
   *
   *   await carillon.alerts.setZones([{ valueName: 'SAME', value: '006109' }]);
   */
  async setZones(zones: AlertZone[]): Promise<AlertChoices> {
    if (!Array.isArray(zones) || zones.some((z) => typeof z?.valueName !== 'string' || typeof z?.value !== 'string')) throw new CarillonError('invalid_request', 'zones must be a list of { valueName, value } strings');
    const u = await signedIn(this.#storage);
    return this.#api.request('PUT', `${u.path}/alert-choices`, { zones: zones.map((z) => ({ valueName: z.valueName, value: z.value })), ...u.proof });
  }

  /** Whether the user takes Exercise and Test alerts (the site's testers). */
  async setTestAlerts(on: boolean): Promise<AlertChoices> {
    if (typeof on !== 'boolean') throw new CarillonError('invalid_request', 'setTestAlerts takes true or false');
    const u = await signedIn(this.#storage);
    return this.#api.request('PUT', `${u.path}/alert-choices`, { testAlerts: on, ...u.proof });
  }

  /**
   * Asks the browser for the user's position (the browser asks the user, once per site)
   * and keeps it for alerts alone. Call it from the site's own "alert me where I am"
   * control. Rejects with `location_denied` or `location_unavailable`; nothing is sent then.
   */
  async shareLocation(options: ShareLocationOptions = {}): Promise<AlertChoices> {
    const u = await signedIn(this.#storage);
    const p = await position(options);
    return this.#api.request('PUT', `${u.path}/alert-location`, { lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy, ...u.proof });
  }

  /** Forgets the shared position (the user changed their mind); zones stay. */
  async forgetLocation(): Promise<void> {
    const u = await signedIn(this.#storage);
    await this.#api.request('DELETE', `${u.path}/alert-location${u.query}`);
  }
}
