/**
 * `carillon serve` and `carillon push-service` check the store before they say they are
 * running: a data folder or database that cannot be written, or a damaged database, is
 * one line on stderr and a non-zero exit, never the banner followed by a stack trace.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, closeSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { openStore } from '../../src/store/database.ts';
import { freePort } from '../../scripts/services/free-port.ts';
import { runCarillon } from '../support/process.ts';

const BIN = fileURLToPath(new URL('../../bin/carillon.js', import.meta.url));
/** Permissions bind everyone but root: as root, the read-only cases run the server as nobody. */
const AS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

const folders: string[] = [];
after(() => {
  for (const dir of folders) {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A data folder that a previous start left: migrated, with a master key. */
async function usedDataDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'carillon-start-'));
  folders.push(dir);
  const store = await openStore({ dataDir: dir });
  await store.close();
  return dir;
}

/** Makes files, then the folder, read-only for whoever runs the server. */
function readOnly(dir: string, { folder }: { folder: boolean }): void {
  for (const name of readdirSync(dir)) {
    if (AS_ROOT) chownSync(join(dir, name), NOBODY, NOBODY);
    chmodSync(join(dir, name), 0o444);
  }
  if (AS_ROOT) chownSync(dir, NOBODY, NOBODY);
  chmodSync(dir, folder ? 0o555 : 0o755);
}

/** Runs one carillon command as the user the read-only files bind (nobody when the tests run as root). */
async function runUnprivileged(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...env }, cwd: tmpdir(), timeout: 60_000, ...(AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}) },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function serveEnv(dataDir: string): Promise<Record<string, string>> {
  return {
    CARILLON_DATA_DIR: dataDir,
    CARILLON_PORT: String(await freePort()),
    CARILLON_HOST: '127.0.0.1',
    CARILLON_ADMIN_KEY: 'crl_ak_start_check_admin_key',
    CARILLON_LOG_LEVEL: 'warn',
  };
}

function assertRefused(res: { code: number; stdout: string; stderr: string }, message: RegExp): void {
  assert.notEqual(res.code, 0, `exits non-zero; stdout: ${res.stdout}`);
  assert.doesNotMatch(res.stdout, /is running/, 'no banner');
  const lines = res.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, not a stack: ${res.stderr}`);
  assert.match(lines[0]!, message);
}

describe('start-up checks of the store', () => {
  test('serve on a database file it cannot write: one line naming the file, exit 1', async () => {
    const dir = await usedDataDir();
    readOnly(dir, { folder: false });
    const res = await runUnprivileged(['serve'], await serveEnv(dir));
    assertRefused(res, new RegExp(`^carillon: the database ${join(dir, 'carillon.db')} cannot be written: attempt to write a readonly database$`));
  });

  test('serve on a data folder it cannot write: one line naming the folder, exit 1', async () => {
    const dir = await usedDataDir();
    readOnly(dir, { folder: true });
    const res = await runUnprivileged(['serve'], await serveEnv(dir));
    assertRefused(res, new RegExp(`^carillon: the data folder ${dir} is not writable \\(EACCES\\)`));
  });

  test('push-service on a database file it cannot write refuses to start the same way', async () => {
    const dir = await usedDataDir();
    readOnly(dir, { folder: false });
    const res = await runUnprivileged(['push-service'], await serveEnv(dir));
    assertRefused(res, /^carillon: the database .*carillon\.db cannot be written/);
  });

  test('serve on a damaged database: one line saying so, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carillon-start-'));
    folders.push(dir);
    const store = await openStore({ dataDir: dir });
    // Enough rows for pages far from the schema, so the damage is found by the check and not on opening.
    await sql`create table filler (id integer primary key, body text not null)`.execute(store.db);
    await sql`insert into filler (body) select printf('%0400d', value) from (with recursive c(value) as (select 1 union all select value + 1 from c where value < 5000) select value from c)`.execute(store.db);
    await store.close();
    const file = join(dir, 'carillon.db');
    const pages = Math.floor(statSync(file).size / 4096);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(4096 * 8, 0x5a), 0, 4096 * 8, Math.floor(pages / 2) * 4096);
    closeSync(fd);
    const res = await runCarillon(['serve'], await serveEnv(dir));
    assertRefused(res, new RegExp(`^carillon: the database ${file} is damaged \\(PRAGMA quick_check: .+\\); restore it from a backup$`));
  });
});
