import { sql, type CompiledQuery, type Kysely } from 'kysely';

/**
 * PostgreSQL's plan for a query, with sequential scans priced out so that the plan says
 * which index the planner would use (the EXPLAIN tests of the hot queries).
 */
export function explainPlan(db: Kysely<any>, query: { compile(): CompiledQuery }): Promise<string> {
  const compiled = query.compile();
  return db.connection().execute(async (conn) => {
    await sql`set enable_seqscan = off`.execute(conn);
    const res = await conn.executeQuery<{ 'QUERY PLAN': string }>({ ...compiled, sql: `explain ${compiled.sql}` });
    await sql`reset enable_seqscan`.execute(conn);
    return res.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}
