/**
 * Prepared statements kept for reuse on the SQLite connection. Kysely's SQLite driver
 * prepares every query it runs, and delivery runs the same few statements (send records,
 * rollups, batch progress) thousands of times a second: preparing them again each time
 * was about 6% of the delivery process's main thread in the fan-out benchmark.
 *
 * A statement is reused only when it is idle: one still being iterated (a streamed select
 * left open) is never handed out again, a fresh one is prepared beside it. SQLite
 * re-prepares a kept statement by itself when the schema changes (sqlite3_prepare_v2), so
 * migrations need nothing here. The cache is bounded, oldest out first: statements whose
 * text varies (an `in (...)` list of each length) do not pile up.
 */
import type { Database as SqliteHandle, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Statements kept at most; delivery and the API use a few dozen distinct texts. */
export const KEPT_STATEMENTS = 256;

export function keptStatements(sqlite: SqliteHandle, max = KEPT_STATEMENTS): SqliteDatabase {
  const kept = new Map<string, Statement>();
  return {
    prepare(sql: string) {
      const found = kept.get(sql);
      if (found && !found.busy) {
        // Map order is insertion order: re-inserting marks it the most recently used.
        kept.delete(sql);
        kept.set(sql, found);
        return found;
      }
      const stmt = sqlite.prepare(sql);
      if (!found) {
        kept.set(sql, stmt);
        if (kept.size > max) kept.delete(kept.keys().next().value!);
      }
      return stmt;
    },
    close() {
      kept.clear();
      sqlite.close();
    },
  };
}
