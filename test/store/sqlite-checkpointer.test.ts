/**
 * The SQLite store's checkpoints on a thread of their own (src/store/sqlite-checkpointer.ts):
 * the server's connection never checkpoints in a commit, the write-ahead log is still
 * copied back into the database file, a thread that fails hands the checkpoints back, and
 * a server's store that writes no more than its start does runs no thread at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
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

/** The threads of this process, as `ps -T` counts them. */
function threads(): number {
  return Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
}

/** Lets setImmediate callbacks (where the store looks at its log) run. */
const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

test('a server store that writes what a start writes runs no checkpoint thread, and starts one once the log grows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'carillon-checkpoint-'));
  try {
    // libuv's pool starts on the first asynchronous file call; started here, it is not counted below.
    await stat(dir);
    const before = threads();
    const store = await openStore({ dataDir: dir, checkpointThread: { logger: quiet } });
    const file = store.sqlite!.file;
    assert.equal(statSync(`${file}-wal`).size, 0, "the migrations' pages are copied back at once");
    await sql`create table filler (id integer primary key, body text not null)`.execute(store.db);
    for (let i = 0; i < 5; i++) await sql`insert into filler (body) values (${'x'.repeat(100)})`.execute(store.db);
    await turns();
    assert.equal(threads(), before, 'no thread for a few pages of log');
    const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.db);
    assert.equal(rows[0]!.wal_autocheckpoint, 0, 'nor does the connection checkpoint in its commits meanwhile');
    for (let i = 0; i < 300; i++) await sql`insert into filler (body) values (${'x'.repeat(2000)}) returning id`.execute(store.db);
    await turns();
    assert.equal(threads(), before + 1, 'one thread once the log passed 256 pages');
    const size = statSync(file).size;
    await until('the database file holds what was written', () => statSync(file).size - size > 500_000);
    await store.close();
    assert.equal(threads(), before, 'closing the store ends the thread');
    assert.equal(existsSync(`${file}-wal`), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

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
