/**
 * Enrollment: from the token the login server made (POST …/mfa/enrollments), as its
 * `carillon-mfa://enroll?app=…&token=…` URI pasted, or the authenticator link
 * `/authenticator/#app=…&token=…` that a QR code or an e-mail opens.
 */
import { call } from './api.ts';
import { base64url, newKeyPair, saveDevice, type StoredDevice } from './device.ts';

export interface EnrollmentTicket {
  appId: string;
  token: string;
}

/** The app and token of a pasted URI or link, or undefined when it holds neither. */
export function parseTicket(text: string): EnrollmentTicket | undefined {
  const raw = text.trim();
  let params: URLSearchParams;
  if (raw.startsWith('carillon-mfa:')) params = new URLSearchParams(raw.slice(raw.indexOf('?') + 1));
  else if (/^https?:/.test(raw)) {
    const url = new URL(raw);
    params = new URLSearchParams(url.hash.slice(1) || url.search.slice(1));
  } else params = new URLSearchParams(raw.replace(/^[#?]/, ''));
  const appId = params.get('app');
  const token = params.get('token');
  return appId && token ? { appId, token } : undefined;
}

const keyOf = (sub: PushSubscription, name: PushEncryptionKeyName) => {
  const key = sub.getKey(name);
  if (!key) throw new Error(`The push subscription has no ${name} key`);
  return base64url(new Uint8Array(key));
};

/** What this browser lacks for an authenticator, or undefined when it has everything (feature detection). */
export function missingFeature(): string | undefined {
  if (!window.isSecureContext) return 'a secure context (https)';
  if (!('serviceWorker' in navigator)) return 'service workers';
  if (!('PushManager' in window)) return 'Web Push';
  if (!('Notification' in window)) return 'notifications';
  if (!crypto.subtle) return 'WebCrypto';
  if (!('indexedDB' in window)) return 'IndexedDB';
  return undefined;
}

export async function workerRegistration(): Promise<ServiceWorkerRegistration> {
  await navigator.serviceWorker.register('/authenticator/sw.js', { scope: '/authenticator/' });
  return navigator.serviceWorker.ready;
}

/**
 * Subscribes to push with the app's VAPID key, makes the key pair and enrolls: the server
 * keeps the public key and the subscription; the private key stays in IndexedDB.
 */
export async function enroll(ticket: EnrollmentTicket, name: string): Promise<StoredDevice> {
  if ((await Notification.requestPermission()) !== 'granted') throw new Error('Notifications are blocked for this page: allow them to receive sign-in requests');
  const registration = await workerRegistration();
  const { vapidPublicKey } = await call<{ vapidPublicKey: string }>('/authenticator/api/push-key', { app: ticket.appId, token: ticket.token });
  const key = Uint8Array.from(atob(vapidPublicKey.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  // A subscription made with another app's key would be refused by its push service.
  const old = await registration.pushManager.getSubscription();
  if (old) await old.unsubscribe();
  const sub = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  const { privateKey, publicJwk } = await newKeyPair();
  const subscription = { channel: 'webpush', endpoint: sub.endpoint, keys: { p256dh: keyOf(sub, 'p256dh'), auth: keyOf(sub, 'auth') } };
  const device = await call<{ id: string; name: string; createdAt: string }>(`/v1/apps/${encodeURIComponent(ticket.appId)}/mfa/devices`, { token: ticket.token, publicKey: publicJwk, name, subscription });
  const stored: StoredDevice = { appId: ticket.appId, deviceId: device.id, name: device.name, privateKey, enrolledAt: device.createdAt };
  await saveDevice(stored);
  return stored;
}
