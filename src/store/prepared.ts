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
 * the run loudly rather than binding something else. Kysely plugins (`withPlugin`) see a
 * prepared query once, when it is compiled: none may count or rewrite queries per run.
 */
import { CompiledQuery, type Compilable, type DialectAdapter, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './schema.ts';

/** Where a value goes in a compiled query: the placeholder `$` handed out for one value (of one row, for preparedMany). */
class Slot {
  constructor(
    readonly key: string,
    readonly row: number,
  ) {}

  get name(): string {
    return this.row < 0 ? this.key : `${this.row}.${this.key}`;
  }

  // A value used in the building itself (a comparison, a template string) would be the
  // placeholder, not the value of the run: refused at once.
  [Symbol.toPrimitive](): never {
    throw new Error(`prepared query: the value ${this.name} is bound at each run, it cannot shape the query`);
  }
}

interface Compiled {
  /** The SQL alone (a raw query): the built tree of a thousand-row insert is not kept. */
  query: CompiledQuery;
  /** For each parameter of the compiled query: the placeholder bound there, or undefined for a constant of the query. */
  slots: (Slot | undefined)[];
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

/** Compiles `build` for `db`'s dialect; `shape` makes what build is given from a maker of placeholders. */
function compileShape<S>(db: Kysely<Database>, shape: (slot: (key: string, row: number) => Slot) => S, build: (db: Kysely<Database>, $: S) => Compilable<unknown>): Compiled {
  const asked: Slot[] = [];
  const $ = shape((key, row) => {
    const slot = new Slot(key, row);
    asked.push(slot);
    return slot;
  });
  const built = build(db, $).compile();
  const slots = built.parameters.map((p) => (p instanceof Slot ? p : undefined));
  const reached = new Set(slots);
  for (const slot of asked) if (!reached.has(slot)) throw new Error(`prepared query: the value ${slot.name} does not reach the SQL (${built.sql})`);
  return { query: CompiledQuery.raw(built.sql, built.parameters.map((p) => (p instanceof Slot ? null : p))), slots };
}

/** The values of one row as placeholders, by name. */
function valuesProxy<P extends object>(slot: (key: string, row: number) => Slot, row = -1): P {
  return new Proxy({} as P, {
    get: (_target, name) => {
      if (typeof name !== 'string') throw new Error(`a prepared query's values are named: ${String(name)}`);
      return slot(name, row);
    },
  });
}

/** The compiled query with each placeholder's value from `value`; `undefined` is refused. */
function bound<R>(compiled: Compiled, value: (slot: Slot) => unknown): CompiledQuery<R> {
  const { query, slots } = compiled;
  const parameters = slots.map((slot, i) => {
    if (slot === undefined) return query.parameters[i];
    const v = value(slot);
    if (v === undefined) throw new Error(`prepared query: no value for ${slot.name} (${query.sql})`);
    return v;
  });
  return { ...query, parameters } as CompiledQuery<R>;
}

export function prepared<P extends Record<string, unknown>, R>(build: (db: Kysely<Database>, $: P) => Compilable<R>): Prepared<P, R> {
  // One compilation per dialect adapter: a transaction shares its database's adapter, and
  // a process with a SQLite and a PostgreSQL store (the tests) keeps one of each.
  const byAdapter = new WeakMap<DialectAdapter, Compiled>();
  const bind = (db: Kysely<Database>, values: P): CompiledQuery<R> => {
    const adapter = db.getExecutor().adapter;
    let compiled = byAdapter.get(adapter);
    if (!compiled) byAdapter.set(adapter, (compiled = compileShape(db, (slot) => valuesProxy<P>(slot), build)));
    return bound(compiled, (slot) => values[slot.key]);
  };
  const run = (db: Kysely<Database>, values: P): Promise<QueryResult<R>> => db.executeQuery(bind(db, values));
  return {
    rows: async (db, values) => (await run(db, values)).rows,
    first: async (db, values) => (await run(db, values)).rows[0],
    affected: async (db, values) => Number((await run(db, values)).numAffectedRows ?? 0),
    compile: bind,
  };
}

/** The row's `columns` as an object (of placeholders, in a prepared query's build): one insert's values. */
export function columnsOf<T extends Record<string, unknown>>(row: T, columns: readonly (keyof T & string)[]): T {
  return Object.fromEntries(columns.map((c) => [c, row[c]])) as T;
}

export interface PreparedMany<P, R = unknown> {
  /** Runs the query for these rows (at least one); returns the rows written. */
  affected(db: Kysely<Database>, values: readonly P[]): Promise<number>;
  /** Runs the query for these rows (at least one); returns what it selects (a read of a list of ids). */
  rows(db: Kysely<Database>, values: readonly P[]): Promise<R[]>;
  compile(db: Kysely<Database>, values: readonly P[]): CompiledQuery<R>;
}

/** Row counts whose compilation is kept, per dialect: the most recently used. */
export const KEPT_SHAPES = 32;

/**
 * A multi-row write prepared for each row count: `build` gets one `$` per row, and the
 * query compiled for n rows serves every later run of n rows. Delivery writes its send
 * records and activity in groups of a few sizes (an encryption chunk's worth, then what is
 * left), so a few compilations serve a whole broadcast.
 *
 *   const addRows = preparedMany((db, $: { id: string; at: number }[]) =>
 *     db.insertInto('t').values($.map((r) => ({ id: r.id, at: r.at }))));
 */
export function preparedMany<P extends Record<string, unknown>, R = unknown>(build: (db: Kysely<Database>, $: readonly P[]) => Compilable<R>, keep = KEPT_SHAPES): PreparedMany<P, R> {
  const byAdapter = new WeakMap<DialectAdapter, Map<number, Compiled>>();
  const bind = (db: Kysely<Database>, values: readonly P[]): CompiledQuery<R> => {
    if (values.length === 0) throw new Error('prepared query: no rows');
    const adapter = db.getExecutor().adapter;
    let shapes = byAdapter.get(adapter);
    if (!shapes) byAdapter.set(adapter, (shapes = new Map()));
    let compiled = shapes.get(values.length);
    if (compiled) shapes.delete(values.length);
    else compiled = compileShape(db, (slot) => values.map((_, i) => valuesProxy<P>(slot, i)), build);
    // Map order is insertion order: re-inserting marks it the most recently used.
    shapes.set(values.length, compiled);
    if (shapes.size > keep) shapes.delete(shapes.keys().next().value!);
    return bound<R>(compiled, (slot) => values[slot.row]![slot.key]);
  };
  return {
    affected: async (db, values) => Number((await db.executeQuery(bind(db, values))).numAffectedRows ?? 0),
    rows: async (db, values) => (await db.executeQuery(bind(db, values))).rows,
    compile: bind,
  };
}
