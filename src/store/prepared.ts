/**
 * Queries built and compiled once, run many times with new values. Kysely builds an
 * immutable tree for every query (each `.where` a frozen copy) and compiles it to SQL on
 * every run; on the paths that run the same few statements for each push (a sign-in's
 * challenge, nonce and audit rows, the push service's message rows, a key's lookup) that
 * was about a fifth of the main thread, beside the statements' own execution.
 *
 * The query is written as any other, with its variable values read from `$`:
 *
 *   const challengeById = prepared((db, $: { id: string; appId: string }) =>
 *     db.selectFrom('mfa_challenges').selectAll().where('id', '=', $.id).where('app_id', '=', $.appId));
 *   const row = await challengeById.first(db, { id, appId });
 *
 * On its first run on a dialect, `$` hands out placeholders: the query is compiled with
 * them, and each later run binds the values in their places. A query's shape must not
 * depend on the values (no `in` list of each length, no `$if` on one): those are written
 * the usual way. A value left unbound, or a placeholder that never reached the SQL, fails
 * the run loudly rather than binding something else.
 */
import type { CompiledQuery, Compilable, DialectAdapter, Kysely, QueryResult } from 'kysely';
import type { Database } from './schema.ts';

/** Where a value goes in a compiled query: the placeholder `$` handed out for one name. */
class Slot {
  constructor(readonly name: string) {}

  // A value used in the building itself (a comparison, a template string) would be the
  // placeholder, not the value of the run: refused at once.
  [Symbol.toPrimitive](): never {
    throw new Error(`prepared query: the value ${this.name} is bound at each run, it cannot shape the query`);
  }
}

interface Compiled {
  query: CompiledQuery;
  /** For each parameter of the compiled query: the name bound there, or undefined for a constant of the query. */
  names: (string | undefined)[];
}

export interface Prepared<P, R> {
  /** Every row the query returns. */
  rows(db: Kysely<Database>, values: P): Promise<R[]>;
  /** The first row, or undefined. */
  first(db: Kysely<Database>, values: P): Promise<R | undefined>;
  /** Rows inserted, updated or deleted (a write without `returning`). */
  affected(db: Kysely<Database>, values: P): Promise<number>;
  /** The query as compiled for `db`'s dialect, with `values` bound: for tests and for EXPLAIN. */
  compile(db: Kysely<Database>, values: P): CompiledQuery<R>;
}

export function prepared<P extends Record<string, unknown>, R>(build: (db: Kysely<Database>, $: P) => Compilable<R>): Prepared<P, R> {
  // One compilation per dialect adapter: a transaction shares its database's adapter, and
  // a process with a SQLite and a PostgreSQL store (the tests) keeps one of each.
  const byAdapter = new WeakMap<DialectAdapter, Compiled>();
  const compiledFor = (db: Kysely<Database>): Compiled => {
    const adapter = db.getExecutor().adapter;
    let found = byAdapter.get(adapter);
    if (!found) {
      const asked = new Set<string>();
      const $ = new Proxy({} as P, {
        get: (_target, name) => {
          if (typeof name !== 'string') throw new Error(`a prepared query's values are named: ${String(name)}`);
          asked.add(name);
          return new Slot(name);
        },
      });
      const query = build(db, $).compile();
      const names = query.parameters.map((p) => (p instanceof Slot ? p.name : undefined));
      for (const name of asked) if (!names.includes(name)) throw new Error(`prepared query: the value ${name} does not reach the SQL (${query.sql})`);
      found = { query, names };
      byAdapter.set(adapter, found);
    }
    return found;
  };
  const bind = (db: Kysely<Database>, values: P): CompiledQuery<R> => {
    const { query, names } = compiledFor(db);
    const parameters = names.map((name, i) => {
      if (name === undefined) return query.parameters[i];
      const value = values[name];
      if (value === undefined) throw new Error(`prepared query: no value for ${name} (${query.sql})`);
      return value;
    });
    return { ...query, parameters } as CompiledQuery<R>;
  };
  const run = (db: Kysely<Database>, values: P): Promise<QueryResult<R>> => db.executeQuery(bind(db, values));
  return {
    rows: async (db, values) => (await run(db, values)).rows,
    first: async (db, values) => (await run(db, values)).rows[0],
    affected: async (db, values) => Number((await run(db, values)).numAffectedRows ?? 0),
    compile: bind,
  };
}
