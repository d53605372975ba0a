/**
 * The SQLite store's checkpoints on a thread of their own (src/store/sqlite-checkpointer.ts):
 * the server's connection never checkpoints in a commit, the write-ahead log is still
 * copied back into the database file, and a thread that fails hands the checkpoints back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/database.ts';
import { startCheckpointer } from '../../src/store/sqlite-checkpointer.ts';

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** 300 transactions of a 2 KB row each: some 600 pages of log, under the 1,000 at which SQLite checkpoints by itself. */
async function writeSome(store: Store): Promise<void> {
  await sql`create table filler (id integer primary key, body text not null)`.execute(store.db);
  for (let i = 0; i < 300; i++) await store.db.transaction().execute((tx) => sql`insert into filler (body) values (${'x'.repeat(2000)})`.execute(tx));
}

const quiet = { error: () => undefined };

test('with the thread, the log reaches the database file though no commit checkpoints', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'carillon-checkpoint-'));
  try {
    const store = await openStore({ dataDir: dir, checkpointThread: { logger: quiet } });
    const file = store.sqlite!.file;
    const before = statSync(file).size;
    await writeSome(store);
    await until('the database file holds what was written', () => statSync(file).size - before > 500_000);
    const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.db);
    assert.equal(rows[0]!.wal_autocheckpoint, 0, "the server's connection does not checkpoint in its commits");
    await store.close();
    assert.equal(existsSync(`${file}-wal`), false, 'closing checkpoints the rest and removes the log, the thread closed first');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without the thread (a one-shot command), the connection checkpoints as SQLite does by default', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'carillon-checkpoint-'));
  try {
    const store = await openStore({ dataDir: dir });
    const file = store.sqlite!.file;
    // The migrations' pages first, so the log holds only what this test writes (they near 1,000 pages themselves).
    await sql`pragma wal_checkpoint(truncate)`.execute(store.db);
    const before = statSync(file).size;
    await writeSome(store);
    const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.db);
    assert.equal(rows[0]!.wal_autocheckpoint, 1000);
    // Under 1,000 pages of log nothing was copied back yet: the figure the first test waits for is the thread's.
    assert.ok(statSync(file).size - before < 100_000, `the file grew by ${statSync(file).size - before} bytes`);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a thread that cannot start hands the checkpoints back to the connection, and says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'carillon-checkpoint-'));
  const db = new SQLite(join(dir, 'real.db'));
  try {
    db.pragma('journal_mode = WAL');
    const errors: string[] = [];
    const checkpointer = startCheckpointer(db, join(dir, 'missing.db'), { error: (_: unknown, message: string) => void errors.push(message) });
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0);
    await until('the failure is logged', () => errors.length > 0);
    assert.match(errors[0]!, /checkpoint thread stopped .*checkpoints by itself again/);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
    await checkpointer.stop();
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
