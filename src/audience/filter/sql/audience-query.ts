import type { Kysely } from 'kysely';
import type { DialectCapabilities } from '../../../store/dialect.ts';
import type { Database } from '../../../store/schema.ts';
import type { Filter } from '../types.ts';
import { audienceSql } from './capabilities.ts';
import { compileFilter } from './compile-filter.ts';
import type { CompileContext, SetJoin } from './context.ts';

export interface AudienceQueryOptions {
  /** The clock `within` and `older_than` count back from (unix ms). */
  now: number;
  caps: DialectCapabilities;
}

export async function compileContext(db: Kysely<Database>, appId: string, opts: AudienceQueryOptions, form: CompileContext['form'] = 'set'): Promise<CompileContext> {
  return { appId, now: opts.now, sql: await audienceSql(db, opts.caps), form };
}

/**
 * The app's subscriptions joined to their users (on subscriptions.user_seq, the users row
 * of their (app_id, user_id) as the database keeps it: migration 023), kept where the
 * filter holds. An integer join: on the text key, PostgreSQL hashed every user's external
 * id for each size (bench section 7). Subscriptions without a user, or whose user id has
 * no `users` row, are in no filter's audience. In `set` form the row sets the filter asks for under
 * an `or` may come as left joins (predicate.ts toSql), each at most one row per key.
 */
export function audienceRows(db: Kysely<Database>, f: Filter, ctx: CompileContext) {
  const joins: SetJoin[] = [];
  const cond = compileFilter(f, ctx.form === 'probe' ? ctx : { ...ctx, joins });
  const rows = db
    .selectFrom('subscriptions')
    .innerJoin('users', (j) => {
      const on = j.onRef('users.seq', '=', 'subscriptions.user_seq');
      return ctx.sql.joinsUsersByApp ? on.onRef('users.app_id', '=', 'subscriptions.app_id') : on;
    });
  // The joined sets are only ever named in `cond`: the query's type stays that of the two tables.
  const joined = joins.reduce<typeof rows>((q, s) => (q as any).leftJoin(s.table.as(s.alias), (j: any) => j.on(s.on)), rows);
  return joined.where('subscriptions.app_id', '=', ctx.appId).where(cond);
}
