/**
 * Civic alerts as the API sees them: a CAP document in, stored once, answered as a view;
 * lists and single alerts out. docs/civic-alerts.md.
 */
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { CapError, CapInvalidError, CapMalformedError, CapRefusedError, parseCap } from '../protocol/cap/index.ts';
import type { CapAlert } from '../protocol/cap/types.ts';
import type { AlertsTable } from '../store/schema-alerts.ts';
import { isAllClear, isTopPriority } from './info-choice.ts';
import { capXmlFromJson, pointerOfElement, type CapAlertJson } from './alert-json.ts';
import { alertReferences, findAlert, ingestAlert, listAlertRows, referencesOf, type StoredReference } from './alert-store.ts';
import { getNotification } from '../notifications/notifications.ts';
import type { AlertNotificationsTable } from '../store/schema-alert-sends.ts';
import { sendAlert, type SendOptions } from './send/send-alert.ts';
import { queueAlertSend } from './send/send-job.ts';
import { signedCapXml } from './signature-check.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The problem for a refused CAP document: its catalogue code, the element at fault, the reason. */
export function capProblem(err: CapError): ApiError {
  const extra: Record<string, unknown> = { reason: err.reason };
  if (err.element !== undefined) extra.element = err.element;
  if (err instanceof CapMalformedError) {
    if (err.line !== undefined) extra.line = err.line;
    if (err.column !== undefined) extra.column = err.column;
    return new ApiError('cap_malformed', err.message, extra);
  }
  if (err instanceof CapRefusedError) return new ApiError(err.reason === 'too_large' ? 'body_too_large' : 'cap_refused', err.message, extra);
  if (err instanceof CapInvalidError) return new ApiError('cap_invalid', err.message, extra);
  return new ApiError('cap_invalid', err.message, extra);
}

export function alertView(row: AlertsTable, references: StoredReference[], sent: Pick<AlertNotificationsTable, 'notification_id' | 'kind' | 'thread'> | undefined) {
  const cap = JSON.parse(row.document) as CapAlert;
  return {
    id: row.id,
    sender: row.sender,
    identifier: row.identifier,
    sent: row.sent,
    status: row.status,
    msgType: row.msg_type,
    scope: row.scope,
    disposition: row.disposition,
    reason: row.reason,
    expiresAt: iso(row.expires_at === null ? null : Number(row.expires_at)),
    cancelledBy: row.cancelled_by,
    replacedBy: row.replaced_by,
    receivedAt: iso(Number(row.received_at))!,
    allClear: isAllClear(cap),
    references: references.map((r) => ({ sender: r.sender, identifier: r.identifier, sent: iso(r.sentAt), alertId: r.alertId })),
    infos: cap.infos.map((i) => ({
      language: i.language,
      event: i.event,
      urgency: i.urgency,
      severity: i.severity,
      certainty: i.certainty,
      headline: i.headline ?? null,
      expires: i.expires ? new Date(i.expires.epochMs).toISOString() : null,
      topPriority: isTopPriority(i),
    })),
    notification: sent ? { id: sent.notification_id, kind: sent.kind, thread: sent.thread } : null,
  };
}

async function sentAs(ctx: Context, alertIds: readonly string[]) {
  if (alertIds.length === 0) return new Map<string, AlertNotificationsTable>();
  const rows = await ctx.store.db.selectFrom('alert_notifications').selectAll().where('alert_id', 'in', [...alertIds]).execute();
  return new Map(rows.map((r) => [r.alert_id, r as AlertNotificationsTable]));
}

/**
 * Reads, checks and stores a posted CAP document, and sends it when its disposition
 * reaches people; `created` false when it was already held. The alert's send job is
 * stored with it (./send/send-job.ts), so an alert held but not sent (the process stopped
 * between the two) is sent by that job, and when it comes again all the same.
 */
export async function receiveCapAlert(ctx: Context, appId: string, xml: string, form: 'xml' | 'json' = 'xml', send: SendOptions = {}) {
  let alert: CapAlert;
  try {
    // A posted or polled document meets the operator's signature rule; the JSON form is the operator's own.
    alert = parseCap(form === 'xml' ? await signedCapXml(ctx.config, xml, ctx.now()) : xml);
  } catch (err) {
    if (!(err instanceof CapError)) throw err;
    const problem = capProblem(err);
    // The JSON form's members are named by pointer, as every JSON body's are (RFC 6901).
    if (form === 'json' && err.element !== undefined) {
      const pointer = pointerOfElement(err.element);
      throw new ApiError(problem.code, `${pointer.slice(2)}: ${err.message.slice(err.element.length + 2)}`, { ...problem.extra, pointer, errors: [{ pointer, detail: err.message.slice(err.element.length + 2) }] });
    }
    throw problem;
  }
  const { row, created } = await ingestAlert(ctx.store, appId, alert, { receivedAt: ctx.now(), capXml: xml, onStored: (tx, stored) => queueAlertSend(ctx, tx, stored, send) });
  if (created) ctx.logger.info({ module: 'alerts', alertId: row.id, msgType: row.msg_type, disposition: row.disposition }, 'alert received');
  await sendAlert(ctx, row, send);
  return { alert: alertView(row, await alertReferences(ctx.store.db, row.id), (await sentAs(ctx, [row.id])).get(row.id)), created };
}

/** The JSON form: written out as CAP XML (stored as such), then read like a posted document. */
export async function receiveJsonAlert(ctx: Context, appId: string, body: CapAlertJson, send: SendOptions = {}) {
  return receiveCapAlert(ctx, appId, capXmlFromJson(body), 'json', send);
}

export async function getAlert(ctx: Context, appId: string, id: string) {
  const row = await findAlert(ctx.store.db, appId, id);
  if (!row) throw new ApiError('alert_not_found', `No alert ${id} in this app`);
  const sent = (await sentAs(ctx, [row.id])).get(row.id);
  const sending = sent ? await getNotification(ctx, appId, sent.notification_id) : undefined;
  return {
    ...alertView(row, await alertReferences(ctx.store.db, row.id), sent),
    cap: JSON.parse(row.document) as unknown,
    sending: sending ? { status: sending.status, topPriority: sending.urgency === 'high', counts: sending.counts as unknown as Record<string, number>, suppressed: sending.suppressed } : null,
  };
}

function encodeCursor(row: AlertsTable): string {
  return Buffer.from(`a1:${row.received_at}:${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { receivedAt: number; id: string } {
  const m = /^a1:(\d{1,15}):([A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ApiError('invalid_cursor', 'The cursor was not issued by this server');
  return { receivedAt: Number(m[1]), id: m[2]! };
}

/** A page of the app's alerts, newest received first. */
export async function listAlerts(ctx: Context, appId: string, opts: { limit: number; cursor?: string }) {
  const before = opts.cursor === undefined ? undefined : decodeCursor(opts.cursor);
  const rows = await listAlertRows(ctx.store.db, appId, { limit: opts.limit + 1, ...(before ? { before } : {}) });
  const page = rows.slice(0, opts.limit);
  const refs = await referencesOf(ctx.store.db, page.map((r) => r.id));
  const sent = await sentAs(ctx, page.map((r) => r.id));
  const data = page.map((row) => alertView(row, refs.get(row.id)!, sent.get(row.id)));
  const last = page.at(-1);
  return { data, next: rows.length > opts.limit && last ? encodeCursor(last) : null };
}
