import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/services/free-port.ts';
import { openStore } from '../../src/store/database.ts';
import { STORES, createTestDatabase } from '../support/carillon.ts';
import { startServerProcess } from '../support/process.ts';
import { defaults, type Config } from '../../src/config/defaults.ts';
import { createRuntime } from '../../src/runtime.ts';

const BIN = fileURLToPath(new URL('../../bin/carillon.js', import.meta.url));
const ADMIN = 'crl_ak_master_key_test_admin';

/**
 * Runs `carillon <command>` and reports how it ended. A process that keeps running (it
 * accepted the key) is stopped after a while and reported as `running`: a minute, as a
 * refusal on a loaded two-core machine with other starts beside it takes tens of seconds.
 */
async function startRefused(args: string[], env: Record<string, string>): Promise<{ code: number | 'running'; stderr: string; stdout: string }> {
  const port = await freePort();
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, CARILLON_PORT: String(port), CARILLON_HOST: '127.0.0.1', CARILLON_LOG_LEVEL: 'warn', CARILLON_ADMIN_KEY: ADMIN, ...env }, timeout: 60_000, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const killed = err !== null && (err as { killed?: boolean }).killed === true;
        resolve({ code: killed ? 'running' : err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    void child;
  });
}

/**
 * Makes an app (a sealed VAPID key) under the key, with the runtime `carillon serve` builds,
 * in this process: what is tested is the next start, and a server process of its own for
 * the set-up cost seconds of start-up each time.
 */
async function setUp(env: Record<string, string>): Promise<void> {
  const config: Config = { ...defaults, dataDir: env.CARILLON_DATA_DIR!, databaseUrl: env.DATABASE_URL ?? '', masterKey: env.CARILLON_MASTER_KEY ?? '', adminKey: ADMIN, logLevel: 'silent' };
  const runtime = await createRuntime(config);
  try {
    const app = await runtime.app.inject({ method: 'POST', url: '/v1/apps', headers: { authorization: `Bearer ${ADMIN}` }, payload: { name: 'sealed' } });
    assert.equal(app.statusCode, 201, app.body);
  } finally {
    await runtime.close();
  }
}

async function startsFine(env: Record<string, string>): Promise<void> {
  const server = await startServerProcess({ CARILLON_ADMIN_KEY: ADMIN, ...env });
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0);
}

function assertRefusal(res: { code: number | 'running'; stderr: string; stdout: string }, keys: string[], says: RegExp): void {
  assert.notEqual(res.code, 'running', 'a process with the wrong master key must not start');
  assert.notEqual(res.code, 0);
  const lines = res.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr:\n${res.stderr}`);
  assert.match(lines[0]!, /master key mismatch/);
  assert.match(lines[0]!, says);
  for (const k of keys) assert.ok(!`${res.stdout}${res.stderr}`.includes(k), 'no key material in the output');
}

const newKey = () => randomBytes(32).toString('base64');

for (const kind of STORES) {
  describe(`a process with another master key than the database's refuses to start (${kind})`, () => {
    const dirs: string[] = [];
    const dataDir = () => {
      const d = mkdtempSync(join(tmpdir(), 'carillon-key-'));
      dirs.push(d);
      return d;
    };
    const database = async (): Promise<Record<string, string>> => (kind === 'postgres' ? { DATABASE_URL: await createTestDatabase() } : {});
    after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

    test('serve, every role, with the wrong CARILLON_MASTER_KEY: exit code and one line saying what to set', async () => {
      const [right, wrong] = [newKey(), newKey()];
      const env = { CARILLON_DATA_DIR: dataDir(), ...(await database()) };
      await setUp({ ...env, CARILLON_MASTER_KEY: right });
      // The roles' starts are independent of each other: they run side by side.
      const roles = ['both', 'worker', 'api'];
      const refusals = await Promise.all(roles.map((role) => startRefused(['serve'], { ...env, CARILLON_MASTER_KEY: wrong, CARILLON_ROLE: role })));
      for (const [i, res] of refusals.entries()) {
        assertRefusal(res, [right, wrong], /set CARILLON_MASTER_KEY \(or data\/master\.key/);
        assert.match(res.stderr, /key from CARILLON_MASTER_KEY/, `role ${roles[i]}`);
      }
      await startsFine({ ...env, CARILLON_MASTER_KEY: right });
    });

    test('push-service with the wrong key refuses to start too', async () => {
      const [right, wrong] = [newKey(), newKey()];
      const env = { CARILLON_DATA_DIR: dataDir(), ...(await database()) };
      await setUp({ ...env, CARILLON_MASTER_KEY: right });
      assertRefusal(await startRefused(['push-service'], { ...env, CARILLON_MASTER_KEY: wrong }), [right, wrong], /CARILLON_MASTER_KEY/);
    });

    test('a database made before the check value: the first key that holds its secrets writes it, another is refused', async () => {
      const [right, wrong] = [newKey(), newKey()];
      const dir = dataDir();
      const env: Record<string, string> = { CARILLON_DATA_DIR: dir, ...(await database()) };
      await setUp({ ...env, CARILLON_MASTER_KEY: right });
      const forget = async () => {
        const store = await openStore({ databaseUrl: env.DATABASE_URL || undefined, dataDir: dir });
        await store.db.deleteFrom('master_key_check').execute();
        await store.close();
      };
      await forget();
      assertRefusal(await startRefused(['serve'], { ...env, CARILLON_MASTER_KEY: wrong }), [right, wrong], /CARILLON_MASTER_KEY/);
      await startsFine({ ...env, CARILLON_MASTER_KEY: right });
      assertRefusal(await startRefused(['serve'], { ...env, CARILLON_MASTER_KEY: wrong }), [right, wrong], /CARILLON_MASTER_KEY/);
    });

    test('a database with no secrets yet takes the first key that starts', async () => {
      const [first, second] = [newKey(), newKey()];
      const env = { CARILLON_DATA_DIR: dataDir(), ...(await database()) };
      await startsFine({ ...env, CARILLON_MASTER_KEY: first });
      assertRefusal(await startRefused(['serve'], { ...env, CARILLON_MASTER_KEY: second }), [first, second], /CARILLON_MASTER_KEY/);
    });
  });
}

describe('the master key in the data folder', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'carillon-keyfile-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a data/master.key replaced by another key: refused, naming the file', async () => {
    await setUp({ CARILLON_DATA_DIR: dir });
    const wrong = newKey();
    writeFileSync(join(dir, 'master.key'), `${wrong}\n`);
    const res = await startRefused(['serve'], { CARILLON_DATA_DIR: dir });
    assertRefusal(res, [wrong], /CARILLON_MASTER_KEY/);
    assert.ok(res.stderr.includes(join(dir, 'master.key')), res.stderr);
  });

  test('migrate --to carries the check value into PostgreSQL: a wrong key is refused there from the first start', async () => {
    const right = newKey();
    const source = mkdtempSync(join(tmpdir(), 'carillon-keymove-'));
    try {
      await setUp({ CARILLON_DATA_DIR: source, CARILLON_MASTER_KEY: right });
      // As a data folder made before the check value, to see migrate write it.
      const store = await openStore({ dataDir: source });
      await store.db.deleteFrom('master_key_check').execute();
      await store.close();
      const url = await createTestDatabase();
      const moved = await startRefused(['migrate', '--to', url], { CARILLON_DATA_DIR: source, CARILLON_MASTER_KEY: right });
      assert.equal(moved.code, 0, moved.stderr);
      assert.match(moved.stdout, /master_key_check: 1/);
      const wrong = newKey();
      assertRefusal(await startRefused(['serve'], { CARILLON_DATA_DIR: source, DATABASE_URL: url, CARILLON_MASTER_KEY: wrong }), [right, wrong], /CARILLON_MASTER_KEY/);
      await startsFine({ CARILLON_DATA_DIR: source, DATABASE_URL: url, CARILLON_MASTER_KEY: right });
    } finally {
      rmSync(source, { recursive: true, force: true });
    }
  });
});
