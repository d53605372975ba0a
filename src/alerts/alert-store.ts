/**
 * The alert store: CAP alerts by their identity (sender, identifier, sent), the references
 * of Update and Cancel resolved to the alerts they name, and tombstones for references to
 * alerts not seen yet, so an original that arrives after its cancellation is stored
 * cancelled and never sent (docs/civic-alerts.md#update-and-cancel).
 *
 * Rules for references:
 * - `sender,identifier,sent` names one alert; `sender,identifier` and a bare `identifier`
 *   (seen in the wild) name the latest alert with that identifier from that sender sent
 *   before the referrer, never the referrer itself (a bare one: from the referring alert's
 *   own sender; one sender cannot cancel another's alerts by a bare name).
 * - A reference acts only between alerts of the same `status`: an Exercise cannot cancel
 *   an Actual alert, nor a Test update one.
 * - Cancel makes its target `cancelled`; Update makes it `replaced`. A cancelled alert
 *   stays cancelled (a later Update of it does not bring it back).
 */
import type { Kysely, Transaction } from 'kysely';
import { newId } from '../crypto/tokens.ts';
import type { CapAlert, CapReference } from '../protocol/cap/types.ts';
import type { Database } from '../store/schema.ts';
import type { AlertDisposition, AlertsTable } from '../store/schema-alerts.ts';
import { alertExpiresAt, decideDisposition } from './disposition.ts';

export interface IngestResult {
  row: AlertsTable;
  /** False when the alert was already stored (the same identity from another feed, or again). */
  created: boolean;
}

type Db = Kysely<Database> | Transaction<Database>;

/** What the alert store needs of the store: its database and whether it takes row locks. */
export interface AlertStoreDb {
  db: Kysely<Database>;
  caps: { supportsSkipLocked: boolean };
}

function identityOf(row: Pick<AlertsTable, 'sender' | 'identifier' | 'sent_at'>) {
  return { sender: row.sender, identifier: row.identifier, sentAt: row.sent_at };
}

async function findByIdentity(db: Db, appId: string, alert: CapAlert): Promise<AlertsTable | undefined> {
  return db.selectFrom('alerts').selectAll().where('app_id', '=', appId).where('sender', '=', alert.sender).where('identifier', '=', alert.identifier).where('sent_at', '=', alert.sent.epochMs).executeTakeFirst();
}

/**
 * The alert a reference names, if stored. Without a sent time it is the latest earlier
 * alert of that identifier: never the referrer itself (some senders keep the identifier
 * and change only `sent` for an Update).
 */
async function resolveReference(db: Db, appId: string, ref: CapReference, referrer: Pick<AlertsTable, 'id' | 'sender' | 'sent_at'>): Promise<AlertsTable | undefined> {
  let q = db.selectFrom('alerts').selectAll().where('app_id', '=', appId).where('identifier', '=', ref.identifier).where('sender', '=', ref.sender ?? referrer.sender).where('id', '!=', referrer.id);
  q = ref.sent ? q.where('sent_at', '=', ref.sent.epochMs) : q.where('sent_at', '<', referrer.sent_at);
  return q.orderBy('sent_at', 'desc').limit(1).executeTakeFirst();
}

const effectOf = (msgType: string): Extract<AlertDisposition, 'cancelled' | 'replaced'> | undefined =>
  msgType === 'Cancel' ? 'cancelled' : msgType === 'Update' ? 'replaced' : undefined;

/** Marks `target` cancelled or replaced by `by`, unless already cancelled. */
async function applyEffect(db: Db, target: AlertsTable, by: { id: string; msg_type: string; status: string }): Promise<void> {
  const effect = effectOf(by.msg_type);
  if (!effect || by.status !== target.status || target.disposition === 'cancelled') return;
  if (effect === 'cancelled') {
    await db.updateTable('alerts').set({ disposition: 'cancelled', reason: `cancelled by ${by.id}`, cancelled_by: by.id }).where('id', '=', target.id).execute();
  } else {
    await db.updateTable('alerts').set({ disposition: 'replaced', reason: `replaced by ${by.id}`, replaced_by: by.id }).where('id', '=', target.id).where('disposition', '!=', 'cancelled').execute();
  }
}

/**
 * Stores a parsed alert once per identity, resolving its references and the tombstones
 * that name it, in one transaction.
 * @example const { row, created } = await ingestAlert(ctx.store, appId, parseCap(body), { receivedAt: ctx.now(), capXml: body });
 */
export async function ingestAlert(
  store: AlertStoreDb,
  appId: string,
  alert: CapAlert,
  opts: { receivedAt: number; capXml: string | null; onStored?: (tx: Transaction<Database>, row: AlertsTable) => Promise<void> },
): Promise<IngestResult> {
  const existing = await findByIdentity(store.db, appId, alert);
  if (existing) return { row: existing, created: false };
  const result = await store.db.transaction().execute(async (tx) => {
    // One alert of an app at a time: a Cancel and its original arriving together would
    // otherwise each miss the other (neither committed) and the original go out
    // uncancelled. PostgreSQL locks the app's row; SQLite runs one write transaction at a
    // time already. (alert-store.test.ts: "arriving at the same moment".)
    if (store.caps.supportsSkipLocked) await tx.selectFrom('apps').select('id').where('id', '=', appId).forUpdate().execute();
    const again = await findByIdentity(tx, appId, alert);
    if (again) return { row: again, created: false };
    const decided = decideDisposition(alert, opts.receivedAt);
    const row: AlertsTable = {
      id: newId('alr'),
      app_id: appId,
      sender: alert.sender,
      identifier: alert.identifier,
      sent: alert.sent.text,
      sent_at: alert.sent.epochMs,
      status: alert.status,
      msg_type: alert.msgType,
      scope: alert.scope,
      disposition: decided.disposition,
      reason: decided.reason,
      expires_at: alertExpiresAt(alert) ?? null,
      cancelled_by: null,
      replaced_by: null,
      document: JSON.stringify(alert),
      cap_xml: opts.capXml,
      received_at: opts.receivedAt,
      // Set by the send queued with it (send/send-job.ts).
      send_pending: null,
    };
    // Tombstones: earlier references to this alert, made before it was seen.
    const waiting = await tx
      .selectFrom('alert_references as r')
      .innerJoin('alerts as a', 'a.id', 'r.alert_id')
      .select(['r.alert_id', 'r.position', 'r.ref_sender', 'r.ref_sent_at', 'a.sender as referrer_sender', 'a.msg_type', 'a.status', 'a.sent_at as referrer_sent_at'])
      .where('r.app_id', '=', appId)
      .where('r.ref_identifier', '=', alert.identifier)
      .where('r.target_id', 'is', null)
      .execute();
    const naming = waiting.filter(
      (w) => (w.ref_sender ?? w.referrer_sender) === alert.sender && (w.ref_sent_at === null || Number(w.ref_sent_at) === alert.sent.epochMs),
    );
    await tx.insertInto('alerts').values(row).onConflict((oc) => oc.columns(['app_id', 'sender', 'identifier', 'sent_at']).doNothing()).execute();
    const stored = await findByIdentity(tx, appId, alert);
    if (stored!.id !== row.id) return { row: stored!, created: false }; // another request stored it meanwhile
    // A bare reference names the latest alert with that identifier: it waits for this one
    // only if the referrer came after it.
    for (const w of naming) {
      if (w.ref_sent_at === null && Number(w.referrer_sent_at) <= alert.sent.epochMs) continue;
      await tx.updateTable('alert_references').set({ target_id: row.id }).where('alert_id', '=', w.alert_id).where('position', '=', w.position).execute();
      const current = (await tx.selectFrom('alerts').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow()) as AlertsTable;
      await applyEffect(tx, current, { id: w.alert_id, msg_type: w.msg_type, status: w.status });
    }
    for (const [position, ref] of alert.references.entries()) {
      const target = await resolveReference(tx, appId, ref, row);
      await tx
        .insertInto('alert_references')
        .values({ alert_id: row.id, position, app_id: appId, ref_sender: ref.sender ?? null, ref_identifier: ref.identifier, ref_sent_at: ref.sent?.epochMs ?? null, target_id: target?.id ?? null })
        .execute();
      if (target) await applyEffect(tx, target, { id: row.id, msg_type: row.msg_type, status: row.status });
    }
    const final = (await tx.selectFrom('alerts').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow()) as AlertsTable;
    // What must happen to a new alert (its send) is queued in the transaction that stores it.
    await opts.onStored?.(tx, final);
    return { row: final, created: true };
  });
  return result;
}

export interface StoredReference {
  sender: string | null;
  identifier: string;
  sentAt: number | null;
  /** The stored alert it names; null while that alert has not been seen (a tombstone). */
  alertId: string | null;
}

export async function alertReferences(db: Db, alertId: string): Promise<StoredReference[]> {
  const rows = await db.selectFrom('alert_references').selectAll().where('alert_id', '=', alertId).orderBy('position').execute();
  return rows.map((r) => ({ sender: r.ref_sender, identifier: r.ref_identifier, sentAt: r.ref_sent_at === null ? null : Number(r.ref_sent_at), alertId: r.target_id }));
}

/** The references of several alerts in one query, by alert id. */
export async function referencesOf(db: Db, alertIds: readonly string[]): Promise<Map<string, StoredReference[]>> {
  const out = new Map<string, StoredReference[]>(alertIds.map((id) => [id, []]));
  if (alertIds.length === 0) return out;
  const rows = await db.selectFrom('alert_references').selectAll().where('alert_id', 'in', [...alertIds]).orderBy('alert_id').orderBy('position').execute();
  for (const r of rows) out.get(r.alert_id)!.push({ sender: r.ref_sender, identifier: r.ref_identifier, sentAt: r.ref_sent_at === null ? null : Number(r.ref_sent_at), alertId: r.target_id });
  return out;
}

export async function findAlert(db: Db, appId: string, id: string): Promise<AlertsTable | undefined> {
  return db.selectFrom('alerts').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
}

/** A page of the app's alerts, newest received first; `before` is the last row of the previous page. */
export async function listAlertRows(db: Db, appId: string, opts: { limit: number; before?: { receivedAt: number; id: string } }): Promise<AlertsTable[]> {
  let q = db.selectFrom('alerts').selectAll().where('app_id', '=', appId);
  const before = opts.before;
  if (before) q = q.where((eb) => eb.or([eb('received_at', '<', before.receivedAt), eb.and([eb('received_at', '=', before.receivedAt), eb('id', '<', before.id)])]));
  return q.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
}

export { identityOf };
