import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { parseDuration } from '../duration.ts';
import { builtInField, type BuiltInField } from '../fields.ts';
import { asciiLower } from '../language.ts';
import type { AttributeFilter, Scalar } from '../types.ts';
import type { CompileContext } from './context.ts';
import { USER_SEQ, type Predicate, type RowSet } from './predicate.ts';

/**
 * An attribute test. Built-in fields are columns of `users` (each with an (app_id, column)
 * index); custom attributes are semi-joins on `user_attributes` by (app_id, key, str|num),
 * one row per user and key. A user without the attribute matches only `not_exists`.
 */
export function compileAttribute(f: AttributeFilter, ctx: CompileContext): Predicate {
  const field = builtInField(f.attribute);
  return field ? builtIn(f, field, ctx) : custom(f, ctx);
}

const list = (v: AttributeFilter['value']): Scalar[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const expr = (e: RawBuilder<SqlBool>): Predicate => ({ kind: 'expr', expr: e });

function builtIn(f: AttributeFilter, field: BuiltInField, ctx: CompileContext): Predicate {
  const col = sql.ref(`users.${field.column}`);
  if (f.op === 'exists') return expr(sql<SqlBool>`${col} is not null`);
  if (f.op === 'not_exists') return expr(sql<SqlBool>`${col} is null`);
  // Languages compare in lower case (RFC 5646 §2.1.1); values are ASCII, as SQLite's lower() needs.
  const language = field.kind === 'language';
  const subject = language ? sql`lower(${col})` : col;
  // session_count is a 32-bit integer column: PostgreSQL would type a parameter compared
  // with it as one too, and refuse 5000000000. As bigint it compares, and the index still serves.
  const norm = (v: Scalar): unknown => (language ? asciiLower(v as string) : field.kind === 'number' ? sql`cast(${v} as bigint)` : v);
  const test = stringOrNumber(f, subject, norm, ctx);
  return expr(sql<SqlBool>`(${col} is not null and ${test})`);
}

/** The comparison of a non-null value; `subject` is the column (or its lower case). */
function stringOrNumber(f: AttributeFilter, subject: RawBuilder<unknown>, norm: (v: Scalar) => unknown, ctx: CompileContext): RawBuilder<SqlBool> {
  const v = f.value;
  const one = () => norm(v as Scalar);
  switch (f.op) {
    case 'eq':
      return sql<SqlBool>`${subject} = ${one()}`;
    case 'neq':
      return sql<SqlBool>`${subject} <> ${one()}`;
    case 'in':
      return sql<SqlBool>`${subject} in (${sql.join(list(v).map(norm))})`;
    case 'not_in':
      return sql<SqlBool>`${subject} not in (${sql.join(list(v).map(norm))})`;
    case 'gt':
    case 'after':
      return sql<SqlBool>`${subject} > ${one()}`;
    case 'gte':
      return sql<SqlBool>`${subject} >= ${one()}`;
    case 'lt':
    case 'before':
      return sql<SqlBool>`${subject} < ${one()}`;
    case 'lte':
      return sql<SqlBool>`${subject} <= ${one()}`;
    case 'within':
      return sql<SqlBool>`${subject} >= ${ctx.now - parseDuration(v)!} and ${subject} <= ${ctx.now}`;
    case 'older_than':
      return sql<SqlBool>`${subject} < ${ctx.now - parseDuration(v)!}`;
    case 'contains':
      return ctx.sql.contains(subject, v as string);
    case 'starts_with':
      if (f.attribute === 'language') {
        // At subtag boundaries (RFC 4647 §3.3.1): the whole tag, or the prefix and a hyphen.
        const p = asciiLower(v as string);
        return sql<SqlBool>`(${subject} = ${p} or substr(${subject}, 1, ${p.length + 1}) = ${p + '-'})`;
      }
      return startsWith(subject, v as string);
    default:
      throw new Error(`no comparison for ${f.op}`);
  }
}

// Not LIKE: its wildcards would need escaping, and SQLite's LIKE ignores ASCII case where PostgreSQL's does not.
function startsWith(subject: RawBuilder<unknown>, prefix: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`substr(${subject}, 1, length(cast(${prefix} as text))) = ${prefix}`;
}

/** The rows of `user_attributes` that hold a value equal to one of `values` (all of one JSON type). */
function equalRows(values: Scalar[]): RawBuilder<SqlBool> {
  const first = values[0];
  if (typeof first === 'string') return values.length === 1 ? sql<SqlBool>`str = ${first}` : sql<SqlBool>`str in (${sql.join(values)})`;
  const nums = values.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
  const type = typeof first === 'boolean' ? sql`type = 'boolean'` : sql`type in ('number', 'time')`;
  return nums.length === 1 ? sql<SqlBool>`(${type} and num = ${nums[0]})` : sql<SqlBool>`(${type} and num in (${sql.join(nums)}))`;
}

function custom(f: AttributeFilter, ctx: CompileContext): Predicate {
  const rows = (cond?: RawBuilder<SqlBool>): RowSet => ({
    ref: ctx.userSeq ?? USER_SEQ,
    table: 'user_attributes',
    key: 'user_seq',
    conds: [sql`app_id = ${ctx.appId}`, sql`key = ${f.attribute}`, ...(cond ? [cond] : [])],
  });
  const has = (cond?: RawBuilder<SqlBool>): Predicate => ({ kind: 'in', set: rows(cond) });
  const v = f.value;
  switch (f.op) {
    case 'exists':
      return has();
    case 'not_exists':
      return { kind: 'notIn', set: rows() };
    case 'eq':
    case 'in':
      return has(equalRows(list(v)));
    case 'neq':
    case 'not_in': {
      // Has the attribute, and its one row is not equal: `str` is NULL on rows of other types.
      const values = list(v);
      if (typeof values[0] === 'string') return has(sql<SqlBool>`(str is null or not (${equalRows(values)}))`);
      return has(sql<SqlBool>`not ${equalRows(values)}`);
    }
    case 'contains':
      return has(sql<SqlBool>`(str is not null and ${ctx.sql.contains(sql.ref('str'), v as string)})`);
    case 'starts_with':
      return has(sql<SqlBool>`(str is not null and ${startsWith(sql.ref('str'), v as string)})`);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return has(sql<SqlBool>`(type in ('number', 'time') and ${stringOrNumber(f, sql.ref('num'), (x) => x, ctx)})`);
    default:
      // before, after, within, older_than: times only.
      return has(sql<SqlBool>`(type = 'time' and ${stringOrNumber(f, sql.ref('num'), (x) => x, ctx)})`);
  }
}
