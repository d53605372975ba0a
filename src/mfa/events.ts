import type { Transaction } from 'kysely';
import type { Queue } from '../queue/queue.ts';
import { prepared } from '../store/prepared.ts';
import type { Database } from '../store/schema.ts';
import { enqueueMessages } from '../webhooks/enqueue.ts';
import { wants, type MfaEventType } from '../webhooks/event-types.ts';

const enabledEndpoints = prepared((db, $: { appId: string }) => db.selectFrom('webhook_endpoints').select(['id', 'events']).where('app_id', '=', $.appId).where('enabled', '=', 1));

/**
 * Sends an MFA event to the app's enabled webhook endpoints that take it, in the caller's
 * transaction (the outbox of src/webhooks/enqueue.ts): the event exists exactly when the
 * change it tells of commits. The data carries ids and states, never a code.
 */
export async function emitMfaEvent(tx: Transaction<Database>, queue: Queue, appId: string, type: MfaEventType, data: Record<string, unknown>, now: number): Promise<void> {
  const endpoints = await enabledEndpoints.rows(tx, { appId });
  const targets = endpoints.filter((e) => wants(e.events === null ? null : (JSON.parse(e.events) as string[]), type));
  if (targets.length === 0) return;
  const body = JSON.stringify({ type, timestamp: new Date(now).toISOString(), data: { appId, ...data } });
  await enqueueMessages(
    tx,
    queue,
    targets.map((e) => ({ endpoint_id: e.id, app_id: appId, type, body, events: 1, first_seq: null, last_seq: null, event_at: now })),
    now,
  );
}
