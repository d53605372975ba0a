/**
 * The SDK's storage, in IndexedDB because the service worker has no localStorage and both
 * sides need the same facts: the page writes the configuration and the subscription state,
 * the worker reads them to report events and to re-register when the subscription changes.
 */
const DB_NAME = 'carillon';
const DB_VERSION = 1;

/** What `Carillon.init()` was given, plus the app's VAPID key once fetched. */
export interface StoredConfig {
  appId: string;
  publishableKey: string;
  serverUrl: string;
  vapidPublicKey?: string;
}

/** This browser's subscription as the server knows it, and what the site said about its user. */
export interface StoredState {
  subscriptionId?: string;
  endpoint?: string;
  userId?: string;
  /** The proof of `userId` the site's server made (src/apps/identity.ts on the server). */
  userIdHash?: string;
  tags?: Record<string, string>;
  /**
   * The user signed out while this browser was registered: the next registration sends
   * `userId: null` so that the server drops the user id, then this is forgotten. Never set
   * when no user was: a null then would wipe a user id the site's own server set.
   */
  userIdCleared?: true;
  /** ms since epoch; the last page load or SDK call on this site, for sessions (session.ts). */
  lastActivityAt?: number;
  /** ms since epoch; when the soft-ask (or the browser's prompt) was last dismissed. */
  softAskDismissedAt?: number;
}

export interface Keys {
  config: StoredConfig;
  state: StoredState;
}

/**
 * An event waiting to be sent; kept until the server has it. A report for POST /events,
 * or, with `type: 'track'`, a tracked event for POST /track, with the user it was for
 * and that user's proof as they were when it was tracked.
 */
export interface OutboxEvent {
  type: string;
  id: string;
  at: string;
  notificationId?: string;
  subscriptionId?: string;
  action?: string;
  userId?: string;
  userIdHash?: string;
  name?: string;
  properties?: Record<string, string | number | boolean | null>;
}

let opening: Promise<IDBDatabase> | undefined;

function openDb(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore('kv');
      db.createObjectStore('shown', { keyPath: 'id' }).createIndex('at', 'at');
      db.createObjectStore('outbox', { autoIncrement: true });
    };
    req.onsuccess = () => {
      const db = req.result;
      // A newer SDK version in another tab upgrades the database: let it, reopen on next use.
      db.onversionchange = () => {
        db.close();
        opening = undefined;
      };
      resolve(db);
    };
    req.onerror = () => {
      opening = undefined;
      reject(req.error);
    };
  });
  return opening;
}

function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/**
 * Runs `body` in one transaction and resolves when it has committed. `body` may await only
 * requests of this transaction (any other await would let it commit early).
 */
async function transaction<T>(store: string, mode: IDBTransactionMode, body: (s: IDBObjectStore) => Promise<T>): Promise<T> {
  const db = await openDb();
  const tx = db.transaction(store, mode);
  const committed = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
  });
  // Seen here rather than as an unhandled rejection when `body` fails first.
  committed.catch(() => undefined);
  try {
    const result = await body(tx.objectStore(store));
    await committed;
    return result;
  } catch (err) {
    if (tx.error === null) abortQuietly(tx);
    throw err;
  }
}

function abortQuietly(tx: IDBTransaction): void {
  try {
    tx.abort();
  } catch {
    // Already committed or aborted: nothing to undo.
  }
}

export function kvGet<K extends keyof Keys>(key: K): Promise<Keys[K] | undefined> {
  return transaction('kv', 'readonly', (s) => done(s.get(key) as IDBRequest<Keys[K] | undefined>));
}

export function kvSet<K extends keyof Keys>(key: K, value: Keys[K]): Promise<void> {
  return transaction('kv', 'readwrite', async (s) => {
    await done(s.put(value, key));
  });
}

/** Reads, changes and writes one value atomically: the page and the worker both update the state. */
export function kvUpdate<K extends keyof Keys>(key: K, change: (old: Keys[K] | undefined) => Keys[K]): Promise<Keys[K]> {
  return transaction('kv', 'readwrite', async (s) => {
    const next = change((await done(s.get(key))) as Keys[K] | undefined);
    await done(s.put(next, key));
    return next;
  });
}

/**
 * Records that the notification `id` was shown; false when it already was. One transaction,
 * so two deliveries of one message racing in the worker show it once. Keeps the newest
 * `keep` ids: a push service redelivers within hours, not after hundreds of messages.
 */
export function markShown(id: string, now: number, keep = 500): Promise<boolean> {
  return transaction('shown', 'readwrite', async (s) => {
    if ((await done(s.count(id))) > 0) return false;
    await done(s.put({ id, at: now }));
    let excess = (await done(s.count())) - keep;
    if (excess > 0) {
      const cursors = s.index('at').openCursor();
      await new Promise<void>((resolve, reject) => {
        cursors.onerror = () => reject(cursors.error);
        cursors.onsuccess = () => {
          const cursor = cursors.result;
          if (!cursor || excess <= 0) return resolve();
          cursor.delete();
          excess -= 1;
          cursor.continue();
        };
      });
    }
    return true;
  });
}

export function outboxAdd(events: OutboxEvent[]): Promise<void> {
  return transaction('outbox', 'readwrite', async (s) => {
    for (const e of events) await done(s.add(e));
  });
}

/** The oldest `max` waiting events with their keys, for `outboxDelete` once sent. */
export function outboxPeek(max: number): Promise<{ keys: IDBValidKey[]; events: OutboxEvent[] }> {
  return transaction('outbox', 'readonly', async (s) => {
    const [keys, events] = await Promise.all([done(s.getAllKeys(null, max)), done(s.getAll(null, max) as IDBRequest<OutboxEvent[]>)]);
    return { keys, events };
  });
}

export function outboxDelete(keys: IDBValidKey[]): Promise<void> {
  return transaction('outbox', 'readwrite', async (s) => {
    await Promise.all(keys.map((k) => done(s.delete(k))));
  });
}
