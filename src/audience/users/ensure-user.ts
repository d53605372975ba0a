import type { Kysely, Transaction } from 'kysely';
import type { Database, UsersTable } from '../../store/schema.ts';
import type { DialectCapabilities } from '../../store/dialect.ts';

export type UserRow = Omit<UsersTable, 'seq' | 'attributes' | 'session_count'> & { seq: number; attributes: string; session_count: number };

/**
 * Makes sure the user (app, externalId) exists, created now if first seen, inside the
 * caller's transaction: a subscription, a session or an import that names a user makes
 * it. Returns its row, locked for the rest of the transaction where the engine has row
 * locks (PostgreSQL), so that two merges of one user cannot lose each other's keys;
 * SQLite runs one write transaction at a time anyway.
 */
export async function ensureUser(tx: Transaction<Database> | Kysely<Database>, caps: DialectCapabilities, appId: string, externalId: string, now: number): Promise<UserRow> {
  await tx
    .insertInto('users')
    .values({ app_id: appId, external_id: externalId, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['app_id', 'external_id']).doNothing())
    .execute();
  let q = tx.selectFrom('users').selectAll().where('app_id', '=', appId).where('external_id', '=', externalId);
  // supportsSkipLocked: the engine has row locks (SELECT ... FOR UPDATE).
  if (caps.supportsSkipLocked) q = q.forUpdate();
  const row = await q.executeTakeFirstOrThrow();
  return { ...row, seq: Number(row.seq), session_count: Number(row.session_count) };
}
