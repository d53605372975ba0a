import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { AudienceSql } from './capabilities.ts';

/**
 * A compiled leaf, kept in a form that can be negated without losing an index:
 * - `in`: `ref` is among the rows of `query` (a semi-join on an index);
 * - `notIn`: it is not (an anti-join, spelled per engine: AudienceSql.notIn);
 * - `expr`: any other test, which must be TRUE or FALSE, never NULL, so that `not` is
 *   the complement (columns that may be NULL are tested with `is not null and ...`).
 */
export type Predicate =
  | { kind: 'in'; ref: RawBuilder<unknown>; query: RawBuilder<unknown> }
  | { kind: 'notIn'; ref: RawBuilder<unknown>; query: RawBuilder<unknown> }
  | { kind: 'expr'; expr: RawBuilder<SqlBool> };

export function negate(p: Predicate): Predicate {
  if (p.kind === 'in') return { ...p, kind: 'notIn' };
  if (p.kind === 'notIn') return { ...p, kind: 'in' };
  return { kind: 'expr', expr: sql<SqlBool>`not (${p.expr})` };
}

export function toSql(p: Predicate, s: AudienceSql): RawBuilder<SqlBool> {
  if (p.kind === 'in') return sql<SqlBool>`${p.ref} in (${p.query})`;
  if (p.kind === 'notIn') return s.notIn(p.ref, p.query);
  return p.expr;
}

export const USER_SEQ = sql.ref('users.seq');
export const SUBSCRIPTION_SEQ = sql.ref('subscriptions.seq');
