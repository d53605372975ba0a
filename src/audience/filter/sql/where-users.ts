import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { testsSubscriptions } from '../scope.ts';
import type { Filter } from '../types.ts';
import { compileFilter } from './compile-filter.ts';
import type { CompileContext } from './context.ts';

/**
 * The filter as a condition on `users` (of ctx.appId, which the caller also selects on):
 *
 *     db.selectFrom('users').where('users.app_id', '=', appId).where(whereUsers(filter, ctx))
 *
 * A filter with tag or channel tests matches a user through one of its subscriptions (the
 * same subscription for every test: docs/audience.md, "Users and subscriptions").
 */
export function whereUsers(f: Filter, ctx: CompileContext): RawBuilder<SqlBool> {
  const cond = compileFilter(f, ctx);
  if (!testsSubscriptions(f)) return cond;
  return sql<SqlBool>`exists (select 1 from subscriptions where subscriptions.app_id = users.app_id and subscriptions.user_seq = users.seq and ${cond})`;
}
