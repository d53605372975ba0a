import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, runCarillon, startServerProcess, type ServerProcess } from '../support/process.ts';
import { ApnsSimulator } from '../simulators/apns-simulator.ts';
import { FcmSimulator } from '../simulators/fcm-simulator.ts';

describe('carillon credentials', () => {
  let server: ServerProcess;
  let dataDir: string;
  let apns: ApnsSimulator;
  let fcm: FcmSimulator;
  const admin = 'crl_ak_cli_credentials_admin';

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'carillon-cli-creds-'));
    apns = await ApnsSimulator.start();
    fcm = await FcmSimulator.start();
    server = await startServerProcess({ CARILLON_DATA_DIR: dataDir, CARILLON_ADMIN_KEY: admin, CARILLON_ALLOW_PRIVATE_ENDPOINTS: 'true' });
  });
  after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await Promise.all([apns.close(), fcm.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('set-apns and set-fcm upload from files, list shows them without secrets, delete removes them', async () => {
    const app = (await http(`${server.url}/v1/apps`, 'POST', admin, { name: 'cli' })).body;
    const team = apns.createTeam(['com.example.cli']);
    const account = fcm.createServiceAccount();
    const p8 = join(dataDir, `AuthKey_${team.keyId}.p8`);
    const json = join(dataDir, 'service-account.json');
    writeFileSync(p8, team.key);
    writeFileSync(json, JSON.stringify(account));
    const env = { CARILLON_SERVER: server.url, CARILLON_APP_ID: app.id, CARILLON_API_KEY: app.secretKey };

    const setApns = await runCarillon(['credentials', 'set-apns', '--key-id', team.keyId, '--team-id', team.teamId, '--key-file', p8, '--topic', 'com.example.cli'], env);
    assert.equal(setApns.code, 0, setApns.stderr);
    assert.equal(JSON.parse(setApns.stdout).keyId, team.keyId);
    const setFcm = await runCarillon(['credentials', 'set-fcm', '--service-account', json], env);
    assert.equal(setFcm.code, 0, setFcm.stderr);
    assert.equal(JSON.parse(setFcm.stdout).projectId, account.project_id);

    const list = await runCarillon(['credentials', 'list'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout).map((c: any) => c.kind), ['apns', 'fcm']);
    for (const out of [setApns.stdout, setFcm.stdout, list.stdout, server.output()]) assert.ok(!out.includes('PRIVATE KEY'), 'no key printed or logged');

    const bad = await runCarillon(['credentials', 'set-apns', '--key-id', 'short', '--team-id', team.teamId, '--key-file', p8, '--topic', 'com.example.cli'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /400 credentials_invalid: keyId: .* \(keyId\)/);

    assert.equal((await runCarillon(['credentials', 'delete', 'fcm'], env)).code, 0);
    assert.deepEqual(JSON.parse((await runCarillon(['credentials', 'list'], env)).stdout).map((c: any) => c.kind), ['apns']);
    const again = await runCarillon(['credentials', 'delete', 'fcm'], env);
    assert.match(again.stderr, /404 credentials_not_found/);
  });
});
