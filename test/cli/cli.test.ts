import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, runCarillon, startServerProcess, type ServerProcess } from '../support/process.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';

describe('the carillon command', () => {
  let server: ServerProcess;
  let sink: PushSink;
  let dataDir: string;
  const admin = 'crl_ak_cli_test_admin_key';

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'carillon-cli-'));
    sink = await startPushSink();
    server = await startServerProcess({ CARILLON_DATA_DIR: dataDir, CARILLON_ADMIN_KEY: admin, CARILLON_ALLOW_PRIVATE_ENDPOINTS: 'true' });
  });
  after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('serve prints the URL and where the data lives', () => {
    assert.match(server.output(), /Carillon is running at http:\/\/127\.0\.0\.1:\d+/);
    assert.ok(server.output().includes(join(dataDir, 'carillon.db')));
    assert.match(server.output(), /Admin key: from CARILLON_ADMIN_KEY/);
    assert.ok(!server.output().includes(admin), 'the admin key given by the operator is not echoed');
  });

  test('send delivers to the audience and follows it with progress until completed', async () => {
    const app = (await http(`${server.url}/v1/apps`, 'POST', admin, { name: 'cli' })).body;
    const subs = Array.from({ length: 30 }, () => sink.subscribe());
    for (const s of subs) {
      const res = await http(`${server.url}/v1/apps/${app.id}/subscriptions`, 'POST', app.publishableKey, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, tags: { team: 'ops' } });
      assert.equal(res.status, 201);
    }
    const res = await runCarillon(['send', '--server', server.url, '--app', app.id, '--tag', 'team=ops', '--title', 'Deploy done', '--body', 'v2 is live'], { CARILLON_API_KEY: app.secretKey });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /accepted: ntf_/);
    assert.match(res.stderr, /\[#+\] 30\/30 delivered 30/);
    assert.match(res.stdout, /completed; \{"targeted":30,"sent":30,"delivered":30/);
    const got = sink.received.filter((r) => (r.json as any).notification.title === 'Deploy done');
    assert.equal(got.length, 30);
    assert.equal((got[0]!.json as any).notification.body, 'v2 is live');
  });

  test('send refuses an ambiguous audience and reports API errors with their code', async () => {
    const both = await runCarillon(['send', '--server', server.url, '--app', 'app_x', '--key', 'k', '--all', '--user', 'u', '--title', 't']);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /exactly one audience/);
    const badKey = await runCarillon(['send', '--server', server.url, '--app', 'app_x', '--key', 'crl_sk_wrong', '--all', '--title', 't']);
    assert.equal(badKey.code, 1);
    assert.match(badKey.stderr, /401 invalid_api_key/);
  });

  test('vapid generate prints a P-256 key pair', async () => {
    const res = await runCarillon(['vapid', 'generate']);
    const keys = JSON.parse(res.stdout);
    assert.equal(Buffer.from(keys.publicKey, 'base64url').length, 65);
    assert.equal(Buffer.from(keys.privateKey, 'base64url').length, 32);
  });

  test('migrate brings a new data folder to the current schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carillon-migrate-'));
    try {
      const res = await runCarillon(['migrate', '--data-dir', dir]);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /carillon\.db: schema at version \d+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a bad setting stops the start with a clear message', async () => {
    const res = await runCarillon(['serve', '--port', 'eighty']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /port must be a non-negative number, got "eighty"/);
  });
});
