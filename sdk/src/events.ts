import type { Api, TrackEventBody } from './api.ts';
import { CarillonError } from './errors.ts';
import { outboxAdd, outboxDelete, outboxPeek, type OutboxEvent } from './store.ts';

/** What the page and the service worker report; see docs/sdk.md#events. */
export type EventType =
  | 'prompt_shown'
  | 'softask_accepted'
  | 'softask_dismissed'
  | 'permission_granted'
  | 'permission_denied'
  | 'subscribed'
  | 'unsubscribed'
  | 'displayed'
  | 'clicked'
  | 'dismissed';

export interface SdkEvent {
  type: EventType;
  notificationId?: string;
  subscriptionId?: string;
  action?: string;
}

/** A user's event, for `carillon.track()`: sent to POST /track. */
export interface TrackedEvent {
  userId: string;
  userIdHash?: string;
  name: string;
  properties?: Record<string, string | number | boolean | null>;
}

// The server takes at most 100 events per report (and 1,000 per track request).
const BATCH = 100;

/**
 * Queues events in IndexedDB and sends them. Each gets an id, so that a report sent twice
 * (the answer was lost, or the page and the worker flushed at once) counts once. Never
 * throws: analytics must not break the site; what could not be sent goes with the next flush.
 */
export async function report(api: Api, events: SdkEvent[], now = Date.now()): Promise<void> {
  await queue(api, events.map((e) => ({ ...e, id: newEventId(), at: new Date(now).toISOString() })));
}

/**
 * Queues a user's event and sends it, as `report` does: kept in IndexedDB while the
 * server cannot be reached, sent on the next flush (the next page view, or the next
 * event), counted once however often it is sent (its id is the dedupe key of POST /track).
 */
export async function trackEvent(api: Api, event: TrackedEvent, now = Date.now()): Promise<void> {
  await queue(api, [{ type: 'track', ...event, id: newEventId(), at: new Date(now).toISOString() }]);
}

async function queue(api: Api, events: OutboxEvent[]): Promise<void> {
  try {
    await outboxAdd(events);
    await flush(api);
  } catch {
    // IndexedDB unavailable (a private window may refuse it): the events are lost, the site is not.
  }
}

// Flushes run one after another: a flush asked for while one runs still happens, so an
// event added meanwhile is not left waiting for the next page view.
let flushing: Promise<void> = Promise.resolve();

/** Sends what is waiting. */
export function flush(api: Api): Promise<void> {
  const run = flushing.then(() => drain(api));
  flushing = run.catch(() => undefined);
  return run;
}

/** A request's worth of waiting events: the reports, or the tracked events of one user. */
interface Group {
  keys: IDBValidKey[];
  send(): Promise<unknown>;
}

async function drain(api: Api): Promise<void> {
  for (;;) {
    const { keys, events } = await outboxPeek(BATCH);
    if (events.length === 0) return;
    let kept = false;
    const sent: IDBValidKey[] = [];
    for (const group of groups(api, keys, events)) {
      try {
        await group.send();
      } catch (err) {
        // Offline, throttled or a server error: keep them for the next flush. Any other
        // answer would be the same next time, so they are dropped rather than retried
        // forever. A tracked event the server refused alone comes back in `refused` of a
        // 200, and is dropped the same way.
        const status = err instanceof CarillonError ? err.status : 0;
        if (status === 0 || status === 429 || status >= 500) {
          kept = true;
          continue;
        }
      }
      sent.push(...group.keys);
    }
    await outboxDelete(sent);
    if (kept) return;
  }
}

/** Reports go together to POST /events; tracked events to POST /track, one request per user and proof (a browser's key speaks for one user). */
function groups(api: Api, keys: IDBValidKey[], events: OutboxEvent[]): Group[] {
  const reports: Group & { events: OutboxEvent[] } = { keys: [], events: [], send: () => api.report(reports.events) };
  const tracks = new Map<string, Group & { events: TrackEventBody[] }>();
  events.forEach((e, i) => {
    if (e.type !== 'track') {
      reports.keys.push(keys[i]!);
      reports.events.push(e);
      return;
    }
    const key = JSON.stringify([e.userId, e.userIdHash ?? null]);
    let group = tracks.get(key);
    if (!group) {
      const g: Group & { events: TrackEventBody[] } = { keys: [], events: [], send: () => api.track(e.userIdHash, g.events) };
      tracks.set(key, (group = g));
    }
    group.keys.push(keys[i]!);
    group.events.push({ userId: e.userId!, name: e.name!, time: e.at, id: e.id, ...(e.properties !== undefined ? { properties: e.properties } : {}) });
  });
  return [...(reports.events.length ? [reports] : []), ...tracks.values()];
}

function newEventId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
