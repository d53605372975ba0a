import type { Transaction } from 'kysely';
import type { Queue } from '../queue/queue.ts';
import type { Database } from '../store/schema.ts';
import { ENDPOINT_DISABLED, wants } from './event-types.ts';
import { enqueueMessages } from './enqueue.ts';

/** Why Carillon disabled an endpoint: it answered 410 Gone, or it failed for longer than webhookDisableAfter. */
export type DisabledReason = 'gone' | 'failing';

/**
 * Disables an endpoint and tells the app: a `webhook.endpoint_disabled` event goes to its
 * other enabled endpoints that take that type. Nothing happens if it was disabled already,
 * so two failing attempts at once tell the app once.
 */
export async function disableEndpoint(tx: Transaction<Database>, queue: Queue, endpointId: string, reason: DisabledReason, now: number): Promise<boolean> {
  const res = await tx
    .updateTable('webhook_endpoints')
    .set({ enabled: 0, disabled_reason: reason, disabled_at: now, updated_at: now })
    .where('id', '=', endpointId)
    .where('enabled', '=', 1)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return false;
  const disabled = await tx.selectFrom('webhook_endpoints').select(['id', 'app_id', 'url', 'failing_since']).where('id', '=', endpointId).executeTakeFirstOrThrow();
  const others = await tx.selectFrom('webhook_endpoints').select(['id', 'events']).where('app_id', '=', disabled.app_id).where('enabled', '=', 1).where('id', '!=', endpointId).execute();
  const event = {
    type: ENDPOINT_DISABLED,
    timestamp: new Date(now).toISOString(),
    data: {
      appId: disabled.app_id,
      endpointId: disabled.id,
      url: disabled.url,
      reason,
      ...(disabled.failing_since !== null ? { failingSince: new Date(Number(disabled.failing_since)).toISOString() } : {}),
    },
  };
  const body = JSON.stringify(event);
  const targets = others.filter((o) => wants(o.events === null ? null : (JSON.parse(o.events) as string[]), ENDPOINT_DISABLED));
  await enqueueMessages(
    tx,
    queue,
    targets.map((o) => ({ endpoint_id: o.id, app_id: disabled.app_id, type: ENDPOINT_DISABLED, body, events: 1, first_seq: null, last_seq: null, event_at: now })),
    now,
  );
  return true;
}
