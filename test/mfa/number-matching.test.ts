/**
 * Number matching, the opt-in weaker answer mode: the device is shown three numbers, one
 * of them the login screen's code, and signs the one the user picks. Off by default.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { nonce, type TestDevice } from './device.ts';
import { answer, challenge, enroll, type TestApp } from './fixture.ts';

for (const kind of STORES) {
  describe(`push sign-in by number matching (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    const clock = Date.now();
    before(async () => {
      c = await startCarillon(kind, {}, { now: () => clock });
      sink = await startPushSink();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    const details = async (app: TestApp, device: TestDevice, challengeId: string) => {
      const request = await device.sign({ challengeId, nonce: nonce(), exp: Math.floor(clock / 1000) + 60, purpose: 'details' });
      const res = await c.api('POST', `/v1/apps/${app.id}/mfa/challenges/${challengeId}/details`, { body: { request } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };

    async function matchingApp(): Promise<TestApp> {
      const app = await c.createApp();
      const put = await c.api('PUT', `/v1/apps/${app.id}/mfa/settings`, { key: app.secretKey, body: { answerMode: 'numberMatching', lockAfterFailures: 5, backoffAfterFailures: 5 } });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal(put.body.answerMode, 'numberMatching');
      return app;
    }

    test('off by default: the settings say code, the device is asked for the code and shown no numbers', async () => {
      const app = await c.createApp();
      const settings = await c.api('GET', `/v1/apps/${app.id}/mfa/settings`, { key: app.secretKey });
      assert.equal(settings.body.answerMode, 'code');
      assert.equal(settings.body.challengeLifetime, 120, 'the limits keep their shape');
      const device = await enroll(c, sink, app, 'ana');
      const ch = await challenge(c, app, 'ana');
      assert.equal(ch.body.answerMode, 'code');
      const d = await details(app, device, ch.body.challengeId);
      assert.equal(d.answerMode, 'code');
      assert.equal(d.numbers, undefined);
      assert.ok(!JSON.stringify(d).includes(ch.body.code));
    });

    test('an unknown answer mode is refused with a pointer to it, and nothing changes', async () => {
      const app = await c.createApp();
      const bad = await c.api('PUT', `/v1/apps/${app.id}/mfa/settings`, { key: app.secretKey, body: { answerMode: 'tapApprove' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, 'invalid_request');
      assert.equal(bad.body.errors[0].pointer, '#/answerMode');
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/mfa/settings`, { key: app.secretKey })).body.answerMode, 'code');
    });

    test('the right pick approves: three distinct numbers, the code among them, the same three each time', async () => {
      const app = await matchingApp();
      const device = await enroll(c, sink, app, 'bo');
      const ch = await challenge(c, app, 'bo');
      assert.equal(ch.status, 201, JSON.stringify(ch.body));
      assert.equal(ch.body.answerMode, 'numberMatching');
      const d = await details(app, device, ch.body.challengeId);
      assert.equal(d.answerMode, 'numberMatching');
      assert.equal(d.numbers.length, 3);
      assert.equal(new Set(d.numbers).size, 3);
      assert.ok(d.numbers.includes(ch.body.code));
      assert.deepEqual((await details(app, device, ch.body.challengeId)).numbers, d.numbers, 'asking again shows the same three');
      const r = await answer(c, app, device, ch.body.challengeId, 'approve', ch.body.code, clock);
      assert.equal(r.res.status, 200, JSON.stringify(r.res.body));
      assert.equal(r.res.body.status, 'approved');
      const log = await c.api('GET', `/v1/apps/${app.id}/mfa/audit?userId=bo`, { key: app.secretKey });
      assert.equal(log.body.data.find((e: any) => e.type === 'challenge_created').details.answerMode, 'numberMatching');
      assert.ok(!JSON.stringify(log.body).includes(ch.body.code), 'no number of the challenge in the audit');
    });

    test('a wrong pick is a failure like a wrong code: denied, counted across challenges, and it locks', async () => {
      const app = await matchingApp();
      const device = await enroll(c, sink, app, 'cy');
      for (let i = 1; i <= 5; i++) {
        const ch = await challenge(c, app, 'cy');
        assert.equal(ch.status, 201, JSON.stringify(ch.body));
        const { numbers } = await details(app, device, ch.body.challengeId);
        const decoy = (numbers as string[]).find((n) => n !== ch.body.code)!;
        const r = await answer(c, app, device, ch.body.challengeId, 'approve', decoy, clock);
        assert.equal(r.res.body.failures, i);
        assert.deepEqual([r.res.body.status, r.res.body.reason], i < 5 ? ['denied', 'wrong_code'] : ['locked', 'failures']);
      }
      const state = await c.api('GET', `/v1/apps/${app.id}/mfa/locks?userId=cy`, { key: app.secretKey });
      assert.deepEqual([state.body.failures, state.body.lockedReason], [5, 'failures']);
    });
  });
}
