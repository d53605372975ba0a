import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/** Rows hashed per round trip: enough to amortise it, small enough for any parameter limit. */
const BATCH = 500;

/**
 * The uaid is the only credential of a push service WebSocket (whoever says it in
 * `hello` gets that browser's messages), so it is stored as its SHA-256, as endpoint
 * tokens are (src/push-service/identifiers.ts): a copy of the database then lets no one
 * take a browser's place. Stored uaids are hashed in place, in `push_uaids` and the two
 * tables that reference it, and the columns are renamed `uaid_hash` to say so; browsers
 * already connected say the same uaid after the upgrade and are found by its hash.
 *
 * The hash is written out here rather than imported: a released migration must do the
 * same thing forever, whatever later code does.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  // The keys change in three tables one after another; the foreign keys between them
  // hold again at commit, where they are checked.
  if (dialect === 'sqlite') {
    await sql`pragma defer_foreign_keys = on`.execute(db);
  } else {
    const constraints = await sql<{ table: string; name: string }>`
      select conrelid::regclass::text as table, conname as name from pg_constraint
      where contype = 'f' and conrelid in ('push_channels'::regclass, 'push_messages'::regclass)`.execute(db);
    for (const c of constraints.rows) {
      await sql`alter table ${sql.id(c.table)} alter constraint ${sql.id(c.name)} deferrable initially immediate`.execute(db);
      await sql`set constraints ${sql.id(c.name)} deferred`.execute(db);
    }
  }

  await sql`create temporary table push_uaid_hashes (uaid text primary key, uaid_hash text not null)`.execute(db);
  let after = '';
  for (;;) {
    const rows = await db.selectFrom('push_uaids').select('uaid').where('uaid', '>', after).orderBy('uaid').limit(BATCH).execute();
    if (rows.length === 0) break;
    await db
      .insertInto('push_uaid_hashes')
      .values(rows.map((r) => ({ uaid: r.uaid, uaid_hash: createHash('sha256').update(r.uaid).digest('base64url') })))
      .execute();
    after = rows[rows.length - 1]!.uaid;
  }
  for (const table of ['push_uaids', 'push_channels', 'push_messages']) {
    await sql`update ${sql.id(table)} set uaid = (select h.uaid_hash from push_uaid_hashes h where h.uaid = ${sql.id(table)}.uaid)`.execute(db);
    await sql`alter table ${sql.id(table)} rename column uaid to uaid_hash`.execute(db);
  }
  await sql`drop table push_uaid_hashes`.execute(db);
}
