import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, type TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { RESPONSE_EXCERPT_BYTES } from '../../src/webhooks/attempt-log.ts';
import { plant, queueIdle, startReceiver, startWebhookCarillon, testClock, type Clock, type Receiver } from './harness.ts';

const S = 1000;
const DAY = 86_400_000;

// Every attempt of a message, in the delivery log (issue #13: status, duration, attempt, next try).
for (const kind of STORES) {
  describe(`the delivery log keeps every attempt (${kind})`, () => {
    let c: TestCarillon;
    let clock: Clock;
    let rx: Receiver;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    before(async () => {
      clock = testClock(Date.parse('2026-06-01T00:00:00Z'));
      rx = await startReceiver();
      c = await startWebhookCarillon(kind, { webhookTimeout: 1500, webhookLogRetentionDays: 30, webhookDisableAfter: 90 * DAY }, { now: clock.now });
      app = await c.createApp();
    });
    after(async () => {
      await c.stop();
      await rx.close();
    });

    test('each attempt: when, status or error, duration, the start of the answer, the next try; a replay adds to them; retention takes them with the message', async () => {
      const ep = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url } })).body;
      const log = async () => (await c.api('GET', `/v1/apps/${app.id}/webhooks/${ep.id}/messages`, { key: app.secretKey })).body.data as any[];
      // 2,000 two-byte characters and a NUL: kept as at most 512 bytes, cut between characters.
      const long = `\u0000${'é'.repeat(2000)}`;
      rx.answer({ status: 503, body: long }, 'hang', { status: 200, body: '{"thanks":true}' });
      const t0 = clock.now();
      await plant(c, app.id, [{ type: 'delivered' }]);
      await eventually(async () => assert.equal((await log())[0]?.attempts, 1));
      await queueIdle(c);
      clock.advance(5 * S);
      await eventually(async () => assert.equal((await log())[0]?.attempts, 2));
      await queueIdle(c);
      clock.advance(300 * S);
      const [m] = await eventually(async () => {
        const l = await log();
        assert.equal(l[0]?.status, 'delivered');
        return l;
      });
      assert.equal(m.attempts, 3);
      const a = m.attemptLog;
      assert.deepEqual(a.map((x: any) => [x.attempt, x.replay, x.status]), [[1, 0, 503], [2, 0, null], [3, 0, 200]]);
      assert.deepEqual(a.map((x: any) => Date.parse(x.at) - t0), [0, 5 * S, 305 * S]);
      assert.deepEqual(a.map((x: any) => (x.nextAttemptAt === null ? null : Date.parse(x.nextAttemptAt) - t0)), [5 * S, 305 * S, null]);
      assert.equal(a[0].error, 'HTTP 503');
      assert.match(a[1].error, /^timeout/);
      assert.equal(a[2].error, null);
      assert.ok(a[1].durationMs >= 1400, `the timed-out attempt took ${a[1].durationMs} ms`);
      for (const x of a) assert.ok(Number.isInteger(x.durationMs) && x.durationMs >= 0);
      assert.equal(a[0].response, `\uFFFD${'é'.repeat((RESPONSE_EXCERPT_BYTES - 3) / 2 | 0)}`);
      assert.ok(Buffer.byteLength(a[0].response, 'utf8') <= RESPONSE_EXCERPT_BYTES);
      assert.equal(a[1].response, null, 'no answer came');
      assert.equal(a[2].response, '{"thanks":true}');
      // The last attempt is the message's `last...` fields.
      assert.equal(m.lastStatus, 200);
      assert.equal(m.lastAttemptAt, a[2].at);
      assert.equal(m.lastDurationMs, a[2].durationMs);

      rx.answer({ status: 500, body: 'again?' });
      const replay = await c.api('POST', `/v1/apps/${app.id}/webhooks/${ep.id}/replay`, { key: app.secretKey, body: { messageId: m.id } });
      assert.equal(replay.status, 202);
      const [again] = await eventually(async () => {
        const l = await log();
        assert.equal(l[0]?.attempts, 4);
        return l;
      });
      assert.deepEqual(again.attemptLog.slice(0, 3), a, 'the earlier attempts stay as they were');
      assert.deepEqual([again.attemptLog[3].attempt, again.attemptLog[3].replay, again.attemptLog[3].status, again.attemptLog[3].response], [4, 1, 500, 'again?']);
      assert.equal(Date.parse(again.attemptLog[3].nextAttemptAt) - Date.parse(again.attemptLog[3].at), 5 * S);
      await queueIdle(c);
      clock.advance(5 * S);
      await eventually(async () => assert.equal((await log())[0]?.status, 'delivered'));

      // Past the log's retention the message goes, and its attempts with it.
      await queueIdle(c);
      clock.advance(31 * DAY);
      await eventually(async () => assert.deepEqual(await log(), []));
      const left = await c.ctx.store.db.selectFrom('webhook_attempts').select('attempt').where('message_id', '=', m.id).execute();
      assert.deepEqual(left, []);
    });
  });
}
