import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * The `user_seq` triggers of migration 023 plan each of their statements for the row at
 * hand. PL/pgSQL caches a statement's plan and, after five calls, may keep a generic one
 * made without the row's values; planned while a table was empty or never analysed (a
 * fresh import: subscriptions first, then their users), that plan scanned the whole table
 * on every row. Attaching 10,000 users to their subscriptions took 15.5 s instead of
 * 0.3 s, growing with the square of the import. A custom plan per call costs a fraction of
 * a millisecond and always finds the row by its index. SQLite plans its triggers per
 * statement and has nothing to change.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  for (const fn of ['subscriptions_user_seq', 'users_attach_subscriptions', 'users_detach_subscriptions']) {
    await sql`alter function ${sql.raw(fn)}() set plan_cache_mode = force_custom_plan`.execute(db);
  }
}
