import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { ChannelFilter, TagFilter } from '../types.ts';
import type { CompileContext } from './context.ts';
import { SUBSCRIPTION_SEQ, type Predicate, type RowSet } from './predicate.ts';

/**
 * A tag test on the subscription, a semi-join on subscription_tags by (app_id, key, value),
 * one row per subscription and key. A subscription without the tag matches only
 * `not_exists`, as a user without an attribute does.
 */
export function compileTag(f: TagFilter, ctx: CompileContext): Predicate {
  const values = Array.isArray(f.value) ? f.value : f.value === undefined ? [] : [f.value];
  const rows = (cond?: RawBuilder<SqlBool>): RowSet => ({
    ref: SUBSCRIPTION_SEQ,
    table: 'subscription_tags',
    key: 'subscription_seq',
    conds: [sql`app_id = ${ctx.appId}`, sql`key = ${f.tag}`, ...(cond ? [cond] : [])],
  });
  const has = (cond?: RawBuilder<SqlBool>): Predicate => ({ kind: 'in', set: rows(cond) });
  switch (f.op) {
    case 'exists':
      return has();
    case 'not_exists':
      return { kind: 'notIn', set: rows() };
    case 'eq':
      return has(sql<SqlBool>`value = ${values[0]}`);
    case 'neq':
      return has(sql<SqlBool>`value <> ${values[0]}`);
    case 'in':
      return has(sql<SqlBool>`value in (${sql.join(values)})`);
    case 'not_in':
      return has(sql<SqlBool>`value not in (${sql.join(values)})`);
    case 'contains':
      return has(ctx.sql.contains(sql.ref('value'), values[0]!));
    case 'starts_with':
      return has(sql<SqlBool>`substr(value, 1, length(cast(${values[0]} as text))) = ${values[0]}`);
    default:
      throw new Error(`tags take no ${f.op}`);
  }
}

export function compileChannel(f: ChannelFilter): Predicate {
  return { kind: 'expr', expr: sql<SqlBool>`subscriptions.channel = ${f.channel}` };
}
