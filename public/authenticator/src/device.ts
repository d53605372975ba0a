/**
 * The authenticator's key and its signed requests. The P-256 key pair is made by WebCrypto
 * with `extractable: false`: the private key can sign but its bytes can never be read, not
 * even by this page's own script. It is kept in IndexedDB as the CryptoKey object itself
 * (structured clone keeps it non-extractable), so it never leaves this browser profile.
 *
 * Every request after enrollment is a compact JWS (RFC 7515 §7.1) with `alg` ES256 (RFC
 * 7518 §3.4) and `kid` the device id, exactly what src/mfa/signed-request.ts verifies:
 * WebCrypto's ECDSA signature is already the 64-byte r‖s that JWS ES256 takes.
 */

export interface StoredDevice {
  /** The app the device is enrolled in; one device per app in this browser. */
  appId: string;
  deviceId: string;
  name: string;
  privateKey: CryptoKey;
  enrolledAt: string;
}

const DB = 'carillon-authenticator';
const STORE = 'devices';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'appId' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export const saveDevice = (device: StoredDevice) => run('readwrite', (s) => s.put(device)).then(() => undefined);
export const loadDevice = (appId: string) => run<StoredDevice | undefined>('readonly', (s) => s.get(appId) as IDBRequest<StoredDevice | undefined>);
export const listStoredDevices = () => run<StoredDevice[]>('readonly', (s) => s.getAll() as IDBRequest<StoredDevice[]>);
export const forgetDevice = (appId: string) => run('readwrite', (s) => s.delete(appId)).then(() => undefined);

export function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64url(text: string): Uint8Array {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

/** A new key pair; the private half is not extractable (checked, not assumed). */
export async function newKeyPair(): Promise<{ privateKey: CryptoKey; publicJwk: { kty: string; crv: string; x: string; y: string } }> {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  if (pair.privateKey.extractable) throw new Error('This browser made an extractable private key; refusing to use it');
  // The public half is always exportable; only its public members are sent.
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return { privateKey: pair.privateKey, publicJwk: { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y! } };
}

const utf8 = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** A nonce of 128 random bits, used once per device (src/mfa/signed-request.ts). */
export const newNonce = () => base64url(crypto.getRandomValues(new Uint8Array(16)));

/** How long a signed request lives: the server takes at most 300 s; a minute leaves room for clock skew. */
const LIFETIME_S = 60;

/** The compact JWS of `claims` plus a fresh nonce and exp, signed by the device's key. */
export async function signRequest(device: StoredDevice, claims: Record<string, unknown>): Promise<string> {
  const payload = { ...claims, nonce: newNonce(), exp: Math.floor(Date.now() / 1000) + LIFETIME_S };
  const input = `${base64url(utf8({ alg: 'ES256', kid: device.deviceId }))}.${base64url(utf8(payload))}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, device.privateKey, new TextEncoder().encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}
