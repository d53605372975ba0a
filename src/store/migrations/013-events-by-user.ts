import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * "viewed_item at least 3 times in 7 days" groups the window's events by user. On
 * (app_id, name, at, user_seq) the window is one range, but its rows come in time order
 * and must be sorted by user before they can be counted: on a million users with ten
 * million events, SQLite spent 45 ms reading the week's 1.2M rows and 950 ms sorting them
 * (bench section 7). On (app_id, name, user_seq, at) the rows of a name come in user order
 * and are counted as they are read, the window tested on each, with no sort: about half
 * the time in all, though it reads every row of that name. Each engine's planner picks
 * between the two by their statistics (a short window over many months keeps the first).
 *
 * It also serves the per-user probe (predicate.ts `probe`) with app and name as equalities.
 *
 * On PostgreSQL, statistics of attribute keys and values together: its planner takes
 * columns as independent, so with `plan` one key in four and `pro` a fifth of plans it
 * expected 50k users of `plan = pro` where there were 200k, and chose a plan for the
 * smaller set. The most common (key, value) pairs, counted together, give the real share.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema.createIndex('user_events_name_user').on('user_events').columns(['app_id', 'name', 'user_seq', 'at']).execute();
  if (dialect === 'postgres') await sql`create statistics user_attributes_key_str (mcv, dependencies) on key, str from user_attributes`.execute(db);
}
