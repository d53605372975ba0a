import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Database } from './schema.ts';
import type { DialectCapabilities } from './dialect.ts';
import { migrate } from './migrate.ts';

export interface Store {
  db: Kysely<Database>;
  caps: DialectCapabilities;
  /** Human description of where the data lives, for the start-up banner. */
  location: string;
  close(): Promise<void>;
}

// node-postgres returns int8 as strings to avoid precision loss; our int8 values are
// millisecond times and sequence numbers, far below 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

export interface OpenStoreOptions {
  databaseUrl?: string;
  dataDir: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
}

/** Opens the store (PostgreSQL when a URL is given, else SQLite in the data folder) and migrates it. */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const store = opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.poolSize ?? 10) : openSqlite(opts.dataDir);
  await migrate(store.db, store.caps.dialect);
  return store;
}

function openSqlite(dataDir: string): Store {
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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    caps: { dialect: 'sqlite', supportsSkipLocked: false },
    location: file,
    close: () => db.destroy(),
  };
}

function openPostgres(url: string, poolSize: number): Store {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
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

/** True when the store answers a trivial query (readiness probe). */
export async function storeIsReady(store: Store): Promise<boolean> {
  try {
    await sql`select 1`.execute(store.db);
    return true;
  } catch {
    return false;
  }
}
