import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { checkEvent, isRefusal, type CheckedEvent, type Refusal, type TrackedEvent } from './check-event.ts';

export interface TrackDeps {
  db: Kysely<Database>;
  now: () => number;
  /** ms; how long events are kept (eventRetentionDays). */
  retention: number;
  /**
   * Called in the transaction that stores them, with the events stored now (not the
   * duplicates): conversions (src/analytics/); and the users this call created (journeys'
   * segment entry: a user made by their first event enters the segments they match).
   */
  onStored?: (tx: Transaction<Database>, stored: StoredEvent[], created: Set<string>) => Promise<void>;
}

/** An event as stored, for what follows from it in the same transaction. */
export interface StoredEvent {
  userId: string;
  name: string;
  at: number;
  /** JSON object. */
  properties: string;
}

export interface TrackResult {
  /** Stored now. */
  accepted: number;
  /** Already stored (an earlier request's event with the same id), or twice in this one. */
  duplicates: number;
  /** Left out, each with its index in the request, its error code and a pointer to the field. */
  refused: Refusal[];
}

/**
 * Stores what users did (POST /v1/apps/{appId}/track). A bad event is refused alone and
 * the rest are stored: a server replaying a backlog must not lose 999 events to one
 * wrong name. Users not yet known are created in the same transaction, so an event
 * never points at a user that is not there.
 *
 * Two statements whatever the batch: one multi-row insert of the users (existing ones
 * untouched) and one of the events, `on conflict do nothing` on `user_events_dedupe`
 * (app_id, event_id), so that ingestion runs near the store's raw insert rate. An event
 * whose id is already stored, by an earlier request or earlier in this one, is counted
 * as a duplicate: on both engines a row that conflicts with one inserted earlier in the
 * same statement is skipped too.
 */
export async function trackEvents(deps: TrackDeps, appId: string, events: TrackedEvent[], onlyUser?: string): Promise<TrackResult> {
  const now = deps.now();
  const refused: Refusal[] = [];
  const checked: CheckedEvent[] = [];
  events.forEach((e, index) => {
    const r = checkEvent(e, index, { now, retention: deps.retention, ...(onlyUser !== undefined ? { onlyUser } : {}) });
    if (isRefusal(r)) refused.push(r);
    else checked.push(r);
  });
  if (checked.length === 0) return { accepted: 0, duplicates: 0, refused };

  const accepted = await deps.db.transaction().execute(async (tx) => {
    const userIds = [...new Set(checked.map((e) => e.userId))];
    // The users inserted now: `returning` answers only the rows inserted, not the ones already there.
    const made = await tx
      .insertInto('users')
      .values(userIds.map((externalId) => ({ app_id: appId, external_id: externalId, created_at: now, updated_at: now, language: null, timezone: null, country: null, lat: null, lon: null, last_seen_at: null })))
      .onConflict((oc) => oc.columns(['app_id', 'external_id']).doNothing())
      .returning('external_id')
      .execute();
    const users = await tx.selectFrom('users').select(['seq', 'external_id']).where('app_id', '=', appId).where('external_id', 'in', userIds).execute();
    const seqOf = new Map(users.map((u) => [u.external_id, Number(u.seq)]));
    const res = await tx
      .insertInto('user_events')
      .values(checked.map((e) => ({ app_id: appId, user_seq: seqOf.get(e.userId)!, name: e.name, at: e.at, properties: e.properties, event_id: e.eventId, received_at: now })))
      .onConflict((oc) => oc.columns(['app_id', 'event_id']).doNothing())
      .returning(['user_seq', 'name', 'at', 'properties'])
      .execute();
    if (deps.onStored && res.length) {
      const externalOf = new Map(users.map((u) => [Number(u.seq), u.external_id]));
      await deps.onStored(tx, res.map((r) => ({ userId: externalOf.get(Number(r.user_seq))!, name: r.name, at: Number(r.at), properties: r.properties })), new Set(made.map((m) => m.external_id)));
    }
    return res.length;
  });
  return { accepted, duplicates: checked.length - accepted, refused };
}
