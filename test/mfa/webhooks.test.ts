/**
 * The `mfa.*` webhooks through a real endpoint: a receiver on loopback gets each event of a
 * challenge's life as a Standard Webhooks message that the reference library verifies,
 * with the fields docs/mfa.md#webhooks names and never a code.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES } from '../support/carillon.ts';
import { queueIdle, testClock, type Clock, webhookRig } from '../webhooks/harness.ts';
import { CONTEXT, answer, challenge, enroll, wrongCode } from './fixture.ts';
import { onlyEvent, verifiedEvents } from './webhook-events.ts';

for (const kind of STORES) {
  describe(`push sign-in webhooks (${kind})`, () => {
    const clock: Clock = testClock();
    const rig = webhookRig(kind, { now: clock.now });

    test('created, approved, denied, expired, locked and fraud_reported arrive verified, with ids and states and no code', async () => {
      const { c, rx, sink } = rig;
      const app = await c.createApp();
      const hook = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url, events: ['mfa.challenge.created', 'mfa.challenge.approved', 'mfa.challenge.denied', 'mfa.challenge.expired', 'mfa.challenge.locked', 'mfa.fraud_reported'] } })).body;
      assert.ok(hook.secret, JSON.stringify(hook));
      assert.equal((await c.api('PUT', `/v1/apps/${app.id}/mfa/settings`, { key: app.secretKey, body: { lockAfterFailures: 2, backoffAfterFailures: 10 } })).status, 200);
      const device = await enroll(c, sink, app, 'ana');
      const codes: string[] = [];
      const start = async (userId: string) => {
        const ch = await challenge(c, app, userId);
        assert.equal(ch.status, 201, JSON.stringify(ch.body));
        codes.push(ch.body.code);
        return ch.body as { challengeId: string; code: string };
      };

      const superseded = await start('ana');
      const approved = await start('ana');
      assert.equal((await answer(c, app, device, approved.challengeId, 'approve', approved.code, clock.now())).res.body.status, 'approved');
      const denied = await start('ana');
      assert.equal((await answer(c, app, device, denied.challengeId, 'deny', undefined, clock.now())).res.body.status, 'denied');
      const wrong = await start('ana');
      assert.equal((await answer(c, app, device, wrong.challengeId, 'approve', wrongCode(wrong.code), clock.now())).res.body.reason, 'wrong_code');
      const locking = await start('ana');
      assert.equal((await answer(c, app, device, locking.challengeId, 'approve', wrongCode(locking.code), clock.now())).res.body.status, 'locked');

      const other = await enroll(c, sink, app, 'bo');
      const timedOut = await start('bo');
      await queueIdle(c);
      clock.advance(121_000);
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/mfa/challenges/${timedOut.challengeId}`, { key: app.secretKey })).body.status, 'expired');
      const fraud = await start('bo');
      assert.equal((await answer(c, app, other, fraud.challengeId, 'fraud', undefined, clock.now())).res.body.reason, 'fraud');

      const events = await verifiedEvents(rx, hook.secret, 15);
      for (const e of events) {
        assert.ok(!Number.isNaN(Date.parse(e.timestamp)), e.type);
        assert.equal(e.data.appId, app.id, e.type);
        assert.ok(!('code' in e.data), `${e.type} carries no code`);
        for (const code of codes) assert.ok(!JSON.stringify(e).includes(code), `${e.type} carries no code`);
      }
      const of = (type: string, challengeId: string) => onlyEvent(events, type, 'challengeId', challengeId, app.id);
      const expiresAt = (ms: number) => new Date(ms + 120_000).toISOString();
      for (const ch of [superseded, denied, wrong, locking]) assert.equal(of('mfa.challenge.created', ch.challengeId).userId, 'ana');
      assert.deepEqual(of('mfa.challenge.created', approved.challengeId), { challengeId: approved.challengeId, userId: 'ana', expiresAt: of('mfa.challenge.created', approved.challengeId).expiresAt, supersedes: superseded.challengeId });
      assert.deepEqual(of('mfa.challenge.created', timedOut.challengeId), { challengeId: timedOut.challengeId, userId: 'bo', expiresAt: expiresAt(clock.now() - 121_000) });
      assert.deepEqual(of('mfa.challenge.expired', superseded.challengeId), { challengeId: superseded.challengeId, userId: 'ana', status: 'expired', reason: 'superseded', supersededBy: approved.challengeId });
      assert.deepEqual(of('mfa.challenge.approved', approved.challengeId), { challengeId: approved.challengeId, userId: 'ana', status: 'approved', deviceId: device.id });
      assert.deepEqual(of('mfa.challenge.denied', denied.challengeId), { challengeId: denied.challengeId, userId: 'ana', status: 'denied', reason: 'denied', deviceId: device.id });
      assert.deepEqual(of('mfa.challenge.denied', wrong.challengeId), { challengeId: wrong.challengeId, userId: 'ana', status: 'denied', reason: 'wrong_code', deviceId: device.id });
      assert.deepEqual(of('mfa.challenge.locked', locking.challengeId), { challengeId: locking.challengeId, userId: 'ana', status: 'locked', reason: 'failures', deviceId: device.id });
      assert.deepEqual(of('mfa.challenge.expired', timedOut.challengeId), { challengeId: timedOut.challengeId, userId: 'bo', status: 'expired', reason: 'timeout' });
      assert.deepEqual(of('mfa.challenge.denied', fraud.challengeId), { challengeId: fraud.challengeId, userId: 'bo', status: 'denied', reason: 'fraud', deviceId: other.id });
      assert.deepEqual(of('mfa.fraud_reported', fraud.challengeId), { challengeId: fraud.challengeId, userId: 'bo', deviceId: other.id, context: CONTEXT });
    });
  });
}
