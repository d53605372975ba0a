import { sql, type Kysely } from 'kysely';

/**
 * An alert stored with its send job keeps the send's reach (`area`, `area_and_unlocated`)
 * until it is sent, so the reconcile pass can queue the send again, on the urgent lane, when
 * the queue lost the job (a Redis that restarted without its data): src/alerts/send/
 * send-job.ts. Alerts stored before are left null: they are sent or never will be, and the
 * pass must not push them now. The partial index holds the few alerts not sent yet.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table alerts add column send_pending text`.execute(db);
  await sql`create index alerts_send_pending on alerts (received_at) where send_pending is not null`.execute(db);
}
