import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/carillon.js', import.meta.url));

describe('carillon migrate --to moves an embedded installation into PostgreSQL', () => {
  let sink: PushSink;
  let embedded: TestCarillon;
  let moved: TestCarillon | undefined;

  before(async () => {
    sink = await startPushSink();
    embedded = await startCarillon('sqlite');
  });
  after(async () => {
    await moved?.stop();
    await sink.close();
    rmSync(embedded.ctx.config.dataDir, { recursive: true, force: true });
  });

  test('apps, keys, subscriptions and history arrive; the moved installation sends and accepts new data', async () => {
    const app = await embedded.createApp('moving');
    const subs = Array.from({ length: 25 }, () => sink.subscribe());
    const ids: string[] = [];
    for (const [i, s] of subs.entries()) {
      const res = await embedded.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId: `u${i}`, tags: { cohort: i % 2 ? 'odd' : 'even' } }) });
      ids.push(res.body.id);
    }
    const first = await embedded.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { all: true }, title: 'Before the move' } });
    const before = await embedded.waitCompleted(app.id, app.secretKey, first.body.id);
    const analyticsOf = async (c: typeof embedded) => (await c.api('GET', `/v1/apps/${app.id}/notifications/${first.body.id}/analytics`, { key: app.secretKey })).body;
    const analyticsBefore = await analyticsOf(embedded);
    assert.equal(analyticsBefore.funnel.delivered, 25);
    const dataDir = embedded.ctx.config.dataDir;
    const masterKey = readFileSync(join(dataDir, 'master.key'), 'utf8').trim();
    await embedded.close();

    const url = await createTestDatabase();
    const res = await run(process.execPath, [BIN, 'migrate', '--data-dir', dataDir, '--to', url], { env: { ...process.env, DATABASE_URL: '' } });
    assert.match(res.stdout, /subscriptions: 25/);
    assert.match(res.stdout, /subscription_tags: 25/);
    // The rollups are a table without rowid on SQLite: copied by their primary key.
    assert.match(res.stdout, /activity_rollups: [1-9]/);
    assert.match(res.stdout, /CARILLON_MASTER_KEY=/);
    const again = await run(process.execPath, [BIN, 'migrate', '--data-dir', dataDir, '--to', url], { env: { ...process.env, DATABASE_URL: '' } }).catch((e) => e);
    assert.match(again.stderr, /already holds data/, 'a second copy into the same database is refused');

    moved = await startCarillon('postgres', { databaseUrl: url, masterKey, adminKey: embedded.adminKey });
    const status = await moved.api('GET', `/v1/apps/${app.id}/notifications/${first.body.id}`, { key: app.secretKey });
    assert.equal(status.status, 200, 'the same secret key works');
    assert.deepEqual(status.body.counts, before.counts);
    assert.deepEqual(await analyticsOf(moved), analyticsBefore, 'the same analytics, from the copied rollups');
    const list = await moved.api('GET', `/v1/apps/${app.id}/subscriptions?limit=100`, { key: app.secretKey });
    assert.deepEqual(list.body.data.map((s: { id: string }) => s.id), ids, 'same subscriptions, same order');

    // The VAPID key opens under the shared master key, and tags still target.
    const odd = await moved.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { tags: { cohort: 'odd' } }, title: 'After the move' } });
    const done = await moved.waitCompleted(app.id, app.secretKey, odd.body.id);
    assert.equal(done.counts.delivered, 12);
    assert.equal(sink.received.filter((r) => (r.json as any).notification.title === 'After the move').length, 12);
    // Identity sequences moved past the copied rows: a new subscription gets a new place.
    const s = sink.subscribe();
    const created = await moved.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: { channel: 'webpush', endpoint: s.endpoint, keys: s.keys } });
    assert.equal(created.status, 201);
    const all = await moved.api('GET', `/v1/apps/${app.id}/subscriptions?limit=100`, { key: app.secretKey });
    assert.equal(all.body.data.at(-1).id, created.body.id);
  });
});
