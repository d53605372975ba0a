import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { CompileContext } from './context.ts';

/**
 * Rows of an audience table that a leaf asks about: those of `table` with `conds`, keyed
 * by `key` (a user or subscription seq), optionally counted per key.
 */
export interface RowSet {
  /** What the key is compared with: `users.seq` or `subscriptions.seq`. */
  ref: RawBuilder<unknown>;
  table: 'user_attributes' | 'user_events' | 'subscription_tags';
  key: 'user_seq' | 'subscription_seq';
  conds: RawBuilder<unknown>[];
  /** The key's rows must number so many (`count(*) op n`), rather than merely exist. */
  count?: { op: '=' | '<>' | '>' | '>=' | '<' | '<='; n: number };
}

/**
 * A compiled leaf, kept in a form that can be negated without losing an index:
 * - `in`: the row's key has rows in the set (a semi-join);
 * - `notIn`: it has none (an anti-join);
 * - `expr`: any other test, which must be TRUE or FALSE, never NULL, so that `not` is
 *   the complement (columns that may be NULL are tested with `is not null and ...`).
 */
export type Predicate = { kind: 'in'; set: RowSet } | { kind: 'notIn'; set: RowSet } | { kind: 'expr'; expr: RawBuilder<SqlBool> };

export function negate(p: Predicate): Predicate {
  if (p.kind === 'in') return { ...p, kind: 'notIn' };
  if (p.kind === 'notIn') return { ...p, kind: 'in' };
  return { kind: 'expr', expr: sql<SqlBool>`not (${p.expr})` };
}

/**
 * How a row set is asked, by CompileContext.form:
 * - `set`: `ref in (select key from table where ... [group by key having count(*) op n])`.
 *   The set is built once per statement from its index ((app_id, key, value), (app_id,
 *   name, at)) and drives the join: the fast form for sizing an audience. The anti-join
 *   is spelled per engine (AudienceSql.notIn).
 * - `probe`: `exists (select 1 from table where key = ref and ...)`, or the count of those
 *   rows compared, for each row considered, on the tables' per-user and per-subscription
 *   keys ((user_seq, key), (user_seq, name, at), (subscription_seq, key)). A page of a
 *   broad audience in seq order then costs its own rows, not the whole set again.
 *
 * In `set` form, a row set that is not among the top-level conjuncts (`top`: under an
 * `or`, where no semi- or anti-join can take it) is left-joined instead when the query
 * collects joins (ctx.joins): grouped by key, so at most one row per key and no row of the
 * audience twice, and tested as `alias.k is [not] null`. It is built once, whatever the
 * number of rows the `or` looks at.
 */
export function toSql(p: Predicate, ctx: CompileContext, top = true): RawBuilder<SqlBool> {
  if (p.kind === 'expr') return p.expr;
  const { ref, table, key, conds, count } = p.set;
  const where = sql.join(conds, sql` and `);
  if (ctx.form === 'probe') {
    const rows = sql`from ${sql.table(table)} where ${sql.ref(key)} = ${ref} and ${where}`;
    const holds = count === undefined ? sql<SqlBool>`exists (select 1 ${rows})` : sql<SqlBool>`((select count(*) ${rows}) ${sql.raw(count.op)} ${count.n})`;
    return p.kind === 'in' ? holds : sql<SqlBool>`not (${holds})`;
  }
  const base = sql`select ${sql.ref(key)} from ${sql.table(table)} where ${where}`;
  const having = count === undefined ? sql`` : sql` having count(*) ${sql.raw(count.op)} ${count.n}`;
  if (!top && ctx.joins && ctx.sql.joinsSetsUnderOr) {
    const alias = `audience_set_${ctx.joins.length + 1}`;
    const k = sql.ref(`${alias}.k`);
    ctx.joins.push({ alias, table: sql`(select ${sql.ref(key)} as k from ${sql.table(table)} where ${where} group by ${sql.ref(key)}${having})`, on: sql<SqlBool>`${k} = ${ref}` });
    return p.kind === 'in' ? sql<SqlBool>`${k} is not null` : sql<SqlBool>`${k} is null`;
  }
  const query = count === undefined ? base : sql`${base} group by ${sql.ref(key)}${having}`;
  return p.kind === 'in' ? sql<SqlBool>`${ref} in (${query})` : ctx.sql.notIn(ref, query);
}

export const USER_SEQ = sql.ref('users.seq');
export const SUBSCRIPTION_SEQ = sql.ref('subscriptions.seq');
