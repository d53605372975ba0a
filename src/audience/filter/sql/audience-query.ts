import { sql, type Kysely } from 'kysely';
import type { DialectCapabilities } from '../../../store/dialect.ts';
import type { Database } from '../../../store/schema.ts';
import { builtInField } from '../fields.ts';
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
  return withJoins(rows, joins).where('subscriptions.app_id', '=', ctx.appId).where(cond);
}

/**
 * The same rows for a filter that reads no column of `users` (readsUsersRow false), without
 * joining it: a subscription's user_seq is set only while its user has a row (migration
 * 023), so `user_seq is not null` is the inner join's condition, and the sets keyed by
 * user compare with it. Sizing "viewed an item 3 times this week" on PostgreSQL then merges
 * the week's grouped events with the subscriptions' (app_id, user_seq, channel) index
 * alone, rather than walking the 1M users' keys between them too (bench section 7).
 */
export function subscriptionsOfUsers(db: Kysely<Database>, f: Filter, ctx: CompileContext) {
  const joins: SetJoin[] = [];
  const cond = compileFilter(f, { ...ctx, form: 'set', joins, userSeq: sql.ref('subscriptions.user_seq') });
  const rows = db.selectFrom('subscriptions');
  return withJoins(rows, joins).where('subscriptions.app_id', '=', ctx.appId).where('subscriptions.user_seq', 'is not', null).where(cond);
}

/** Whether the filter tests a column of `users` itself (a built-in field, a position), not only rows keyed by its seq. */
export function readsUsersRow(f: Filter): boolean {
  if ('and' in f) return f.and.some(readsUsersRow);
  if ('or' in f) return f.or.some(readsUsersRow);
  if ('not' in f) return readsUsersRow(f.not);
  if ('attribute' in f) return builtInField(f.attribute) !== undefined;
  return 'near' in f;
}

// The joined sets are only ever named in the condition: the query's type stays that of its tables.
function withJoins<Q>(rows: Q, joins: SetJoin[]): Q {
  return joins.reduce<Q>((q, s) => (q as any).leftJoin(s.table.as(s.alias), (j: any) => j.on(s.on)), rows);
}
