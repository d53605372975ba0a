/**
 * A web site that uses the Carillon SDK as docs/sdk.md tells site owners to: a page that
 * imports /sdk/carillon.js from the Carillon server, and a one-line service worker at the
 * site's root that imports /sdk/carillon-sw.js (service workers must be same-origin).
 * Served on http://localhost:<port>, a secure context as browsers count them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SdkSite {
  /** `http://localhost:<port>`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

// A 1×1 PNG, for the icon, image and badge URLs of notifications.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

export async function startSdkSite(carillonUrl: string): Promise<SdkSite> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/carillon-sw.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(`importScripts('${carillonUrl}/sdk/carillon-sw.js');\n`);
    } else if (path.endsWith('.png')) {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(PNG);
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop ${path}</title></head>
<body><h1>Shop</h1>
<script type="module">
  import { Carillon } from '${carillonUrl}/sdk/carillon.js';
  window.Carillon = Carillon;
</script></body></html>`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface StubSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/**
 * A page init script that stands in for the browser's push service. Chromium subscribes
 * through Google's push service, which cannot be reached offline, so `subscribe()` answers
 * with a subscription of the loopback push sink (whose endpoint Carillon really delivers to)
 * and records the `applicationServerKey` it was called with. Everything else (permission,
 * the service worker, showing notifications) is Chromium's own.
 *
 * Plain JavaScript source: a function passed to Playwright would be serialised with the
 * helpers tsx adds to it, which do not exist in the page.
 */
export function stubPushService(sub: StubSubscription): string {
  return `(() => {
  const sub = ${JSON.stringify(sub)};
  const STORE = 'test-push-subscription';
  window.__subscribeKeys = [];
  // Written without regular expressions, which would need double escaping in this template.
  const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).split('+').join('-').split('/').join('_').split('=').join('');
  const fromB64url = (text) => Uint8Array.from(atob(text.split('-').join('+').split('_').join('/')), (ch) => ch.charCodeAt(0));
  const make = (key) => ({
    endpoint: sub.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true, applicationServerKey: fromB64url(key).buffer },
    getKey: (name) => fromB64url(sub.keys[name]).buffer,
    toJSON: () => ({ endpoint: sub.endpoint, expirationTime: null, keys: sub.keys }),
    unsubscribe: async () => { localStorage.removeItem(STORE); return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    const raw = options && options.applicationServerKey;
    const key = typeof raw === 'string' ? raw
      : b64url(raw instanceof ArrayBuffer ? new Uint8Array(raw) : new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
    window.__subscribeKeys.push(key);
    localStorage.setItem(STORE, key);
    return make(key);
  };
  PushManager.prototype.getSubscription = async function () {
    const key = localStorage.getItem(STORE);
    return key === null ? null : make(key);
  };
})();`;
}
