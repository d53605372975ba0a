/**
 * The store → send hand-off, made durable: an alert that reaches people is stored with a
 * job that sends it, in one transaction. The receiving request sends it at once as well
 * (its answer names the notification), and sendAlert sends an alert once, so the job is
 * a no-op then; when the process stopped between the two, the job, which survived with the
 * alert's row, sends it (docs/civic-alerts.md#sending).
 */
import type { Transaction } from 'kysely';
import type { Context } from '../../context.ts';
import type { JobKind } from '../../queue/job-kind.ts';
import { PRIORITY, type JobSpec } from '../../queue/queue.ts';
import type { Database } from '../../store/schema.ts';
import type { AlertsTable } from '../../store/schema-alerts.ts';
import { reachesPeople, sendAlert, type SendOptions } from './send-alert.ts';

export const ALERT_SEND_JOB = 'alert.send';

interface AlertSendData {
  alertId: string;
  includeUnlocated: boolean;
}

/**
 * The send job of one alert. Urgent: it only writes the notification and queues the
 * fan-out (on the alert's own lane), and an alert must not wait behind a broadcast for it.
 */
export function alertSendJobSpec(alertId: string, opts: SendOptions = {}): JobSpec {
  const data: AlertSendData = { alertId, includeUnlocated: opts.includeUnlocated === true };
  return { name: ALERT_SEND_JOB, data, key: `alert-send:${alertId}`, priority: PRIORITY.urgent };
}

/** Alerts whose send is brought back per reconcile pass at most; the next pass takes the rest. */
const RECONCILE_LIMIT = 1000;

/** `send_pending` of an alert: the reach of its send, kept until it is sent (migration 049). */
const reachOf = (opts: SendOptions) => (opts.includeUnlocated === true ? 'area_and_unlocated' : 'area');

/**
 * Queues the send of an alert just stored, in the transaction that stored it, and marks it
 * pending with the send's reach, so the reconcile pass can bring a lost send job back;
 * nothing for one that reaches no one.
 */
export async function queueAlertSend(ctx: Context, tx: Transaction<Database>, row: AlertsTable, opts: SendOptions = {}): Promise<void> {
  if (!reachesPeople(row)) return;
  await tx.updateTable('alerts').set({ send_pending: reachOf(opts) }).where('id', '=', row.id).execute();
  await ctx.queue.add([alertSendJobSpec(row.id, opts)], tx);
}

/** Sends the alert as it stands now: one cancelled or replaced meanwhile, or already sent, is left. */
export function alertSendJob(ctx: Context): JobKind {
  return {
    name: ALERT_SEND_JOB,
    async handler(job) {
      const { alertId, includeUnlocated } = job.data as AlertSendData;
      const row = await ctx.store.db.selectFrom('alerts').selectAll().where('id', '=', alertId).executeTakeFirst();
      if (row) await sendAlert(ctx, row as AlertsTable, { includeUnlocated });
    },
    async reconcile(before) {
      // A send the queue lost (and the receiving request did not do: the process stopped)
      // comes back as it was queued, urgent and with its reach. An alert cancelled or
      // replaced meanwhile reaches no one, and sendAlert would leave it.
      const pending = await ctx.store.db
        .selectFrom('alerts')
        .select(['id', 'send_pending'])
        .where('send_pending', 'is not', null)
        .where('disposition', 'in', ['public', 'testers'])
        .where('received_at', '<', before)
        .orderBy('received_at')
        .limit(RECONCILE_LIMIT)
        .execute();
      return pending.map((a) => alertSendJobSpec(a.id, { includeUnlocated: a.send_pending === 'area_and_unlocated' }));
    },
  };
}
