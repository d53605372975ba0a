/**
 * The parts of the service worker scope the SDK uses. TypeScript's DOM and WebWorker
 * libraries cannot be loaded together, and the page code needs DOM; so the worker's few
 * types are declared here.
 */
export interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}

export interface PushEvent extends ExtendableEvent {
  readonly data: { json(): unknown } | null;
}

export interface NotificationEvent extends ExtendableEvent {
  readonly notification: Notification;
  /**
   * The action button chosen; '' for a click on the notification itself. Missing where the
   * browser has no action buttons (Firefox ESR 140 leaves it undefined).
   */
  readonly action?: string;
  /** The text typed into a `type: "text"` action (Chromium's inline reply); absent or null elsewhere. */
  readonly reply?: string | null;
}

/** Firefox fires it with both subscriptions; others may give neither. */
export interface PushSubscriptionChangeEvent extends ExtendableEvent {
  readonly newSubscription?: PushSubscription | null;
  readonly oldSubscription?: PushSubscription | null;
}

export interface WindowClient {
  readonly url: string;
  focus(): Promise<WindowClient>;
}

export interface Clients {
  matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly WindowClient[]>;
  openWindow(url: string): Promise<WindowClient | null>;
}

export interface WorkerScope {
  readonly registration: ServiceWorkerRegistration;
  readonly clients: Clients;
  readonly location: { readonly origin: string };
  /** The static `maxActions` is missing where the browser shows no action buttons. */
  readonly Notification?: { readonly maxActions?: number };
  addEventListener(type: 'push', listener: (event: PushEvent) => void): void;
  addEventListener(type: 'notificationclick' | 'notificationclose', listener: (event: NotificationEvent) => void): void;
  addEventListener(type: 'pushsubscriptionchange', listener: (event: PushSubscriptionChangeEvent) => void): void;
}
