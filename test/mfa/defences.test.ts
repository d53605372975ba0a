import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { answer, challenge, enroll, wrongCode, type TestApp } from './fixture.ts';

for (const kind of STORES) {
  describe(`push sign-in defences on an injected clock (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: TestApp;
    let clock = Date.now();
    before(async () => {
      c = await startCarillon(kind, {}, { now: () => clock });
      sink = await startPushSink();
      app = await c.createApp();
      const put = await c.api('PUT', `/v1/apps/${app.id}/mfa/settings`, { key: app.secretKey, body: { lockAfterFailures: 3, backoffAfterFailures: 2, backoffBase: 60, pushesPerWindow: 4 } });
      assert.equal(put.status, 200, JSON.stringify(put.body));
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('failures count across challenges, back off, then lock until the customer resets; all audited with T1621', async () => {
      const device = await enroll(c, sink, app, 'eve');
      for (let i = 1; i <= 2; i++) {
        const ch = await challenge(c, app, 'eve');
        assert.equal(ch.status, 201, JSON.stringify(ch.body));
        const r = await answer(c, app, device, ch.body.challengeId, 'approve', wrongCode(ch.body.code), clock);
        assert.equal(r.res.body.failures, i);
      }
      const waiting = await challenge(c, app, 'eve');
      assert.equal(waiting.status, 429);
      assert.equal(waiting.body.code, 'sign_in_backoff');
      assert.equal(waiting.body.retryAfter, 60);
      clock += 60_000;
      const third = await challenge(c, app, 'eve');
      assert.equal(third.status, 201, JSON.stringify(third.body));
      const r = await answer(c, app, device, third.body.challengeId, 'approve', wrongCode(third.body.code), clock);
      assert.equal(r.res.body.status, 'locked');
      clock += 3_600_000;
      const locked = await challenge(c, app, 'eve');
      assert.equal(locked.status, 423);
      assert.deepEqual([locked.body.code, locked.body.lockedReason], ['sign_in_locked', 'failures']);
      const reset = await c.api('POST', `/v1/apps/${app.id}/mfa/locks/reset`, { key: app.secretKey, body: { userId: 'eve' } });
      assert.deepEqual([reset.body.locked, reset.body.failures], [false, 0]);
      const ok = await challenge(c, app, 'eve');
      assert.equal(ok.status, 201);
      const log = await c.api('GET', `/v1/apps/${app.id}/mfa/audit?userId=eve`, { key: app.secretKey });
      const types = log.body.data.map((e: any) => e.type);
      for (const t of ['failed', 'backoff', 'locked', 'lock_reset']) assert.ok(types.includes(t), t);
      assert.ok(log.body.data.filter((e: any) => e.type === 'failed').every((e: any) => e.tags.includes('T1621')));
      assert.ok(!JSON.stringify(log.body).includes(ok.body.code), 'no code in the audit');
    });

    test('the push cap since the last success, and a signed fraud report locks pushes', async () => {
      const device = await enroll(c, sink, app, 'fay');
      for (let i = 0; i < 4; i++) assert.equal((await challenge(c, app, 'fay')).status, 201);
      const capped = await challenge(c, app, 'fay');
      assert.equal(capped.status, 429);
      assert.equal(capped.body.code, 'sign_in_push_limit');
      clock += 15 * 60_000 + 1;
      const ch = await challenge(c, app, 'fay');
      assert.equal(ch.status, 201);
      const fraud = await answer(c, app, device, ch.body.challengeId, 'fraud', undefined, clock);
      assert.deepEqual([fraud.res.body.status, fraud.res.body.reason], ['denied', 'fraud']);
      const after = await challenge(c, app, 'fay');
      assert.deepEqual([after.status, after.body.lockedReason], [423, 'fraud']);
      const log = await c.api('GET', `/v1/apps/${app.id}/mfa/audit?userId=fay`, { key: app.secretKey });
      assert.ok(log.body.data.some((e: any) => e.type === 'fraud_reported' && e.tags.includes('T1621')));
    });
  });
}
