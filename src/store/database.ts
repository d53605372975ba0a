import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import type pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import { keptStatements } from './sqlite-statements.ts';
import { checkpointWhenWritten, type CheckpointLog, type LazyCheckpointer } from './sqlite-checkpointer.ts';
import type { Database } from './schema.ts';
import type { DialectCapabilities } from './dialect.ts';
import { migrate } from './migrate.ts';

export interface Store {
  db: Kysely<Database>;
  caps: DialectCapabilities;
  /** Human description of where the data lives, for the start-up banner. */
  location: string;
  /** The data folder and database file of the embedded store; absent on PostgreSQL. */
  sqlite?: { dataDir: string; file: string };
  close(): Promise<void>;
}

/** What start-up checks found wrong with the store, in one line for the operator. */
export class StoreCheckError extends Error {
  override name = 'StoreCheckError';
  constructor(
    readonly reason: StoreProblem['reason'],
    message: string,
  ) {
    super(message);
  }
}

/** Why the store cannot take and keep work; `detail` is one line for the operator. */
export interface StoreProblem {
  reason: 'data_dir_unwritable' | 'store_unwritable' | 'store_damaged';
  detail: string;
}

/**
 * node-postgres, loaded when a PostgreSQL store is opened: the embedded default has no
 * use for it, and an idle server holds only the modules it uses (issue #19).
 */
async function loadPg(): Promise<typeof pg> {
  const { default: driver } = await import('pg');
  // node-postgres returns int8 as strings to avoid precision loss; our int8 values are
  // millisecond times and sequence numbers, far below 2^53.
  driver.types.setTypeParser(20, (v: string) => Number(v));
  return driver;
}

export interface OpenStoreOptions {
  databaseUrl?: string;
  dataDir: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /**
   * SQLite: checkpoint the write-ahead log on a thread of its own rather than in the
   * commits of the main thread (src/store/sqlite-checkpointer.ts), started the first
   * time the log grows past a few hundred pages after the migrations. For a server; a
   * one-shot command has no use for the thread. Failures of the thread go to `logger`.
   */
  checkpointThread?: { logger: CheckpointLog };
}

/**
 * Opens the store (PostgreSQL when a URL is given, else SQLite in the data folder) and
 * migrates it. A failure is a StoreCheckError naming the database and, for SQLite, a
 * data folder that cannot be written (the usual cause), not a driver's bare message.
 */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  let store: Store | undefined;
  try {
    let watchCheckpoints: (() => void) | undefined;
    if (opts.databaseUrl) store = openPostgres(await loadPg(), opts.databaseUrl, opts.poolSize ?? 10);
    else ({ store, watchCheckpoints } = openSqlite(opts.dataDir, opts.checkpointThread));
    await migrate(store.db, store.caps.dialect);
    // After the migrations: their pages are copied back now, and the thread waits for the server's own writes.
    watchCheckpoints?.();
    return store;
  } catch (err) {
    await store?.close().catch(() => undefined);
    if (err instanceof StoreCheckError) throw err;
    const folder = opts.databaseUrl ? null : dataDirProblem(resolve(opts.dataDir));
    if (folder) throw new StoreCheckError(folder.reason, folder.detail);
    const where = store?.location ?? (opts.databaseUrl ? 'the PostgreSQL database' : resolve(join(opts.dataDir, 'carillon.db')));
    throw new StoreCheckError('store_unwritable', `cannot open the database ${where}: ${oneLine(err)}`);
  }
}

/**
 * The start-up check, before the server says it is running: the data folder takes a
 * file, the database takes a write (in a transaction that is rolled back), and on SQLite
 * `PRAGMA quick_check` finds no damage. Throws StoreCheckError with one line that says
 * what is wrong.
 *
 * @example
 *   const store = await openStore(opts);
 *   await checkStore(store); // "the database /srv/carillon/carillon.db cannot be written: attempt to write a readonly database"
 */
export async function checkStore(store: Store): Promise<void> {
  await checkStoreWritable(store);
  const problem = await storeIntegrityProblem(store);
  if (problem) throw new StoreCheckError(problem.reason, problem.detail);
}

/** The write half of checkStore, for what must write before the rest of the start (the master key check). */
export async function checkStoreWritable(store: Store): Promise<void> {
  const problem = await storeWriteProblem(store);
  if (problem) throw new StoreCheckError(problem.reason, problem.detail);
}

/** Why the store cannot be written now, or null: the data folder (SQLite) and a real write, rolled back. */
export async function storeWriteProblem(store: Store): Promise<StoreProblem | null> {
  if (store.sqlite) {
    const folder = dataDirProblem(store.sqlite.dataDir);
    if (folder) return folder;
  }
  try {
    await store.db.transaction().execute(async (trx) => {
      // Any table will do: the write is undone. schema_migrations exists once migrated.
      await sql`insert into schema_migrations (version, name, applied_at) values (${-1}, ${'write check'}, ${0})`.execute(trx);
      throw ROLLBACK;
    });
  } catch (err) {
    if (err === ROLLBACK) return null;
    return { reason: 'store_unwritable', detail: `the database ${store.location} cannot be written: ${oneLine(err)}` };
  }
  return null;
}

/**
 * Damage SQLite finds in its file, or null; checked off the main thread on a read-only
 * connection of its own (WAL lets it read beside the writer), as `quick_check` reads every
 * page and would otherwise hold the event loop. PostgreSQL keeps its own integrity.
 */
export async function storeIntegrityProblem(store: Store): Promise<StoreProblem | null> {
  if (!store.sqlite) return null;
  return integrityProblem(store.sqlite.file, await quickCheckOffThread(store.sqlite.file));
}

const ROLLBACK = Symbol('rollback');

function dataDirProblem(dataDir: string): StoreProblem | null {
  const probe = join(dataDir, `.write-check-${process.pid}`);
  try {
    writeFileSync(probe, '');
    unlinkSync(probe);
    return null;
  } catch (err) {
    return { reason: 'data_dir_unwritable', detail: `the data folder ${dataDir} is not writable (${(err as NodeJS.ErrnoException).code ?? oneLine(err)}): SQLite keeps its journal beside the database` };
  }
}

/** `PRAGMA quick_check` as rows of text: ['ok'], or what is damaged; a file too damaged to read throws. */
type QuickCheck = string[] | Error;

const requireCjs = createRequire(import.meta.url);

function quickCheckOffThread(file: string): Promise<QuickCheck> {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const SQLite = require(workerData.driver);
     let db;
     try {
       db = new SQLite(workerData.file, { readonly: true, fileMustExist: true });
       parentPort.postMessage({ rows: db.pragma('quick_check').map((r) => String(Object.values(r)[0])) });
     } catch (err) {
       parentPort.postMessage({ error: String(err && err.message || err) });
     } finally {
       if (db) db.close();
     }`,
    { eval: true, workerData: { file, driver: requireCjs.resolve('better-sqlite3') } },
  );
  return new Promise((resolveCheck) => {
    worker.once('message', (m: { rows?: string[]; error?: string }) => resolveCheck(m.rows ?? new Error(m.error)));
    worker.once('error', (err) => resolveCheck(err));
    worker.once('exit', (code) => resolveCheck(new Error(`the check stopped (exit ${code})`)));
  });
}

function integrityProblem(file: string, check: QuickCheck): StoreProblem | null {
  if (Array.isArray(check) && check.length === 1 && check[0] === 'ok') return null;
  const found = Array.isArray(check) ? `${check[0]}${check.length > 1 ? ` (and ${check.length - 1} more)` : ''}` : oneLine(check);
  return { reason: 'store_damaged', detail: `the database ${file} is damaged (PRAGMA quick_check: ${found}); restore it from a backup` };
}

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
}

/** The SQLite store, and with `checkpointThread` what hands its checkpoints to the thread once migrated. */
function openSqlite(dataDir: string, checkpointThread?: OpenStoreOptions['checkpointThread']): { store: Store; watchCheckpoints?: () => void } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = resolve(join(dataDir, 'carillon.db'));
  const sqlite = new SQLite(file);
  // WAL lets readers (API) run beside the writer (delivery); NORMAL sync is durable
  // across process crashes, which is what `kill -9` tests; busy_timeout covers the CLI
  // opening the same file as a running server.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Until migrated, the connection checkpoints by itself, as SQLite does by default.
  let checkpointer: LazyCheckpointer | undefined;
  const statements = keptStatements(sqlite);
  const database = checkpointThread ? toldOfWrites(statements, () => checkpointer?.wrote()) : statements;
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  const store: Store = {
    db,
    caps: { dialect: 'sqlite', supportsSkipLocked: false },
    location: file,
    sqlite: { dataDir: resolve(dataDir), file },
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
  if (!checkpointThread) return { store };
  return { store, watchCheckpoints: () => void (checkpointer ??= checkpointWhenWritten(sqlite, file, checkpointThread.logger)) };
}

/**
 * `database`, calling `wrote` for each statement prepared that may write (an insert with
 * `returning` among them: better-sqlite3's `readonly`, not `reader`); Kysely runs it as
 * soon as prepared, and the checkpointer looks at the log on a later turn of the loop.
 */
function toldOfWrites(database: SqliteDatabase, wrote: () => void): SqliteDatabase {
  return {
    prepare(text: string) {
      // keptStatements hands out better-sqlite3's statements, which say whether they write.
      const stmt = database.prepare(text) as ReturnType<SqliteDatabase['prepare']> & { readonly readonly: boolean };
      if (!stmt.readonly) wrote();
      return stmt;
    },
    close: () => database.close(),
  };
}

function openPostgres(driver: typeof pg, url: string, poolSize: number): Store {
  const pool = new driver.Pool({ connectionString: url, max: poolSize });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const u = new URL(url);
  u.password = u.password ? '***' : '';
  return {
    db,
    caps: { dialect: 'postgres', supportsSkipLocked: true },
    location: u.toString(),
    close: () => db.destroy(),
  };
}
