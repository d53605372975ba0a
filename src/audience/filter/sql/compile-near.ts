import { sql, type SqlBool } from 'kysely';
import { circleTest, DEG } from '../geo.ts';
import type { NearFilter } from '../types.ts';
import type { CompileContext } from './context.ts';
import type { Predicate } from './predicate.ts';

/**
 * Within a radius of a point: a bounding box on (app_id, lat, lon) narrows by index, then
 * the haversine test decides, with the very operations of geo.ts haversineH (same order,
 * same constants passed as parameters) so that SQL and evaluator agree.
 */
export function compileNear(f: NearFilter, ctx: CompileContext): Predicate {
  if (!ctx.sql.mathFunctions) {
    throw new Error('"near" needs sin and cos in SQL: this SQLite is built without its math functions (SQLITE_ENABLE_MATH_FUNCTIONS)');
  }
  const t = circleTest(f.near);
  const lat = sql.ref('users.lat');
  const lon = sql.ref('users.lon');
  const lonBox = t.box.lon === undefined ? sql`` : sql` and (${sql.join(t.box.lon.map((r) => sql`(${lon} >= ${r.min} and ${lon} <= ${r.max})`), sql` or `)})`;
  const a = sql`sin(((${lat} - ${t.lat}) * ${DEG}) / 2)`;
  const b = sql`sin(((${lon} - ${t.lon}) * ${DEG}) / 2)`;
  const h = sql`((${a} * ${a}) + (((cos(${lat} * ${DEG}) * ${t.cosLat}) * ${b}) * ${b}))`;
  return {
    kind: 'expr',
    expr: sql<SqlBool>`(${lat} is not null and ${lon} is not null and ${lat} >= ${t.box.minLat} and ${lat} <= ${t.box.maxLat}${lonBox} and ${h} <= ${t.threshold})`,
  };
}
