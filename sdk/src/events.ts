import type { Api } from './api.ts';
import { CarillonError } from './errors.ts';
import { outboxAdd, outboxDelete, outboxPeek } from './store.ts';

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

// The server takes at most 100 events per report.
const BATCH = 100;

/**
 * Queues events in IndexedDB and sends them. Each gets an id, so that a report sent twice
 * (the answer was lost, or the page and the worker flushed at once) counts once. Never
 * throws: analytics must not break the site; what could not be sent goes with the next flush.
 */
export async function report(api: Api, events: SdkEvent[], now = Date.now()): Promise<void> {
  try {
    await outboxAdd(events.map((e) => ({ ...e, id: newEventId(), at: new Date(now).toISOString() })));
    await flush(api);
  } catch {
    // IndexedDB unavailable (a private window may refuse it): the events are lost, the site is not.
  }
}

// Flushes run one after another: a flush asked for while one runs still happens, so an
// event added meanwhile is not left waiting for the next page view.
let queue: Promise<void> = Promise.resolve();

/** Sends what is waiting. */
export function flush(api: Api): Promise<void> {
  const run = queue.then(() => drain(api));
  queue = run.catch(() => undefined);
  return run;
}

async function drain(api: Api): Promise<void> {
  for (;;) {
    const { keys, events } = await outboxPeek(BATCH);
    if (events.length === 0) return;
    try {
      await api.report(events);
    } catch (err) {
      // Offline, throttled or a server error: keep them for the next flush. Any other
      // answer would be the same next time, so the batch is dropped rather than retried forever.
      const status = err instanceof CarillonError ? err.status : 0;
      if (status === 0 || status === 429 || status >= 500) return;
    }
    await outboxDelete(keys);
  }
}

function newEventId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
