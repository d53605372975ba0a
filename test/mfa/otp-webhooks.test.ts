/**
 * The `mfa.otp.*` webhooks through a real endpoint (the receiver of the webhook tests): each
 * event of a one-time code's life arrives as a Standard Webhooks message the reference
 * library verifies, with the fields docs/mfa.md#webhooks names and never the code.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES } from '../support/carillon.ts';
import { queueIdle, testClock, type Clock, webhookRig } from '../webhooks/harness.ts';
import { enroll } from './fixture.ts';
import { otherCode, pushedCode, sendOtp, verifyOtp } from './otp-fixture.ts';
import { onlyEvent, verifiedEvents } from './webhook-events.ts';

const OTP_EVENTS = ['mfa.otp.created', 'mfa.otp.verified', 'mfa.otp.failed', 'mfa.otp.expired', 'mfa.otp.locked'];

for (const kind of STORES) {
  describe(`one-time code webhooks (${kind})`, () => {
    const clock: Clock = testClock();
    const rig = webhookRig(kind, { now: clock.now });

    test('created, verified, failed (and burnt), expired (superseded, timed out) and locked arrive verified, with ids and states and no code', async () => {
      const { c, rx, sink } = rig;
      const app = await c.createApp();
      const hook = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url, events: OTP_EVENTS } })).body;
      assert.ok(hook.secret, JSON.stringify(hook));
      // A lifetime of 30 s keeps the clock's jump inside the receiver's 5 minutes of timestamp tolerance.
      const settings = await c.api('PUT', `/v1/apps/${app.id}/mfa/settings`, { key: app.secretKey, body: { lockAfterFailures: 3, backoffAfterFailures: 10, otpAttempts: 2, otpLifetime: 30 } });
      assert.equal(settings.status, 200, JSON.stringify(settings.body));
      await enroll(c, sink, app, 'ana');
      await enroll(c, sink, app, 'bo');
      const codes: string[] = [];
      const send = async (userId: string, purpose: string) => {
        const res = await sendOtp(c, app, userId, purpose);
        assert.equal(res.status, 201, JSON.stringify(res.body));
        const otpId = res.body.otpId as string;
        const code = await pushedCode(sink, otpId);
        codes.push(code);
        return { otpId, code, expiresAt: res.body.expiresAt as string };
      };

      const first = await send('ana', 'sign in');
      const second = await send('ana', 'sign in');
      assert.deepEqual((await verifyOtp(c, app, second.otpId, second.code)).body, { valid: true });
      const burnt = await send('ana', 'pay 40 EUR');
      assert.deepEqual((await verifyOtp(c, app, burnt.otpId, otherCode(burnt.code))).body, { valid: false, attemptsLeft: 1, failures: 1 });
      assert.deepEqual((await verifyOtp(c, app, burnt.otpId, otherCode(burnt.code))).body, { valid: false, attemptsLeft: 0, failures: 2 });
      const locking = await send('ana', 'change address');
      assert.deepEqual((await verifyOtp(c, app, locking.otpId, otherCode(locking.code))).body, { valid: false, attemptsLeft: 1, failures: 3 });
      const late = await send('bo', 'sign in');
      await queueIdle(c);
      clock.advance(31_000);
      assert.deepEqual((await verifyOtp(c, app, late.otpId, late.code)).body, { valid: false, reason: 'expired' });

      const events = await verifiedEvents(rx, hook.secret, 12);
      for (const e of events) {
        assert.ok(!Number.isNaN(Date.parse(e.timestamp)), e.type);
        assert.ok(!('code' in e.data), `${e.type} carries no code`);
        for (const code of codes) assert.ok(!JSON.stringify(e).includes(code), `${e.type} carries no code`);
      }
      const of = (type: string, otpId: string) => onlyEvent(events, type, 'otpId', otpId, app.id);
      assert.deepEqual(of('mfa.otp.created', first.otpId), { otpId: first.otpId, userId: 'ana', purpose: 'sign in', digits: 6, expiresAt: first.expiresAt });
      assert.deepEqual(of('mfa.otp.created', second.otpId), { otpId: second.otpId, userId: 'ana', purpose: 'sign in', digits: 6, expiresAt: second.expiresAt, supersedes: first.otpId });
      for (const o of [burnt, locking]) assert.equal(of('mfa.otp.created', o.otpId).userId, 'ana');
      assert.equal(of('mfa.otp.created', late.otpId).userId, 'bo');
      assert.deepEqual(of('mfa.otp.expired', first.otpId), { otpId: first.otpId, userId: 'ana', purpose: 'sign in', status: 'superseded', reason: 'superseded', supersededBy: second.otpId });
      assert.deepEqual(of('mfa.otp.verified', second.otpId), { otpId: second.otpId, userId: 'ana', purpose: 'sign in', status: 'verified' });
      const failed = events.filter((e) => e.type === 'mfa.otp.failed' && e.data.otpId === burnt.otpId).map((e) => e.data);
      assert.deepEqual(
        failed.sort((a, b) => Number(a.failures) - Number(b.failures)),
        [
          { appId: app.id, otpId: burnt.otpId, userId: 'ana', purpose: 'pay 40 EUR', status: 'pending', attemptsLeft: 1, failures: 1 },
          { appId: app.id, otpId: burnt.otpId, userId: 'ana', purpose: 'pay 40 EUR', status: 'burnt', attemptsLeft: 0, failures: 2 },
        ],
      );
      assert.deepEqual(of('mfa.otp.failed', locking.otpId), { otpId: locking.otpId, userId: 'ana', purpose: 'change address', status: 'pending', attemptsLeft: 1, failures: 3 });
      assert.deepEqual(of('mfa.otp.locked', locking.otpId), { otpId: locking.otpId, userId: 'ana', purpose: 'change address', reason: 'failures', failures: 3 });
      assert.deepEqual(of('mfa.otp.expired', late.otpId), { otpId: late.otpId, userId: 'bo', purpose: 'sign in', status: 'expired', reason: 'timeout' });
    });
  });
}
