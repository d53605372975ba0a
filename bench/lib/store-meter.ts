/**
 * What a run costs PostgreSQL and Redis: their CPU time, the rows and commits PostgreSQL
 * counted, the write-ahead log it wrote and the commands Redis ran, read before and after
 * the run. The figures a capacity model needs per message (docs/scale-out.md).
 *
 * PostgreSQL's CPU is read from /proc when the server runs on this machine: the postmaster,
 * with the children it has reaped (cutime, cstime), and the children still running. On a
 * remote server (CARILLON_BENCH_DATABASE_URL elsewhere) it is NaN and the rest still holds.
 * Row counts come from pg_stat_database, which a backend flushes when it exits: read the
 * end after the run's processes have stopped.
 */
import { readdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { procStat, ticksPerSecond } from './thread-cpu.ts';

/** The servers' counters at one moment (StoreCost: the difference of two). */
export interface StoreReading {
  /** ms of CPU of every PostgreSQL process, NaN when the server is not local. */
  pgCpuMs: number;
  /** Where the write-ahead log stands, in bytes from its start. */
  walBytes: bigint;
  /** Rows inserted, updated and deleted in the database. */
  rowsWritten: number;
  /** Rows inserted, updated and deleted, by table (in a StoreCost, most first). */
  byTable: Record<string, number>;
  commits: number;
  /** pg_database_size: the tables, their indexes and TOAST, as stored. */
  databaseBytes: number;
  /** ms of CPU of the Redis server (user + system). */
  redisCpuMs: number;
  redisCommands: number;
}

/** What a run cost: each counter of StoreReading after less before (the WAL written, the database's growth). */
export type StoreCost = Omit<StoreReading, 'walBytes'> & { walBytes: number };

export interface StoreMeter {
  read(): Promise<StoreReading>;
  close(): Promise<void>;
}

export async function storeMeter(databaseUrl: string, redisUrl: string): Promise<StoreMeter> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const backend = Number((await db.query('select pg_backend_pid() as pid')).rows[0].pid);
  const postmaster = parentOf(backend);
  return {
    async read() {
      const stats = await db.query<{ wal: string; rows: string; commits: string; size: string }>(
        `select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text as wal,
                (tup_inserted + tup_updated + tup_deleted)::text as rows,
                xact_commit::text as commits,
                pg_database_size(current_database())::text as size
           from pg_stat_database where datname = current_database()`,
      );
      const tables = await db.query<{ name: string; rows: string }>(
        `select relname as name, (n_tup_ins + n_tup_upd + n_tup_del)::text as rows from pg_stat_user_tables`,
      );
      const info = await redis.info();
      const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
      const row = stats.rows[0]!;
      return {
        pgCpuMs: postmaster === undefined ? Number.NaN : treeCpuMs(postmaster),
        walBytes: BigInt(row.wal.split('.')[0]!),
        rowsWritten: Number(row.rows),
        byTable: Object.fromEntries(tables.rows.map((t) => [t.name, Number(t.rows)])),
        commits: Number(row.commits),
        databaseBytes: Number(row.size),
        redisCpuMs: (field('used_cpu_user') + field('used_cpu_sys')) * 1000,
        redisCommands: field('total_commands_processed'),
      };
    },
    async close() {
      await Promise.allSettled([db.end(), redis.quit()]);
    },
  };
}

export function storeCost(before: StoreReading, after: StoreReading): StoreCost {
  return {
    pgCpuMs: after.pgCpuMs - before.pgCpuMs,
    walBytes: Number(after.walBytes - before.walBytes),
    rowsWritten: after.rowsWritten - before.rowsWritten,
    byTable: Object.fromEntries(
      Object.entries(after.byTable)
        .map(([name, rows]) => [name, rows - (before.byTable[name] ?? 0)] as const)
        .filter(([, rows]) => rows > 0)
        .sort((a, b) => b[1] - a[1]),
    ),
    commits: after.commits - before.commits,
    databaseBytes: after.databaseBytes - before.databaseBytes,
    redisCpuMs: after.redisCpuMs - before.redisCpuMs,
    redisCommands: after.redisCommands - before.redisCommands,
  };
}

function parentOf(pid: number): number | undefined {
  const fields = procStat(`/proc/${pid}/stat`);
  return fields ? Number(fields[1]) : undefined;
}

/** The process's CPU with its reaped children's, plus that of its children still running. */
function treeCpuMs(root: number): number {
  const own = procStat(`/proc/${root}/stat`);
  if (!own) return Number.NaN;
  // utime, stime, cutime, cstime: fields 14 to 17.
  let sum = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = procStat(`/proc/${entry}/stat`);
    if (fields && Number(fields[1]) === root) sum += Number(fields[11]) + Number(fields[12]);
  }
  return (sum * 1000) / ticksPerSecond();
}
