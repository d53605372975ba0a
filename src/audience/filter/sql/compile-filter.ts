import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Filter } from '../types.ts';
import { compileAttribute } from './compile-attribute.ts';
import { compileEvent } from './compile-event.ts';
import { compileNear } from './compile-near.ts';
import { compileChannel, compileTag } from './compile-subscription.ts';
import type { CompileContext } from './context.ts';
import { negate, toSql, type Predicate } from './predicate.ts';

/**
 * The filter (its segments expanded) as a condition on a row of `users` joined to its
 * `subscriptions` row; a filter without tag or channel tests mentions `users` only.
 * `not` is pushed down to the leaves (De Morgan), where a semi-join becomes an anti-join
 * rather than `not (x in (...))`, which PostgreSQL cannot plan as a join. `top` says
 * whether the condition is one of the filter's top-level conjuncts (reached through `and`
 * alone, after that push-down), where the planner can take a row set as a join.
 */
export function compileFilter(f: Filter, ctx: CompileContext, negated = false, top = true): RawBuilder<SqlBool> {
  if ('and' in f || 'or' in f) {
    const children = 'and' in f ? f.and : f.or;
    const conjunction = 'and' in f !== negated;
    const parts = children.map((g) => compileFilter(g, ctx, negated, top && (conjunction || children.length === 1)));
    if (parts.length === 1) return parts[0]!;
    return sql<SqlBool>`(${sql.join(parts, conjunction ? sql` and ` : sql` or `)})`;
  }
  if ('not' in f) return compileFilter(f.not, ctx, !negated, top);
  const p = leaf(f, ctx);
  return toSql(negated ? negate(p) : p, ctx, top);
}

function leaf(f: Filter, ctx: CompileContext): Predicate {
  if ('attribute' in f) return compileAttribute(f, ctx);
  if ('event' in f) return compileEvent(f, ctx);
  if ('tag' in f) return compileTag(f, ctx);
  if ('channel' in f) return compileChannel(f);
  if ('near' in f) return compileNear(f, ctx);
  if ('segment' in f) throw new Error(`segment ${f.segment} must be expanded before compiling (expandSegments)`);
  throw new Error('not a filter');
}
