import type { RawBuilder, SqlBool } from 'kysely';
import type { AudienceSql } from './capabilities.ts';

/** What compiling a filter needs besides the filter. */
export interface CompileContext {
  appId: string;
  /** The time `within` and `older_than` count back from (unix ms): the caller's clock, never the database's. */
  now: number;
  sql: AudienceSql;
  /** How semi-joins are asked (predicate.ts toSql): `set` (the default) to size, `probe` to page through a broad audience. */
  form?: 'set' | 'probe';
  /**
   * Where `set` form puts the row sets it left-joins rather than tests per row (when
   * AudienceSql.joinsSetsUnderOr): the query that compiles the filter (audience-query.ts)
   * collects them and joins them to its rows. Absent, every row set is a condition.
   */
  joins?: SetJoin[];
  /**
   * What the sets keyed by user (events, custom attributes) are compared with: `users.seq`
   * by default; `subscriptions.user_seq` where the query reads no column of `users` and
   * does not join it (count-audience.ts).
   */
  userSeq?: RawBuilder<unknown>;
}

/** `left join (table) as alias on on`: one row set grouped by its key, at most one row per key. */
export interface SetJoin {
  alias: string;
  table: RawBuilder<unknown>;
  on: RawBuilder<SqlBool>;
}
