import { CarillonError } from './errors.ts';
import type { CarillonOptions } from './index.ts';

// What init() checks before anything else: the page can do web push, and the options make sense.

export function isSupported(): boolean {
  return (
    typeof window !== 'undefined' &&
    window.isSecureContext &&
    'serviceWorker' in navigator &&
    'PushManager' in window &&
    'Notification' in window &&
    'indexedDB' in window
  );
}

export function checkOptions(o: CarillonOptions): void {
  const fail = (detail: string) => {
    throw new CarillonError('invalid_options', detail);
  };
  if (typeof o?.appId !== 'string' || o.appId === '') fail('appId is required');
  if (typeof o.publishableKey !== 'string' || o.publishableKey === '') fail('publishableKey is required');
  // The secret key sends notifications to every subscriber: in a page, anyone could read it.
  if (o.publishableKey.startsWith('crl_sk_')) fail('That is the secret key; never put it in a web page. Use the publishable key (crl_pk_…)');
  try {
    new URL(o.serverUrl);
  } catch {
    fail(`serverUrl "${o.serverUrl}" is not an absolute URL`);
  }
}
