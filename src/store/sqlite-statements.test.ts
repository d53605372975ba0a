import { test } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { keptStatements } from './sqlite-statements.ts';

function open(max?: number) {
  const handle = new SQLite(':memory:');
  const prepared: string[] = [];
  const prepare = handle.prepare.bind(handle);
  handle.prepare = ((text: string) => {
    prepared.push(text);
    return prepare(text);
  }) as typeof handle.prepare;
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: keptStatements(handle, max) }) });
  return { db, prepared };
}

test('a statement run again is prepared once', async () => {
  const { db, prepared } = open();
  await sql`create table t (x integer)`.execute(db);
  for (let i = 0; i < 5; i++) await db.insertInto('t').values({ x: i }).execute();
  assert.deepEqual((await db.selectFrom('t').select('x').orderBy('x').execute()).map((r) => r.x), [0, 1, 2, 3, 4]);
  assert.equal(prepared.filter((s) => s.startsWith('insert')).length, 1);
  await db.destroy();
});

test('a statement still being iterated is not handed out again: the query beside it gets its own', () => {
  const raw = keptStatements(new SQLite(':memory:'));
  const text = 'select 1 as one union all select 2';
  const first = raw.prepare(text);
  const iter = first.iterate([]);
  iter.next();
  const second = raw.prepare(text);
  assert.notEqual(second, first);
  assert.deepEqual(second.all([]), [{ one: 1 }, { one: 2 }]);
  iter.return?.();
  assert.equal(raw.prepare(text), first, 'idle again, the kept one is reused');
  raw.close();
});

test('a streamed select and the same select run after it share one statement', async () => {
  const { db, prepared } = open();
  await sql`create table t (x integer)`.execute(db);
  await db.insertInto('t').values([{ x: 1 }, { x: 2 }, { x: 3 }]).execute();
  const query = db.selectFrom('t').select('x').orderBy('x');
  const streamed: number[] = [];
  for await (const row of query.stream()) streamed.push(row.x);
  assert.deepEqual(streamed, [1, 2, 3]);
  assert.deepEqual((await query.execute()).map((r) => r.x), [1, 2, 3]);
  assert.equal(prepared.filter((s) => s.startsWith('select')).length, 1);
  await db.destroy();
});

test('the cache keeps at most its bound, the least recently used out first', async () => {
  const { db, prepared } = open(2);
  await sql`select 1`.execute(db);
  await sql`select 2`.execute(db);
  await sql`select 1`.execute(db);
  await sql`select 3`.execute(db); // evicts "select 2", used least recently
  await sql`select 1`.execute(db);
  await sql`select 2`.execute(db);
  assert.deepEqual(prepared, ['select 1', 'select 2', 'select 3', 'select 2']);
  await db.destroy();
});

test('a kept statement follows a schema change', async () => {
  const { db } = open();
  await sql`create table t (x integer)`.execute(db);
  await db.insertInto('t').values({ x: 1 }).execute();
  assert.deepEqual(await db.selectFrom('t').selectAll().execute(), [{ x: 1 }]);
  await sql`alter table t add column y text default 'b'`.execute(db);
  assert.deepEqual(await db.selectFrom('t').selectAll().execute(), [{ x: 1, y: 'b' }]);
  await db.destroy();
});
