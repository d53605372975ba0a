import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { appendActivity } from '../../src/store/activity-log.ts';
import { GAP_WAIT_MS } from '../../src/webhooks/horizon.ts';
import { startReceiver, queueIdle, startWebhookCarillon, testClock, type Clock, type Receiver } from './harness.ts';

// On PostgreSQL a seq is drawn at insert, not at commit: a later seq can be visible while
// an earlier one's transaction is open. The dispatcher must not move a cursor past it.
describe('a row committed after a later seq is still sent (postgres)', () => {
  let c: TestCarillon;
  let rx: Receiver;
  let clock: Clock;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  before(async () => {
    clock = testClock();
    rx = await startReceiver();
    c = await startWebhookCarillon('postgres', {}, { now: clock.now });
    app = await c.createApp();
    await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url } });
  });
  after(async () => {
    await c.stop();
    await rx.close();
  });
  const users = () => rx.received.map((r) => JSON.parse(r.body).data.userId as string).sort();

  test('an open transaction holds back the rows after it until it commits', async () => {
    const db = c.ctx.store.db;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let appended!: () => void;
    const inserted = new Promise<void>((r) => (appended = r));
    // Two types: appendActivity counts each row in its hour's rollup in the same transaction,
    // so a second row of the same type and hour would wait on the open one's rollup row.
    const slow = db.transaction().execute(async (tx) => {
      await appendActivity(tx, [{ appId: app.id, type: 'dismissed', at: clock.now(), userId: 'slow' }]);
      appended();
      await gate;
    });
    await inserted;
    await appendActivity(db, [{ appId: app.id, type: 'clicked', at: clock.now(), userId: 'fast' }]);
    // Several dispatcher passes: the later row waits for the open one.
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(users(), []);
    release();
    await slow;
    await eventually(() => assert.deepEqual(users(), ['fast', 'slow']));
  });

  test('a rolled-back append leaves a hole that is waited for, then passed', async () => {
    const db = c.ctx.store.db;
    await assert.rejects(
      db.transaction().execute(async (tx) => {
        await appendActivity(tx, [{ appId: app.id, type: 'clicked', at: clock.now(), userId: 'rolled back' }]);
        throw new Error('rollback');
      }),
    );
    await appendActivity(db, [{ appId: app.id, type: 'clicked', at: clock.now(), userId: 'after the hole' }]);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(users(), ['fast', 'slow']);
    await queueIdle(c);
    clock.advance(GAP_WAIT_MS);
    await eventually(() => assert.deepEqual(users(), ['after the hole', 'fast', 'slow']));
  });
});
