/** `carillon users import`: CSV and NDJSON files streamed to a running server, bad rows reported by line. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, runCarillon, startServerProcess, type ServerProcess } from '../support/process.ts';

describe('carillon users import', () => {
  let server: ServerProcess;
  let dataDir: string;
  let app: { id: string; secretKey: string };
  let env: Record<string, string>;
  const admin = 'crl_ak_cli_users_import_admin';
  const user = async (id: string) => (await http(`${server.url}/v1/apps/${app.id}/users/${encodeURIComponent(id)}`, 'GET', app.secretKey)).body;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'carillon-cli-users-'));
    server = await startServerProcess({ CARILLON_DATA_DIR: dataDir, CARILLON_ADMIN_KEY: admin });
    app = (await http(`${server.url}/v1/apps`, 'POST', admin, { name: 'cli users' })).body;
    env = { CARILLON_SERVER: server.url, CARILLON_APP_ID: app.id, CARILLON_API_KEY: app.secretKey };
  });
  after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('CSV: typed columns, quoted fields over two lines; bad rows by line number, the rest imported, exit 2', async () => {
    const file = join(dataDir, 'users.csv');
    writeFileSync(
      file,
      [
        'externalId,language,timezone,country,lat,lon,plan,visits:number,beta:boolean,signedUpAt:time,zip',
        'c1,fr-ca,America/Toronto,ca,45.5,-73.6,gold,3,true,2025-01-02T03:04:05Z,01234',
        'c2,,,FRA,,,,,,,', // line 3: the server refuses the country
        '"c3",en,,,,,"silver, with a comma",,,,', // quoted comma
        'c4,,,,,,,three,,,', // line 5: not a number
        '"c5",,,,,,"two', // a quoted field over two lines, starting on line 6
        'lines ""quoted""",,,,',
        'c6,,,,,,,,maybe,,', // line 8: not a boolean
        'c7,,,,10,,,,,,', // line 9: lat without lon
        'c8,,Mars/Olympus,,,,,,,,', // line 10: the server refuses the zone
        'c9,,,,,,,,,,', // nothing but the id: made
        'c10,,,', // line 12: too few fields
      ].join('\n') + '\n',
    );
    const res = await runCarillon(['users', 'import', file, '--page-size', '3', '--json'], env);
    assert.equal(res.code, 2, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.equal(out.imported, 4, res.stdout);
    assert.deepEqual(out.refused.map((r: any) => [r.line, r.code]), [
      [3, 'invalid_country'],
      [5, 'invalid_request'],
      [8, 'invalid_request'],
      [9, 'invalid_request'],
      [10, 'invalid_timezone'],
      [12, 'invalid_request'],
    ]);
    assert.match(res.stderr, /^line 3: invalid_country #\/country: /m);
    assert.match(res.stderr, /^line 5: invalid_request: attributes\.visits: "three" is not a number/m);
    const c1 = await user('c1');
    assert.deepEqual(
      [c1.language, c1.timezone, c1.country, c1.location, c1.attributes],
      ['fr-CA', 'America/Toronto', 'CA', { lat: 45.5, lon: -73.6 }, { plan: 'gold', visits: 3, beta: true, signedUpAt: '2025-01-02T03:04:05Z', zip: '01234' }],
    );
    assert.equal((await user('c3')).attributes.plan, 'silver, with a comma');
    assert.equal((await user('c5')).attributes.plan, 'two\nlines "quoted"');
    assert.deepEqual((await user('c9')).attributes, {});
    assert.equal((await user('c2')).code, 'user_not_found');
  });

  test('NDJSON: one user per line, null removes; a line that is not JSON is refused by its number', async () => {
    const file = join(dataDir, 'users.ndjson');
    writeFileSync(
      file,
      [
        JSON.stringify({ externalId: 'c1', attributes: { plan: null, vip: true }, language: null }),
        '{"externalId": "n2", "attributes": {',
        '',
        JSON.stringify({ externalId: 'n3', location: { lat: 95, lon: 0 } }),
        '[1, 2]',
        JSON.stringify({ externalId: 'n4', timezone: 'Asia/Calcutta' }),
      ].join('\n'),
    );
    const res = await runCarillon(['users', 'import', file, '--json'], env);
    assert.equal(res.code, 2, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.equal(out.imported, 2);
    assert.deepEqual(out.refused.map((r: any) => [r.line, r.code]), [[2, 'invalid_json'], [4, 'invalid_request'], [5, 'invalid_request']]);
    const c1 = await user('c1');
    assert.equal(c1.language, null);
    assert.equal(c1.attributes.plan, undefined);
    assert.equal(c1.attributes.vip, true);
    assert.equal(c1.attributes.visits, 3, 'absent: kept');
    assert.equal((await user('n4')).timezone, 'Asia/Calcutta');
  });

  test('a clean file exits 0; a file without an externalId column stops at once with exit 1', async () => {
    const ok = join(dataDir, 'ok.csv');
    writeFileSync(ok, 'externalId,team\r\nok1,blue\r\nok2,red\r\n');
    const res = await runCarillon(['users', 'import', ok], env);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /imported 2, refused 0/);
    assert.equal((await user('ok2')).attributes.team, 'red', 'CRLF line ends are read');
    const bad = join(dataDir, 'bad.csv');
    writeFileSync(bad, 'id,team\nx,blue\n');
    const refused = await runCarillon(['users', 'import', bad], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /no externalId column/);
  });
});
