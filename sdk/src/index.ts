/**
 * Carillon's browser SDK: asks for permission (soft-ask first), subscribes the browser with
 * the app's VAPID key, registers the subscription with Carillon, and reports the opt-in
 * steps so the opt-in rate can be computed. The service worker (sw.ts) shows what arrives.
 *
 *   import { Carillon } from 'https://push.example.com/sdk/carillon.js';
 *   const carillon = await Carillon.init({ appId, publishableKey, serverUrl: 'https://push.example.com',
 *     softAsk: { title: 'Get a message when your order ships?' } });
 *   button.onclick = () => carillon.prompt();
 */
import { Api, type AttributeValue } from './api.ts';
import { base64urlToBytes, sameBytes } from './base64url.ts';
import { CarillonError } from './errors.ts';
import { flush, report, type SdkEvent } from './events.ts';
import { renderPreferencesForm, type PreferencesFormOptions } from './preferences-form.ts';
import { registerSubscription } from './registration.ts';
import { startsSession } from './session.ts';
import { DEFAULT_SOFT_ASK_DELAY, showSoftAsk, softAskDue, type SoftAskOptions } from './soft-ask.ts';
import { kvGet, kvSet, kvUpdate, type StoredState } from './store.ts';
import { getPreferences, setAttributes, setPreferences, syncUser, track, type EventProperties } from './user.ts';
import { CarillonAlerts } from './alerts.ts';
import { getQuietHours, setQuietHours, type QuietHours } from './quiet-hours.ts';
import { checkOptions, isSupported } from './options.ts';

export { CarillonError, CLIENT_ERRORS, ERRORS, type ErrorCode } from './errors.ts';
export type { SoftAskOptions } from './soft-ask.ts';
export type { PreferencesFormOptions } from './preferences-form.ts';
export type { AttributeValue } from './api.ts';
export type { EventProperties } from './user.ts';
export { CarillonAlerts, type AlertChoices, type AlertZone, type ShareLocationOptions } from './alerts.ts';
export type { QuietHours } from './quiet-hours.ts';

export interface CarillonOptions {
  appId: string;
  /** The app's publishable key (`crl_pk_…`); never the secret key. */
  publishableKey: string;
  /** Where Carillon answers, e.g. `https://push.example.com`. */
  serverUrl: string;
  /** Path of the service worker on the site's origin. Default `/carillon-sw.js`. */
  serviceWorkerPath?: string;
  /** Its scope; default the folder of `serviceWorkerPath`. */
  serviceWorkerScope?: string;
  /** The site's own question before the browser's prompt; without it `prompt()` goes straight to the browser's. */
  softAsk?: SoftAskOptions;
}

/**
 * How `prompt()` ended: `subscribed`; the soft-ask was `dismissed`, or is `snoozed` (dismissed
 * less than `softAsk.delay` ago, not shown); the browser's permission is `denied`, or its
 * prompt was closed without a choice (`default`); or the browser cannot do web push (`unsupported`).
 */
export type PromptResult = 'subscribed' | 'dismissed' | 'snoozed' | 'denied' | 'default' | 'unsupported';

export interface CarillonState {
  supported: boolean;
  permission: NotificationPermission | 'unsupported';
  subscribed: boolean;
  subscriptionId: string | null;
  userId: string | null;
  tags: Record<string, string>;
  /** ms since epoch: when the soft-ask was last dismissed, and when `prompt()` will show it again. */
  softAskDismissedAt: number | null;
  softAskNextAt: number | null;
}

export class Carillon {
  readonly #options: CarillonOptions;
  readonly #api: Api;
  #registration: Promise<ServiceWorkerRegistration> | undefined;
  /** The browser can do web push here, and its storage works. */
  #supported = false;
  /** IndexedDB works: the user, the session and the event queue can be kept (with or without web push). */
  #storage = false;

  private constructor(options: CarillonOptions) {
    this.#options = options;
    this.#api = new Api(options);
  }

  /**
   * Starts the SDK on a page: call it on every page view. It registers the service worker,
   * sends events left over from earlier pages and, when this browser is already subscribed,
   * brings the subscription up to date. It resolves in browsers without web push too (then
   * `prompt()` answers `unsupported`).
   */
  static async init(options: CarillonOptions): Promise<Carillon> {
    checkOptions(options);
    const carillon = new Carillon(options);
    if (typeof indexedDB === 'undefined') return carillon;
    const { appId, publishableKey, serverUrl } = options;
    const now = Date.now();
    let lastActivityAt: number | undefined;
    try {
      // The worker reports events and re-registers with these; the VAPID key is kept while the app is the same.
      await kvUpdate('config', (old) => ({ appId, publishableKey, serverUrl, ...(old?.appId === appId && old.vapidPublicKey ? { vapidPublicKey: old.vapidPublicKey } : {}) }));
      await kvUpdate('state', (s) => {
        lastActivityAt = s?.lastActivityAt;
        return { ...s, lastActivityAt: now };
      });
    } catch {
      // IndexedDB refused (some private windows): without it the worker cannot work either.
      return carillon;
    }
    carillon.#storage = true;
    // The user's language, time zone and session, whether or not this browser can do web push.
    const state = (await kvGet('state').catch(() => undefined)) ?? {};
    if (state.userId !== undefined) await syncUser(carillon.#api, state.userId, state.userIdHash, startsSession(lastActivityAt, now));
    if (!isSupported()) {
      void flush(carillon.#api).catch(() => undefined);
      return carillon;
    }
    carillon.#supported = true;
    const path = options.serviceWorkerPath ?? '/carillon-sw.js';
    carillon.#registration = navigator.serviceWorker.register(path, options.serviceWorkerScope ? { scope: options.serviceWorkerScope } : undefined);
    // A failed registration is reported by prompt(), not here: init runs on every page view.
    carillon.#registration.catch(() => undefined);
    void flush(carillon.#api).catch(() => undefined);
    await carillon.#resync().catch(() => undefined);
    return carillon;
  }

  /**
   * Asks for permission and subscribes: the soft-ask (when configured and due), then the
   * browser's prompt, then the subscription. Already granted: subscribes without asking.
   * Call it from a click where you can (Firefox and Safari prompt only then).
   */
  async prompt(): Promise<PromptResult> {
    if (!this.#supported) return 'unsupported';
    if (Notification.permission === 'granted') {
      await this.#subscribe();
      return 'subscribed';
    }
    if (Notification.permission === 'denied') return 'denied';

    const soft = this.#options.softAsk;
    if (soft && !softAskDue((await kvGet('state'))?.softAskDismissedAt, Date.now(), soft.delay ?? DEFAULT_SOFT_ASK_DELAY)) return 'snoozed';
    this.#report({ type: 'prompt_shown' });
    let permission: NotificationPermission;
    if (soft) {
      const answer = await showSoftAsk(soft, () => Notification.requestPermission());
      if (!answer.accepted) {
        this.#report({ type: 'softask_dismissed' });
        await this.#snooze();
        return 'dismissed';
      }
      this.#report({ type: 'softask_accepted' });
      permission = await answer.permission;
    } else {
      permission = await Notification.requestPermission();
    }
    if (permission === 'granted') {
      this.#report({ type: 'permission_granted' });
      await this.#subscribe();
      return 'subscribed';
    }
    if (permission === 'denied') {
      this.#report({ type: 'permission_denied' });
      return 'denied';
    }
    // The browser's prompt was closed without a choice: the same pause as a "not now".
    await this.#snooze();
    return 'default';
  }

  /**
   * Names the signed-in user (null on sign-out), so notifications can target them by id.
   * When the app verifies identities (the default), pass `userIdHash`: the hex
   * HMAC-SHA-256 of the user id under the app's identity secret, computed by your server
   * for the user it has signed in. A hash the server refuses rejects with
   * `identity_not_verified`, and the user id is left as it was.
   */
  async setUserId(userId: string | null, userIdHash?: string): Promise<void> {
    if (userId !== null && (typeof userId !== 'string' || userId.length < 1 || userId.length > 256)) {
      throw new CarillonError('invalid_request', 'userId must be a string of 1 to 256 characters, or null');
    }
    if (userIdHash !== undefined && (typeof userIdHash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(userIdHash))) {
      throw new CarillonError('invalid_request', 'userIdHash must be the 64 hex digits of an HMAC-SHA-256');
    }
    const before = this.#storage ? ((await kvGet('state')) ?? {}) : {};
    try {
      await this.#updateState((s) => withUser(s, userId ?? undefined, userId === null ? undefined : userIdHash));
    } catch (err) {
      // Not kept: every later registration of this browser would be refused the same way.
      if (err instanceof CarillonError && err.code === 'identity_not_verified') await kvUpdate('state', (s) => ({ ...withUser(s ?? {}, before.userId, before.userIdHash), ...(before.userIdCleared ? { userIdCleared: true } : {}) }));
      throw err;
    }
    // A sign-in (a user other than the one before) starts that user's session on this
    // device; a new hash for the same user (a rotated secret) only refreshes the record.
    if (userId !== null && (userId !== before.userId || userIdHash !== before.userIdHash)) await syncUser(this.#api, userId, userIdHash, userId !== before.userId);
  }

  /**
   * Sets custom attributes of the signed-in user (null removes one). With the publishable
   * key a browser may set only the keys the app lists in its `browserAttributes`; any other
   * rejects with `attribute_not_writable` and nothing is stored. Without a user it rejects
   * with `user_required`.
   *
   *   await carillon.setAttributes({ plan: 'pro', newsletter: true });
   */
  setAttributes(attributes: Record<string, AttributeValue>): Promise<void> {
    return setAttributes(this.#api, this.#storage, attributes);
  }

  /**
   * Records that the signed-in user did something (POST /track), queued in the browser
   * while the server cannot be reached and counted once however often it is sent.
   *
   *   await carillon.track('viewed_item', { sku: 'A-1', price: 12.5 });
   */
  track(name: string, properties?: EventProperties): Promise<void> {
    return track(this.#api, this.#storage, name, properties);
  }

  /** The signed-in user's civic alert choices: zones, test alerts, a position shared for alerts (sdk/src/alerts.ts). */
  get alerts(): CarillonAlerts {
    return new CarillonAlerts(this.#api, this.#storage);
  }

  /** The signed-in user's preferences: every category of the app, true unless turned off. */
  getPreferences(): Promise<Record<string, boolean>> {
    return getPreferences(this.#api, this.#storage);
  }

  /** Turns categories on or off for the signed-in user (`{ promotions: false }`); resolves with all of them. */
  setPreferences(preferences: Record<string, boolean>): Promise<Record<string, boolean>> {
    return setPreferences(this.#api, this.#storage, preferences);
  }

  /**
   * The signed-in user's own quiet hours, or null when they set none (the app's apply):
   * campaign messages due inside the window wait for its end on the user's clock.
   */
  getQuietHours(): Promise<QuietHours | null> {
    return getQuietHours(this.#api, this.#storage);
  }

  /**
   * Sets the signed-in user's own quiet hours, replacing the app's for them, or with null
   * goes back to the app's; resolves with the window kept.
   *
   *   await carillon.setQuietHours({ start: '22:30', end: '07:00' });
   */
  setQuietHours(quietHours: QuietHours | null): Promise<QuietHours | null> {
    return setQuietHours(this.#api, this.#storage, quietHours);
  }

  /**
   * Shows a ready-made preference form in `element` (its content is replaced): a checkbox
   * per category with its label, in a fieldset, saved as soon as a box changes.
   *
   *   await carillon.showPreferences(document.querySelector('#notification-settings'), { labels: { promotions: 'Offers and sales' } });
   */
  async showPreferences(element: HTMLElement, options?: PreferencesFormOptions): Promise<void> {
    await renderPreferencesForm(element, { get: () => this.getPreferences(), set: (change) => this.setPreferences(change) }, options);
  }

  /** Replaces this browser's tags (string values; at most 50), the keys of segments. */
  async setTags(tags: Record<string, string>): Promise<void> {
    const entries = Object.entries(tags ?? {});
    const bad = entries.find(([k, v]) => k.length < 1 || k.length > 64 || typeof v !== 'string' || v.length > 256);
    if (typeof tags !== 'object' || tags === null || entries.length > 50 || bad) {
      throw new CarillonError('invalid_request', `tags must be at most 50 string values, keys of 1 to 64 and values of at most 256 characters${bad ? ` (see "${bad[0]}")` : ''}`);
    }
    await this.#updateState((s) => ({ ...s, tags: { ...tags } }));
  }

  /** Ends the subscription in the browser and on the server. */
  async unsubscribe(): Promise<void> {
    if (!this.#supported) return;
    const registration = await this.#serviceWorker();
    await (await registration.pushManager.getSubscription())?.unsubscribe();
    const { subscriptionId } = (await kvGet('state')) ?? {};
    await kvUpdate('state', (s) => {
      const { subscriptionId: _id, endpoint: _endpoint, ...rest } = s ?? {};
      return rest;
    });
    if (subscriptionId === undefined) return;
    this.#report({ type: 'unsubscribed', subscriptionId });
    // Best effort: the push service now answers 410 for this endpoint, and the server prunes it then.
    await this.#api.remove(subscriptionId).catch(() => undefined);
  }

  async getState(): Promise<CarillonState> {
    const supported = this.#supported;
    const state: StoredState = (supported ? await kvGet('state') : undefined) ?? {};
    let subscribed = false;
    if (supported && state.subscriptionId !== undefined) {
      const registration = await this.#registration!.catch(() => undefined);
      subscribed = (await registration?.pushManager.getSubscription()) != null;
    }
    const dismissedAt = state.softAskDismissedAt ?? null;
    return {
      supported,
      permission: supported ? Notification.permission : 'unsupported',
      subscribed,
      subscriptionId: subscribed ? state.subscriptionId! : null,
      userId: state.userId ?? null,
      tags: state.tags ?? {},
      softAskDismissedAt: dismissedAt,
      softAskNextAt: dismissedAt === null ? null : dismissedAt + (this.#options.softAsk?.delay ?? DEFAULT_SOFT_ASK_DELAY),
    };
  }

  /** Subscribes the browser with the app's VAPID key (permission is granted) and registers it. */
  async #subscribe(): Promise<void> {
    const registration = await this.#serviceWorker();
    const vapidKey = base64urlToBytes(await this.#vapidPublicKey());
    let sub = await registration.pushManager.getSubscription();
    if (sub && !sameBytes(sub.options.applicationServerKey, vapidKey)) {
      // Made with another key (another app, or a rotated key): the push service would refuse our VAPID signature.
      await sub.unsubscribe();
      sub = null;
    }
    sub ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: vapidKey });
    const { id, created } = await registerSubscription(this.#api, sub);
    if (created) this.#report({ type: 'subscribed', subscriptionId: id });
  }

  /**
   * Brings the server up to date when the browser's subscription changed while no page was
   * open (Chromium does not fire `pushsubscriptionchange`), or was lost while permission stayed.
   */
  async #resync(): Promise<void> {
    if (Notification.permission !== 'granted') return;
    const state = (await kvGet('state')) ?? {};
    if (state.subscriptionId === undefined) return;
    const registration = await this.#serviceWorker();
    const sub = await registration.pushManager.getSubscription();
    if (!sub) await this.#subscribe();
    else if (sub.endpoint !== state.endpoint) await registerSubscription(this.#api, sub);
  }

  async #updateState(change: (s: StoredState) => StoredState): Promise<void> {
    if (!this.#storage) return;
    const state = await kvUpdate('state', (s) => change(s ?? {}));
    if (!this.#supported || state.subscriptionId === undefined || Notification.permission !== 'granted') return;
    const sub = await (await this.#serviceWorker()).pushManager.getSubscription();
    if (sub) await registerSubscription(this.#api, sub);
  }

  async #vapidPublicKey(): Promise<string> {
    const config = await kvGet('config');
    if (config?.vapidPublicKey) return config.vapidPublicKey;
    const { vapidPublicKey } = await this.#api.getApp();
    await kvSet('config', { ...config!, vapidPublicKey });
    return vapidPublicKey;
  }

  /** The registration once its worker is active: the push manager needs an active worker. */
  async #serviceWorker(): Promise<ServiceWorkerRegistration> {
    if (!this.#registration) throw new CarillonError('unsupported');
    let registration: ServiceWorkerRegistration;
    try {
      registration = await this.#registration;
    } catch (err) {
      throw new CarillonError('unsupported', `The service worker could not be registered: ${(err as Error).message}`);
    }
    const worker = registration.installing ?? registration.waiting;
    if (registration.active || !worker) return registration;
    await new Promise<void>((resolve, reject) => {
      const onChange = () => {
        if (worker.state === 'activated') resolve();
        else if (worker.state === 'redundant') reject(new CarillonError('unsupported', 'The service worker failed to install'));
        else return;
        worker.removeEventListener('statechange', onChange);
      };
      worker.addEventListener('statechange', onChange);
    });
    return registration;
  }

  async #snooze(): Promise<void> {
    await kvUpdate('state', (s) => ({ ...s, softAskDismissedAt: Date.now() }));
  }

  #report(event: SdkEvent): void {
    void report(this.#api, [event]);
  }
}

/**
 * The state with this user id and hash, or without either. Clearing a user id this
 * browser had registered marks it for the next registration to drop on the server.
 */
function withUser(state: StoredState, userId: string | undefined, userIdHash: string | undefined): StoredState {
  const { userId: before, userIdHash: _hash, userIdCleared: pending, ...rest } = state;
  if (userId !== undefined) return { ...rest, userId, ...(userIdHash !== undefined ? { userIdHash } : {}) };
  const clear = pending === true || (before !== undefined && state.subscriptionId !== undefined);
  return { ...rest, ...(clear ? { userIdCleared: true as const } : {}) };
}
