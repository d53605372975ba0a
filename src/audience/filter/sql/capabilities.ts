import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { DialectCapabilities } from '../../../store/dialect.ts';
import type { Scalar } from '../types.ts';

/**
 * What the audience SQL needs that the engines spell differently. The one place that looks
 * at the dialect's name; everything else asks these.
 */
export interface AudienceSql {
  /** `haystack` contains `needle` (case-sensitive, as String.prototype.includes). */
  contains(haystack: RawBuilder<unknown>, needle: string): RawBuilder<SqlBool>;
  /** `user_events.properties` has `key` with exactly this value, of the same JSON type. */
  propertyEquals(key: string, value: Scalar): RawBuilder<SqlBool>;
  /**
   * `ref` is not among the rows of `query` (a column of non-null values). SQLite runs a
   * `not in (subquery)` once into a temporary index; PostgreSQL cannot turn `not in` into
   * an anti-join (its NULL rule) and would run it as a subplan, so there it is `not exists`.
   */
  notIn(ref: RawBuilder<unknown>, query: RawBuilder<unknown>): RawBuilder<SqlBool>;
  /** sin and cos in SQL, for `near` (geo.ts). */
  mathFunctions: boolean;
  /**
   * Whether a row set asked in `set` form below an `or` (where no semi- or anti-join can
   * take it) is better left-joined once than tested per row (predicate.ts toSql). SQLite
   * runs an `in` or `not in` subquery once into a temporary index wherever it stands.
   * PostgreSQL runs `not exists` under an `or` as a subplan per row: bench section 7's (c)
   * probed the events index for each of its 200k users; the same set grouped once and
   * hash-joined cost 1,010 ms of the backend's CPU against 1,390 ms.
   */
  joinsSetsUnderOr: boolean;
  /**
   * Whether the audience's join of users to subscriptions names the app on users too
   * (user_seq alone implies it). SQLite's planner takes the users indexes, which lead with
   * app_id, only when it does; PostgreSQL would then read every user's heap row for a
   * column it already knows, where the primary key's index alone serves the join.
   */
  joinsUsersByApp: boolean;
  /** Settings for the one statement that sizes an audience (count-audience.ts), set for its transaction only. */
  sizingSettings: RawBuilder<unknown>[];
}

const sqlite = (mathFunctions: boolean): AudienceSql => ({
  contains: (h, n) => sql<SqlBool>`instr(${h}, ${n}) > 0`,
  propertyEquals(key, value) {
    // The path is a bound parameter; the key's grammar (fields.ts KEY) has no `"` or `\` to escape.
    const path = `$."${key}"`;
    if (typeof value === 'boolean') return sql<SqlBool>`json_type(properties, ${path}) = ${value ? 'true' : 'false'}`;
    const type = typeof value === 'string' ? sql`= 'text'` : sql`in ('integer', 'real')`;
    return sql<SqlBool>`(json_type(properties, ${path}) ${type} and json_extract(properties, ${path}) = ${value})`;
  },
  notIn: (ref, query) => sql<SqlBool>`${ref} not in (${query})`,
  mathFunctions,
  joinsSetsUnderOr: false,
  joinsUsersByApp: true,
  sizingSettings: [],
});

const postgres: AudienceSql = {
  contains: (h, n) => sql<SqlBool>`strpos(${h}, cast(${n} as text)) > 0`,
  // jsonb equality compares numbers by value (1 = 1.0) and keeps types apart ("1" <> 1, true <> 1).
  propertyEquals: (key, value) => sql<SqlBool>`(cast(properties as jsonb) -> cast(${key} as text)) = cast(${JSON.stringify(value)} as jsonb)`,
  notIn: (ref, query) => sql<SqlBool>`not exists (select 1 from (${query}) as excluded (v) where excluded.v = ${ref})`,
  mathFunctions: true,
  joinsSetsUnderOr: true,
  joinsUsersByApp: false,
  // Seen in the plans of bench section 7 (1M users, 10M events), PostgreSQL's defaults:
  // - JIT compiled each count for 160-180 ms, a fifth of the goal, to save less than that;
  // - grouping the week's 1.2M events by user spilled to disk at the default 4 MB of
  //   work_mem (41 batches); at 64 MB (hashes may take hash_mem_multiplier times that) the
  //   700k users' groups stayed in memory (82 MB), for this one statement;
  // - a parallel plan had each of its three processes build the same grouped set in full
  //   (loops=3 over all 1.2M rows), three times the work on the same cores;
  // - grouping those 1.2M events into 690k users by hash took 860 ms of the backend's CPU,
  //   sorting them and counting each run of one user took 470 ms (the hash table of 82 MB
  //   misses the CPU caches on nearly every row; the sort runs through memory in order), and
  //   the sorted groups then probe users in seq order. Hashed subplans (`not in`) are not
  //   aggregates and stay allowed;
  // - joined on integers (subscriptions.user_seq, migration 023), the planner still hashed
  //   the 750k subscriptions against 200k users' sets (860 ms of CPU for "plan = pro")
  //   where merging the sets, which come in user order from their indexes, with the
  //   (app_id, user_seq, channel) index took 210 ms; the three-part (c) went from 1,170 to
  //   630 ms. Nested loops, for small sets, stay allowed.
  sizingSettings: [
    sql`set local jit = off`,
    sql`set local work_mem = '64MB'`,
    sql`set local max_parallel_workers_per_gather = 0`,
    sql`set local enable_hashagg = off`,
    sql`set local enable_hashjoin = off`,
  ],
};

const probed = new WeakMap<object, Promise<boolean>>();

/**
 * The audience SQL for this store. SQLite has sin and cos only when built with its math
 * functions (SQLITE_ENABLE_MATH_FUNCTIONS; better-sqlite3's bundled build has them), so
 * that is asked once per database with `select sin(1)`.
 */
export async function audienceSql(db: Kysely<any>, caps: DialectCapabilities): Promise<AudienceSql> {
  if (caps.dialect === 'postgres') return postgres;
  let math = probed.get(db);
  if (math === undefined) {
    math = sql`select sin(1) as s`.execute(db).then(
      () => true,
      () => false,
    );
    probed.set(db, math);
  }
  return sqlite(await math);
}
