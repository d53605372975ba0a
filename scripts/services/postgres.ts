import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chownSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { ensureDebianPackage } from './apt.ts';
import { freePort } from './free-port.ts';
import { hasExited, logTail, stopProcess } from './child-process.ts';

export interface StartedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/<database>`, trust auth, no password. */
  url: string;
  /** Server version, e.g. `'15.18'`. */
  version: string;
  port: number;
  /** Stops the server and removes its folder; safe to call more than once. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Database created for the caller; the URL points at it. */
  database?: string;
}

const READY_TIMEOUT_MS = 60_000; // initdb plus first start take ~1-2 s; slow CI disks need more
const BIND_ATTEMPTS = 3; // freePort() can lose a race with another process taking the port

/**
 * A throwaway PostgreSQL server: a fresh cluster in a temp folder, listening on a free
 * port on 127.0.0.1 only, tuned for speed over durability (fsync off). Uses the highest
 * version under /usr/lib/postgresql, installing Debian's `postgresql` package as root.
 *
 *   const db = await startPostgres();
 *   try { ...connect to db.url... } finally { await db.stop(); }
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<StartedPostgres> {
  const database = options.database ?? 'carillon_test';
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`unsafe database name: ${database}`);

  // The `*` is the major version folder, e.g. /usr/lib/postgresql/15/bin/initdb.
  const initdb = await ensureDebianPackage('/usr/lib/postgresql/*/bin/initdb', 'postgresql', {
    what: 'PostgreSQL binaries',
    orElse: 'set CARILLON_TEST_DATABASE_URL',
  });
  const postgresBinary = path.join(path.dirname(initdb), 'postgres');

  const root = mkdtempSync(path.join(os.tmpdir(), 'carillon-postgres-'));
  const dataDir = path.join(root, 'data');
  const socketDir = path.join(root, 'socket');
  const logFile = path.join(root, 'postgres.log');
  // initdb, then the server: whichever runs now is what the exit hook must kill.
  let child: ChildProcess | undefined;
  // A crash of the caller must not leave a server running or a folder behind.
  const onExit = () => {
    child?.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  process.on('exit', onExit);

  try {
    // initdb and postgres refuse to run as root: run them as the `postgres` system user,
    // which must then own the folder.
    const owner = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
    mkdirSync(socketDir);
    if (owner !== undefined) {
      chownSync(root, owner.uid, owner.gid);
      chownSync(socketDir, owner.uid, owner.gid);
    }

    child = spawnAs(owner, root, initdb, [
      '--pgdata', dataDir,
      '--username', 'postgres',
      '--auth', 'trust',
      '--encoding', 'UTF8',
      '--locale', 'C', // same collation on every machine, whatever its locale
      '--no-sync',
      '--no-instructions',
    ], 'pipe');
    await succeeded(child, 'initdb');

    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const logFd = openSync(logFile, 'w');
      child = spawnAs(owner, root, postgresBinary, [
        '-D', dataDir,
        '-p', String(port),
        '-c', 'listen_addresses=127.0.0.1',
        // Inside the temp folder, so nothing touches /var/run/postgresql.
        '-c', `unix_socket_directories=${socketDir}`,
        // Test data is thrown away: durability only costs time.
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
      ], logFd);
      closeSync(logFd);
      // A failed spawn sets exitCode without an 'exit' event; the log carries the reason.
      child.once('error', (error) => appendFileSync(logFile, `${error.message}\n`));

      const client = await waitForConnection(child, port, dataDir, logFile);
      if (client === 'port-taken' && attempt < BIND_ATTEMPTS) continue;
      if (client === 'port-taken') throw new Error(`PostgreSQL could not bind a free port:\n${logTail(logFile)}`);

      let version: string;
      try {
        await client.query(`CREATE DATABASE ${database}`);
        const result = await client.query<{ server_version: string }>('SHOW server_version');
        // '15.18 (Debian 15.18-0+deb12u1)' → '15.18'
        version = result.rows[0]?.server_version.split(' ')[0] ?? 'unknown';
      } finally {
        await client.end();
      }

      const server = child;
      let stopping: Promise<void> | undefined;
      return {
        url: `postgres://postgres@127.0.0.1:${port}/${database}`,
        version,
        port,
        stop: () => {
          stopping ??= (async () => {
            // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, not waited for.
            await stopProcess(server, 'SIGINT');
            rmSync(root, { recursive: true, force: true });
            process.off('exit', onExit);
          })();
          return stopping;
        },
      };
    }
  } catch (error) {
    if (child !== undefined) await stopProcess(child, 'SIGINT');
    rmSync(root, { recursive: true, force: true });
    process.off('exit', onExit);
    throw error;
  }
}

interface SystemUser {
  uid: number;
  gid: number;
}

function systemUser(name: string): SystemUser {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
  }
  throw new Error(`no '${name}' system user: it comes with the Debian package 'postgresql'`);
}

/** Spawns `file` as `owner` when given; setpriv execs in place, so the pid is the server's own. */
function spawnAs(owner: SystemUser | undefined, cwd: string, file: string, args: string[], logFd: number | 'pipe'): ChildProcess {
  const [command, fullArgs] =
    owner === undefined
      ? [file, args]
      : ['setpriv', ['--reuid', String(owner.uid), '--regid', String(owner.gid), '--init-groups', file, ...args]];
  // LC_ALL=C keeps server messages in English, which waitForConnection reads.
  return spawn(command, fullArgs, { cwd, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', logFd, logFd] });
}

/** Resolves when `child` exits with 0; otherwise rejects with what it printed. */
function succeeded(child: ChildProcess, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${name} exited with ${code}:\n${output.trim()}`));
    });
  });
}

/** A connected client on the `postgres` database, or 'port-taken' when the bind lost a race. */
async function waitForConnection(child: ChildProcess, port: number, dataDir: string, logFile: string): Promise<pg.Client | 'port-taken'> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (hasExited(child)) {
      const log = logTail(logFile);
      if (log.includes('Address already in use')) return 'port-taken';
      throw new Error(`PostgreSQL exited during start-up (${child.exitCode ?? child.signalCode}):\n${log}`);
    }
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      // The port may have been taken by another server after freePort() chose it.
      const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
      if (rows[0]?.data_directory === dataDir) return client;
      lastError = new Error(`port ${port} answered from ${rows[0]?.data_directory}, another server`);
      await client.end();
      await sleep(50);
    } catch (error) {
      // Refused until the port is bound, then "the database system is starting up" (57P03).
      lastError = error;
      await client.end().catch(() => undefined);
      await sleep(50);
    }
  }
  child.kill('SIGKILL');
  throw new Error(`PostgreSQL did not accept connections within ${READY_TIMEOUT_MS} ms (${String(lastError)}):\n${logTail(logFile)}`);
}
