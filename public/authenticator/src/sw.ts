/**
 * The authenticator's service worker. A sign-in push carries ids only (src/mfa/push.ts):
 * the worker reads the device key from IndexedDB, fetches the challenge's context over a
 * request signed with it, and shows who is asking from where. The code is never in the
 * push or the notification: the user types it on the page, which the click opens.
 * A one-time code's push is the exception, on purpose: it carries the code (otp.ts).
 */
import { describe, fetchDetails } from './api.ts';
import { loadDevice } from './device.ts';
import { OTP_MESSAGE, otpText, pushedOtp } from './otp.ts';

// TypeScript's DOM and WebWorker libraries cannot be loaded together; the few worker types used.
interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}
interface PushEvent extends ExtendableEvent {
  readonly data: { json(): unknown } | null;
}
interface NotificationEvent extends ExtendableEvent {
  readonly notification: Notification;
}
interface WindowClient {
  readonly url: string;
  postMessage(message: unknown): void;
  navigate(url: string): Promise<WindowClient | null>;
  focus(): Promise<WindowClient>;
}
interface WorkerScope {
  readonly registration: ServiceWorkerRegistration;
  readonly clients: { matchAll(o: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly WindowClient[]>; openWindow(url: string): Promise<WindowClient | null>; claim(): Promise<void> };
  readonly location: { readonly origin: string };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'push', listener: (event: PushEvent) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationEvent) => void): void;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
}

const scope = self as unknown as WorkerScope;

// A new worker takes over at once: a fixed worker must not wait for every tab to close.
scope.addEventListener('install', (event) => event.waitUntil(scope.skipWaiting()));
scope.addEventListener('activate', (event) => event.waitUntil(scope.clients.claim()));
scope.addEventListener('push', (event) => event.waitUntil(onPush(event)));
scope.addEventListener('notificationclick', (event) => event.waitUntil(onClick(event)));

type MfaData = { mfa?: unknown; challengeId?: unknown; appId?: unknown; deviceId?: unknown; purpose?: unknown };

function mfaData(event: PushEvent): MfaData | undefined {
  try {
    const json = event.data?.json() as { notification?: { data?: MfaData } } | undefined;
    const data = json?.notification?.data;
    return data && typeof data === 'object' ? data : undefined;
  } catch {
    return undefined;
  }
}

export const pageFor = (appId: string, challengeId: string) => `/authenticator/?${new URLSearchParams({ app: appId, challenge: challengeId })}`;

async function onPush(event: PushEvent): Promise<void> {
  const data = mfaData(event);
  const show = (title: string, options: NotificationOptions) => scope.registration.showNotification(title, options);
  if (data?.mfa === 'enrolled') {
    await show('New sign-in device', { body: 'A device was added to approve your sign-ins. If it was not you, tell the service you use.', tag: `enrolled-${String(data.deviceId)}`, data: { url: '/authenticator/' } });
    return;
  }
  if (data?.mfa === 'otp') {
    await onOtp(data as Record<string, unknown>);
    return;
  }
  if (data?.mfa !== 'challenge' || typeof data.challengeId !== 'string' || typeof data.appId !== 'string') {
    // A push the browser asks to show (userVisibleOnly); not one of ours.
    await show('Sign-in authenticator', { body: 'A message this authenticator does not know', data: { url: '/authenticator/' } });
    return;
  }
  const { appId, challengeId } = data;
  const url = pageFor(appId, challengeId);
  const device = await loadDevice(appId);
  if (!device) {
    await show('Sign-in request', { body: 'This browser has no key for this app any more', tag: challengeId, data: { url } });
    return;
  }
  try {
    const details = await fetchDetails(device, challengeId);
    const { title, body } = describe(details.context);
    // requireInteraction: a sign-in waits for the user, it does not fade on its own.
    await show(title, { body: `${body}. Open to type the code shown on the login screen.`, tag: challengeId, requireInteraction: true, data: { url, challengeId, appId, context: details.context } });
  } catch {
    // Closed already (answered, superseded, expired) or the network failed: said, not hidden.
    await show('Sign-in request', { body: 'This request is no longer open, or could not be read', tag: challengeId, data: { url } });
  }
}

async function onClick(event: NotificationEvent): Promise<void> {
  const { notification } = event;
  notification.close();
  const raw = (notification.data as { url?: unknown } | null)?.url;
  const url = new URL(typeof raw === 'string' ? raw : '/authenticator/', scope.location.origin).href;
  const windows = await scope.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((w) => new URL(w.url).pathname.startsWith('/authenticator/'));
  if (open) {
    await open.focus();
    // navigate() is refused for a window this worker does not control yet: open one then.
    if (await open.navigate(url).catch(() => null)) return;
  }
  await scope.clients.openWindow(url);
}

/**
 * A one-time code: shown as it came, in the notification (the lock screen shows it too,
 * which is why it is the weaker factor), and passed to any open authenticator page.
 */
async function onOtp(data: Record<string, unknown>): Promise<void> {
  const otp = pushedOtp(data);
  const tag = `otp-${String(data.otpId)}`;
  if (!otp) {
    // The push of a code closed before it was delivered carries no code (src/mfa/otp-push.ts).
    const purpose = typeof data.purpose === 'string' ? data.purpose : 'a sign-in';
    await scope.registration.showNotification('One-time code', { body: `Your code for ${purpose} is no longer valid`, tag, data: { url: '/authenticator/' } });
    return;
  }
  await scope.registration.showNotification('One-time code', { body: otpText(otp), tag, requireInteraction: true, data: { url: '/authenticator/', otp } });
  for (const w of await scope.clients.matchAll({ type: 'window', includeUncontrolled: true })) {
    if (new URL(w.url).pathname.startsWith('/authenticator/')) w.postMessage({ type: OTP_MESSAGE, otp });
  }
}
