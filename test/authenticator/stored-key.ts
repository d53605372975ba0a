/**
 * Runs in the authenticator's page (Chromium's and Firefox's evaluate): the device it keeps
 * in IndexedDB, and what its private key lets a script do. Self-contained, as a function
 * sent to a browser must be.
 */
export const storedDeviceKey = async () => {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open('carillon-authenticator');
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const all = await new Promise<any[]>((resolve) => {
    const r = db.transaction('devices').objectStore('devices').getAll();
    r.onsuccess = () => resolve(r.result);
  });
  const k = all[0].privateKey as CryptoKey;
  const exported = await crypto.subtle.exportKey('jwk', k).then(() => 'exported', (e: Error) => e.name);
  return { deviceId: all[0].deviceId as string, type: k.type, extractable: k.extractable, algorithm: (k.algorithm as EcKeyAlgorithm).namedCurve, exported };
};
