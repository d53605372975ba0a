import { sql, type Kysely } from 'kysely';

export interface CopyProgress {
  (table: string, copied: number, total: number): void;
}

/** Tables in an order that satisfies their foreign keys (parents first), read from SQLite. */
async function tablesInDependencyOrder(source: Kysely<any>): Promise<string[]> {
  const rows = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name <> 'schema_migrations' order by name`.execute(source);
  const names = rows.rows.map((r) => r.name);
  const parents = new Map<string, string[]>();
  for (const name of names) {
    const fks = await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${name})`.execute(source);
    parents.set(name, fks.rows.map((f) => f.table).filter((t) => t !== name));
  }
  const ordered: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (ordered.includes(name)) return;
    if (path.includes(name)) throw new Error(`foreign key cycle: ${[...path, name].join(' → ')}`);
    for (const p of parents.get(name) ?? []) visit(p, [...path, name]);
    ordered.push(name);
  };
  names.forEach((n) => visit(n, []));
  return ordered;
}

/**
 * Copies every row of an embedded (SQLite) store into a PostgreSQL store that has the same
 * schema and no data, table by table in foreign-key order, in batches so memory stays
 * flat, then moves PostgreSQL's identity sequences past the copied ids.
 */
export async function copySqliteToPostgres(source: Kysely<any>, target: Kysely<any>, onProgress?: CopyProgress, batch = 2000): Promise<Record<string, number>> {
  const tables = await tablesInDependencyOrder(source);
  for (const table of tables) {
    const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(target);
    if (Number(rows[0]!.n) > 0) throw new Error(`the target already holds data (table ${table}); copy into a new, empty database`);
  }
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const total = Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(source)).rows[0]!.n);
    let copied = 0;
    for await (const values of pagesOf(source, table, batch)) {
      await target.insertInto(table).values(values).execute();
      copied += values.length;
      onProgress?.(table, copied, total);
    }
    counts[table] = copied;
    const identity = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = ${table} and is_identity = 'YES'`.execute(target);
    for (const { column_name } of identity.rows) {
      await sql`select setval(pg_get_serial_sequence(${table}, ${column_name}), greatest((select max(${sql.ref(column_name)}) from ${sql.table(table)}), 1))`.execute(target);
    }
  }
  return counts;
}

/**
 * A table's rows in pages of `batch`, in an order that is stable and indexed: rowid, or
 * for a table made `without rowid` (the analytics rollups) its primary key, paged by
 * row-value comparison on it.
 */
async function* pagesOf(source: Kysely<any>, table: string, batch: number): AsyncGenerator<Record<string, unknown>[]> {
  const listed = await sql<{ wr: number }>`select wr from pragma_table_list where name = ${table}`.execute(source);
  if (Number(listed.rows[0]?.wr ?? 0) === 0) {
    for (let after = -1; ; ) {
      const page = await sql<Record<string, unknown>>`select rowid as __rowid, * from ${sql.table(table)} where rowid > ${after} order by rowid limit ${batch}`.execute(source);
      if (page.rows.length === 0) return;
      after = Number(page.rows.at(-1)!.__rowid);
      yield page.rows.map(({ __rowid, ...row }) => row);
    }
  }
  const pk = (await sql<{ name: string; pk: number }>`select name, pk from pragma_table_info(${table}) where pk > 0 order by pk`.execute(source)).rows.map((r) => r.name);
  const key = sql.join(pk.map((c) => sql.ref(c)));
  for (let last: Record<string, unknown> | undefined; ; ) {
    const after = last === undefined ? sql`` : sql`where (${key}) > (${sql.join(pk.map((c) => last![c]))})`;
    const page = await sql<Record<string, unknown>>`select * from ${sql.table(table)} ${after} order by ${key} limit ${batch}`.execute(source);
    if (page.rows.length === 0) return;
    last = page.rows.at(-1)!;
    yield page.rows;
  }
}
