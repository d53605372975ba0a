/**
 * WAL checkpoints of the SQLite store on a thread of their own. SQLite checkpoints by
 * itself in whichever commit takes the write-ahead log past 1,000 pages, and a checkpoint
 * writes those pages back into the database file and syncs it: with better-sqlite3 that
 * commit blocks the main thread for the sync, and a busy server commits thousands of
 * times a second (a commit cost 216 µs on average with those checkpoints, 56 µs
 * without, in a loop of small two-row transactions on the project's 2-core machine).
 *
 * So the server's connection never checkpoints (`wal_autocheckpoint = 0`), and this
 * thread, on a connection of its own to the same file, runs a PASSIVE checkpoint every
 * CHECKPOINT_INTERVAL_MS: it copies what no reader still needs and never blocks a writer
 * or a reader. Should the thread fail, the connection checkpoints by itself again, as
 * SQLite does by default, and the failure is logged: the log must not grow without end.
 *
 * The thread, an isolate of its own, holds 3.5 to 7 MB; an idle server writes nothing
 * after its start and has no use for it (issue #19). So a server's store starts it the
 * first time the log passes START_PAGES (checkpointWhenWritten): until then the log
 * holds a few pages, the start's, and the connection does not checkpoint either.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database as SqliteHandle } from 'better-sqlite3';

/** ms between two checkpoints; a passive checkpoint with nothing to copy costs microseconds. */
export const CHECKPOINT_INTERVAL_MS = 100;
/**
 * Pages of log at which checkpointWhenWritten starts the thread: a quarter of the 1,000
 * at which SQLite would checkpoint in a commit, some 1 MB; a server's start writes 4.
 */
export const START_PAGES = 256;
/** SQLite's own default, restored on the server's connection if the thread fails. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

const requireCjs = createRequire(import.meta.url);

const WORKER_SOURCE = `
  const { parentPort, workerData } = require('node:worker_threads');
  const SQLite = require(workerData.driver);
  const db = new SQLite(workerData.file, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)');
  const timer = setInterval(checkpoint, workerData.intervalMs);
  parentPort.on('message', (m) => {
    if (m !== 'stop') return;
    clearInterval(timer);
    try { checkpoint(); } finally { db.close(); parentPort.close(); }
  });
  parentPort.postMessage('ready');
`;

/** Where a failure of the thread is reported (a pino logger is one). */
export interface CheckpointLog {
  error(details: object, message: string): void;
}

export interface Checkpointer {
  /** Stops the thread after a last checkpoint; the connection checkpoints by itself again. */
  stop(): Promise<void>;
}

/** Checkpoints handed to a thread once there is something to copy; see checkpointWhenWritten. */
export interface LazyCheckpointer extends Checkpointer {
  /** Told after each statement that may have written (a commit among them); cheap once the thread runs. */
  wrote(): void;
}

/**
 * The checkpoints of `sqlite` (a WAL database at `file`) on a thread started the first
 * time the log passes `startPages`: the connection stops checkpointing in its commits
 * now, what the log already holds (a migration's pages) is copied back here, on the
 * calling thread, and `wrote()` looks at the log's size once per turn of the event loop
 * in which something was written, until the thread runs. Call it before the server takes work.
 */
export function checkpointWhenWritten(sqlite: SqliteHandle, file: string, logger?: CheckpointLog, startPages = START_PAGES, intervalMs = CHECKPOINT_INTERVAL_MS): LazyCheckpointer {
  sqlite.pragma('wal_autocheckpoint = 0');
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  const pageSize = Number(sqlite.pragma('page_size', { simple: true }));
  // The log's header, then each page behind a header of its own (sqlite.org/fileformat.html, 4.1).
  const startBytes = 32 + startPages * (24 + pageSize);
  const wal = `${file}-wal`;
  let thread: Checkpointer | undefined;
  let stopped = false;
  let looking = false;
  const look = () => {
    looking = false;
    if (thread || stopped || !sqlite.open) return;
    if (walBytes(wal) <= startBytes) return;
    try {
      thread = startCheckpointer(sqlite, file, logger, intervalMs);
    } catch (err) {
      // No thread (it could not be made): the connection checkpoints in its commits again,
      // as when a running thread stops, rather than the log growing without end.
      stopped = true;
      if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
      logger?.error({ file, err }, `the SQLite checkpoint thread could not start (${err instanceof Error ? err.message : String(err)}); the server's connection checkpoints by itself`);
    }
  };
  return {
    wrote() {
      if (thread || looking || stopped) return;
      looking = true;
      setImmediate(look);
    },
    async stop() {
      stopped = true;
      if (thread) await thread.stop();
      else if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
    },
  };
}

function walBytes(wal: string): number {
  try {
    return statSync(wal).size;
  } catch {
    return 0;
  }
}

/** Hands the checkpoints of `sqlite` (a WAL database at `file`) to a thread now; see the file's comment. */
export function startCheckpointer(sqlite: SqliteHandle, file: string, logger?: CheckpointLog, intervalMs = CHECKPOINT_INTERVAL_MS): Checkpointer {
  sqlite.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, intervalMs, driver: requireCjs.resolve('better-sqlite3') } });
  // The store's close() stops it; a process that exits without closing the store must not wait for it.
  worker.unref();
  let stopping = false;
  const fallBack = (why: string) => {
    if (stopping || !sqlite.open) return;
    sqlite.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
    logger?.error({ file }, `the SQLite checkpoint thread stopped (${why}); the server's connection checkpoints by itself again`);
  };
  worker.on('error', (err) => fallBack(err.message));
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      fallBack(`exit ${code}`);
      resolve();
    }),
  );
  return {
    async stop() {
      if (stopping) return exited;
      stopping = true;
      // Held by the process again until it has gone: awaiting an unreferenced thread alone would let the process end mid-way.
      worker.ref();
      worker.postMessage('stop');
      await exited;
      if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
    },
  };
}
