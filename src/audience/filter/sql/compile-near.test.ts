import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, SqliteDialect } from 'kysely';
import SQLite from 'better-sqlite3';
import { audienceSql } from './capabilities.ts';
import { compileFilter } from './compile-filter.ts';

test("this build's SQLite has sin and cos, found by asking it", async () => {
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
  assert.equal((await audienceSql(db, { dialect: 'sqlite', supportsSkipLocked: false })).mathFunctions, true);
  await db.destroy();
});

test('without math functions in SQL, near is refused by name instead of failing in the database', async () => {
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
  const s = { ...(await audienceSql(db, { dialect: 'sqlite', supportsSkipLocked: false })), mathFunctions: false };
  assert.throws(() => compileFilter({ near: { lat: 0, lon: 0, radiusKm: 1 } }, { appId: 'a', now: 0, sql: s }), /SQLITE_ENABLE_MATH_FUNCTIONS/);
  await db.destroy();
});
