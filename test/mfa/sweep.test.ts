/**
 * A code nobody verifies or replaces, and a challenge nobody reads again, are closed by the
 * sweep once their time is up (on the server's clock, which the test moves): the code leaves
 * the stored notification, the audit says so and `mfa.otp.expired` / `mfa.challenge.expired`
 * go out, without a verify, a create or a read having to come by.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { reconcile } from '../../src/delivery/reconcile.ts';
import { MFA_SWEEP_JOB, mfaSweepJob, nextMfaSweepAt } from '../../src/mfa/sweep.ts';
import { STORES } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { queueIdle, testClock, type Clock, webhookRig } from '../webhooks/harness.ts';
import { challenge, enroll } from './fixture.ts';
import { pushedCode, sendOtp, verifyOtp } from './otp-fixture.ts';
import { onlyEvent, verifiedEvents } from './webhook-events.ts';

for (const kind of STORES) {
  describe(`the sweep of expired one-time codes and challenges (${kind})`, () => {
    // A minute boundary plus a little, so the test knows when the sweep's runs fall.
    const clock: Clock = testClock(nextMfaSweepAt(Date.now()) + 1_000);
    const rig = webhookRig(kind, { now: clock.now });

    test('closes the codes and challenges past their life, clears the code from its notification, audits and sends the expired events; live ones are left alone', async () => {
      const { c, rx, sink } = rig;
      const app = await c.createApp();
      const hook = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url, events: ['mfa.otp.expired', 'mfa.challenge.expired'] } })).body;
      // 30 s of life keeps the clock's jumps inside the receiver's 5 minutes of timestamp tolerance.
      assert.equal((await c.api('PUT', `/v1/apps/${app.id}/mfa/settings`, { key: app.secretKey, body: { otpLifetime: 30, challengeLifetime: 30 } })).status, 200);
      await enroll(c, sink, app, 'ana');
      await enroll(c, sink, app, 'bo');
      const otp = async (userId: string) => {
        const res = await sendOtp(c, app, userId, 'sign in');
        assert.equal(res.status, 201, JSON.stringify(res.body));
        const otpId = res.body.otpId as string;
        const code = await pushedCode(sink, otpId);
        const row = await c.ctx.store.db.selectFrom('mfa_otps').select(['notification_id']).where('id', '=', otpId).executeTakeFirstOrThrow();
        return { otpId, code, notificationId: row.notification_id! };
      };
      const content = async (notificationId: string) => (await c.ctx.store.db.selectFrom('notifications').select('content').where('id', '=', notificationId).executeTakeFirstOrThrow()).content;
      const status = async (otpId: string) => (await c.ctx.store.db.selectFrom('mfa_otps').select('status').where('id', '=', otpId).executeTakeFirstOrThrow()).status;

      const lapsing = await otp('ana');
      const unread = (await challenge(c, app, 'ana')).body as { challengeId: string };
      const challengeStatus = async (id: string) => (await c.ctx.store.db.selectFrom('mfa_challenges').select(['status', 'reason']).where('id', '=', id).executeTakeFirstOrThrow());
      assert.ok((await content(lapsing.notificationId)).includes(lapsing.code), 'the live code is in the notification, for delivery');
      // The reconcile pass starts the chain at the next minute boundary.
      assert.equal((await reconcile(c.ctx, [mfaSweepJob(c.ctx)]))[MFA_SWEEP_JOB], 1);
      await queueIdle(c);
      clock.advance(45_000);
      const live = await otp('bo');
      const liveChallenge = (await challenge(c, app, 'bo')).body as { challengeId: string };
      await queueIdle(c);
      // Past the boundary: ana's code is 46 s old (30 s of life), bo's 1 s.
      clock.advance(16_000);

      await eventually(async () => assert.equal(await status(lapsing.otpId), 'expired'));
      await eventually(async () => assert.deepEqual(await challengeStatus(unread.challengeId), { status: 'expired', reason: 'timeout' }));
      assert.deepEqual(await challengeStatus(liveChallenge.challengeId), { status: 'pending', reason: null }, 'a live challenge is left alone');
      const cleared = await content(lapsing.notificationId);
      assert.ok(!cleared.includes(lapsing.code), cleared);
      assert.match(cleared, /no longer valid/);
      assert.equal(await status(live.otpId), 'pending');
      assert.ok((await content(live.notificationId)).includes(live.code), 'a live code is left alone');

      const audit = (await c.api('GET', `/v1/apps/${app.id}/mfa/audit?userId=ana`, { key: app.secretKey })).body.data;
      assert.deepEqual(audit.filter((e: any) => e.type === 'otp_expired').map((e: any) => e.details.otpId), [lapsing.otpId]);
      assert.deepEqual(audit.filter((e: any) => e.type === 'expired').map((e: any) => [e.challengeId, e.details.sweep]), [[unread.challengeId, true]]);
      const events = await verifiedEvents(rx, hook.secret, 2);
      assert.deepEqual(onlyEvent(events, 'mfa.otp.expired', 'otpId', lapsing.otpId, app.id), { otpId: lapsing.otpId, userId: 'ana', purpose: 'sign in', status: 'expired', reason: 'timeout' });
      assert.deepEqual(onlyEvent(events, 'mfa.challenge.expired', 'challengeId', unread.challengeId, app.id), { challengeId: unread.challengeId, userId: 'ana', status: 'expired', reason: 'timeout' });
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/mfa/challenges/${unread.challengeId}`, { key: app.secretKey })).body.status, 'expired');

      // Closed once: a verify after the sweep finds it expired and counts nothing, nor audits it again.
      assert.deepEqual((await verifyOtp(c, app, lapsing.otpId, lapsing.code)).body, { valid: false, reason: 'expired' });
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/mfa/audit?userId=ana`, { key: app.secretKey })).body.data.filter((e: any) => e.type === 'otp_expired').length, 1);
      assert.deepEqual((await verifyOtp(c, app, live.otpId, live.code)).body, { valid: true });
      // The chain is on the next minute.
      const next = nextMfaSweepAt(clock.now());
      await eventually(async () => assert.deepEqual((await c.ctx.store.db.selectFrom('jobs').select('key').where('name', '=', MFA_SWEEP_JOB).where('state', '=', 'waiting').execute()).map((j) => j.key), [`${MFA_SWEEP_JOB}:${next}`]));
      assert.equal(rx.received.length, 2, 'one event each');
    });
  });
}
