import { sql, type RawBuilder } from 'kysely';
import { parseDuration } from '../duration.ts';
import { compareCount, countComparison } from '../count.ts';
import type { CountOp, EventFilter } from '../types.ts';
import type { CompileContext } from './context.ts';
import { USER_SEQ, type Predicate } from './predicate.ts';

const SQL_OP: Record<CountOp, '=' | '<>' | '>' | '>=' | '<' | '<='> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };
const COMPLEMENT: Record<CountOp, CountOp> = { eq: 'neq', neq: 'eq', gt: 'lte', gte: 'lt', lt: 'gte', lte: 'gt' };

/**
 * An event count, on the (app_id, name, at, user_seq) index: the users with events of that
 * name (in the window, with the properties asked), grouped by user when the count matters.
 * A user without any such event has a count of 0, which no group shows; so a comparison
 * that holds at 0 ("did not", "fewer than 3") is compiled as its complement's anti-join:
 * count < 3 is "not among the users with count >= 3".
 */
export function compileEvent(f: EventFilter, ctx: CompileContext): Predicate {
  const conds: RawBuilder<unknown>[] = [sql`app_id = ${ctx.appId}`, sql`name = ${f.event}`];
  if (f.within !== undefined) conds.push(sql`at >= ${ctx.now - parseDuration(f.within)!}`, sql`at <= ${ctx.now}`);
  for (const [key, value] of Object.entries(f.where ?? {})) conds.push(ctx.sql.propertyEquals(key, value));
  const { op, n } = countComparison(f);
  const atZero = compareCount(op, 0, n);
  // The groups to look for: those where the comparison holds, or (when it holds at 0) those where it fails.
  const groupOp = atZero ? COMPLEMENT[op] : op;
  // Every group has a count of at least 1: "count >= 1", "> 0" and "<> 0" need no counting
  // (the last is the groups to leave out for "count = 0", "did not").
  const everyGroup = (groupOp === 'gte' && n === 1) || ((groupOp === 'gt' || groupOp === 'neq') && n === 0);
  return {
    kind: atZero ? 'notIn' : 'in',
    set: { ref: ctx.userSeq ?? USER_SEQ, table: 'user_events', key: 'user_seq', conds, ...(everyGroup ? {} : { count: { op: SQL_OP[groupOp], n } }) },
  };
}
