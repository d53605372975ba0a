import type { AudienceSql } from './capabilities.ts';

/** What compiling a filter needs besides the filter. */
export interface CompileContext {
  appId: string;
  /** The time `within` and `older_than` count back from (unix ms): the caller's clock, never the database's. */
  now: number;
  sql: AudienceSql;
  /** How semi-joins are asked (predicate.ts toSql): `set` (the default) to size, `probe` to page through a broad audience. */
  form?: 'set' | 'probe';
}
