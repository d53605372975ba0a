import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { eventually } from '../support/eventually.ts';
import { enroll, type TestApp } from './fixture.ts';
import { otherCode, otpPush, pushedCode, sendOtp, verifyOtp } from './otp-fixture.ts';

for (const kind of STORES) {
  describe(`one-time codes by push (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: TestApp;
    let clock = Date.now();

    before(async () => {
      c = await startCarillon(kind, {}, { now: () => clock });
      sink = await startPushSink();
      app = await c.createApp();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('a 6-digit code pushed on the urgent lane to the enrolled devices, kept as an HMAC, valid once', async () => {
      const phone = await enroll(c, sink, app, 'ana', 'Phone');
      const tablet = await enroll(c, sink, app, 'ana', 'Tablet');
      const revoked = await enroll(c, sink, app, 'ana', 'Old phone');
      assert.equal((await c.api('DELETE', `/v1/apps/${app.id}/mfa/devices/${revoked.id}`, { key: app.secretKey })).status, 204);

      const res = await sendOtp(c, app, 'ana', 'sign in to Example Bank');
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const { otpId, expiresAt, superseded } = res.body;
      assert.equal(Date.parse(expiresAt), clock + 300_000, 'otpLifetime: 300 s by default');
      assert.equal(superseded, null);

      const push = await otpPush(sink, otpId);
      const code = push.json.notification.data.code as string;
      assert.match(code, /^[0-9]{6}$/);
      assert.equal(push.headers.urgency, 'high');
      assert.equal(push.json.notification.body, `Your code for sign in to Example Bank: ${code}`);
      await eventually(() => {
        const reached = sink.received.filter((r) => (r.json as any)?.notification?.data?.otpId === otpId).map((r) => r.subscriptionId).sort();
        assert.deepEqual(reached, [phone.sinkId, tablet.sinkId].sort(), 'the enrolled devices, not the revoked one');
      }, 10_000);

      const row = await c.ctx.store.db.selectFrom('mfa_otps').selectAll().where('id', '=', otpId).executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify(row).includes(code), 'the code is not stored');
      assert.equal(row.code_hash.length, 22, 'a 128-bit HMAC tag');

      const wrong = await verifyOtp(c, app, otpId, otherCode(code));
      assert.equal(wrong.status, 200);
      assert.deepEqual(wrong.body, { valid: false, attemptsLeft: 4, failures: 1 });
      const ok = await verifyOtp(c, app, otpId, code);
      assert.deepEqual(ok.body, { valid: true });
      const again = await verifyOtp(c, app, otpId, code);
      assert.deepEqual(again.body, { valid: false, reason: 'used' });

      // Once used, the stored notification no longer holds the code.
      const stored = await c.ctx.store.db.selectFrom('notifications').select('content').where('id', '=', row.notification_id!).executeTakeFirstOrThrow();
      assert.ok(!stored.content.includes(code), stored.content);
      assert.match(stored.content, /no longer valid/);

      // The audit tells the story, without the code.
      const log = await c.api('GET', `/v1/apps/${app.id}/mfa/audit?userId=ana`, { key: app.secretKey });
      // (All at one instant on the test clock: compared as a set.)
      const types = log.body.data.filter((e: any) => e.details.otpId === otpId).map((e: any) => e.type).sort();
      assert.deepEqual(types, ['otp_created', 'otp_failed', 'otp_pushed', 'otp_verified']);
      assert.ok(!JSON.stringify(log.body).includes(code), 'no code in the audit');
      // A success resets the failures shared with the other factors.
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/mfa/locks?userId=ana`, { key: app.secretKey })).body.failures, 0);

      // The customer's routes take the secret key.
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/mfa/otp`, { key: app.publishableKey, body: { userId: 'ana', purpose: 'x' } })).status, 403);
    });

    test('a code verifies only for the user it was sent to, and the API never shows it in the notification it went in', async () => {
      await enroll(c, sink, app, 'bob', 'Phone');
      const res = await sendOtp(c, app, 'bob', 'approve a payment');
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const { otpId } = res.body;
      const code = await pushedCode(sink, otpId);

      const swapped = await verifyOtp(c, app, otpId, code, 'ana');
      assert.equal(swapped.status, 404, JSON.stringify(swapped.body));
      assert.equal(swapped.body.code, 'otp_not_found');
      const row = await c.ctx.store.db.selectFrom('mfa_otps').select(['attempts', 'status', 'notification_id']).where('id', '=', otpId).executeTakeFirstOrThrow();
      assert.deepEqual([Number(row.attempts), row.status], [0, 'pending'], 'another user\'s try spends nothing');

      // The row keeps the code for delivery's retries while it lives; what the API answers does not.
      const note = await c.api('GET', `/v1/apps/${app.id}/notifications/${row.notification_id}`, { key: app.secretKey });
      assert.equal(note.status, 200);
      assert.ok(!JSON.stringify(note.body).includes(code), JSON.stringify(note.body.content));
      assert.equal(note.body.content.body, 'Your code for approve a payment: (hidden)');

      assert.deepEqual((await verifyOtp(c, app, otpId, code, 'bob')).body, { valid: true });
    });

    test('8 digits on request; the purpose is one line of plain text; no device, no code', async () => {
      await enroll(c, sink, app, 'bob');
      const eight = await sendOtp(c, app, 'bob', 'confirm a transfer', { length: 8 });
      assert.equal(eight.status, 201, JSON.stringify(eight.body));
      assert.match(await pushedCode(sink, eight.body.otpId), /^[0-9]{8}$/);

      const before = await c.ctx.store.db.selectFrom('mfa_otps').select('id').execute();
      for (const [body, pointer] of [
        [{ userId: 'bob', purpose: 'sign in\nto evil' }, '#/purpose'],
        [{ userId: 'bob', purpose: 'pay \u202Eknab' }, '#/purpose'],
        [{ userId: 'bob', purpose: '   ' }, '#/purpose'],
        [{ userId: 'bob', purpose: 'x'.repeat(65) }, '#/purpose'],
        [{ userId: 'bob', purpose: 'ok', length: 9 }, '#/length'],
        [{ userId: 'bob', purpose: 'ok', length: 5 }, '#/length'],
      ] as const) {
        const res = await c.api('POST', `/v1/apps/${app.id}/mfa/otp`, { key: app.secretKey, body });
        assert.equal(res.status, 400, JSON.stringify([body, res.body]));
        assert.equal(res.body.errors[0].pointer, pointer, JSON.stringify(res.body));
      }
      const badCode = await verifyOtp(c, app, eight.body.otpId, '12ab5678');
      assert.equal(badCode.status, 400);
      assert.equal(badCode.body.errors[0].pointer, '#/code');
      assert.deepEqual(await c.ctx.store.db.selectFrom('mfa_otps').select('id').execute(), before, 'nothing stored');
      const row = await c.ctx.store.db.selectFrom('mfa_otps').select('attempts').where('id', '=', eight.body.otpId).executeTakeFirstOrThrow();
      assert.equal(Number(row.attempts), 0, 'a malformed code spends no attempt');

      const nobody = await sendOtp(c, app, 'nobody');
      assert.equal(nobody.status, 409);
      assert.equal(nobody.body.code, 'no_enrolled_device');
      const unknown = await verifyOtp(c, app, 'mfo_nope', '123456');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.code, 'otp_not_found');
    });

    test('a new code for the same purpose supersedes the pending one; another purpose does not', async () => {
      await enroll(c, sink, app, 'cleo');
      const first = await sendOtp(c, app, 'cleo', 'sign in');
      // Read off the device before it is superseded: a push still undelivered by then goes out without the code.
      const firstCode = await pushedCode(sink, first.body.otpId);
      const other = await sendOtp(c, app, 'cleo', 'confirm a payment');
      assert.equal(other.body.superseded, null);
      const next = await sendOtp(c, app, 'cleo', 'sign in');
      assert.equal(next.status, 201);
      assert.equal(next.body.superseded, first.body.otpId);
      assert.deepEqual((await verifyOtp(c, app, first.body.otpId, firstCode)).body, { valid: false, reason: 'superseded' });
      assert.deepEqual((await verifyOtp(c, app, other.body.otpId, await pushedCode(sink, other.body.otpId))).body, { valid: true });
      assert.deepEqual((await verifyOtp(c, app, next.body.otpId, await pushedCode(sink, next.body.otpId))).body, { valid: true });
      const types = (await c.api('GET', `/v1/apps/${app.id}/mfa/audit?userId=cleo`, { key: app.secretKey })).body.data.map((e: any) => [e.type, e.details.otpId]);
      assert.ok(types.some(([t, id]: [string, string]) => t === 'otp_superseded' && id === first.body.otpId), JSON.stringify(types));
    });

    test('a code lives otpLifetime (at most 10 minutes), then verifies nothing', async () => {
      await enroll(c, sink, app, 'dan');
      const res = await sendOtp(c, app, 'dan');
      const code = await pushedCode(sink, res.body.otpId);
      clock += 300_000;
      assert.deepEqual((await verifyOtp(c, app, res.body.otpId, code)).body, { valid: false, reason: 'expired' });
      const audit = (await c.api('GET', `/v1/apps/${app.id}/mfa/audit?userId=dan`, { key: app.secretKey })).body.data;
      assert.deepEqual(audit.filter((e: any) => e.type === 'otp_expired').map((e: any) => e.details.otpId), [res.body.otpId]);

      const tooLong = await c.api('PUT', `/v1/apps/${app.id}/mfa/settings`, { key: app.secretKey, body: { otpLifetime: 601 } });
      assert.equal(tooLong.status, 400);
      assert.equal(tooLong.body.errors[0].pointer, '#/otpLifetime');
      const longest = await c.createApp();
      assert.equal((await c.api('PUT', `/v1/apps/${longest.id}/mfa/settings`, { key: longest.secretKey, body: { otpLifetime: 600 } })).status, 200);
      await enroll(c, sink, longest, 'dan');
      const tenMinutes = await sendOtp(c, longest, 'dan');
      assert.equal(Date.parse(tenMinutes.body.expiresAt), clock + 600_000);
      const longCode = await pushedCode(sink, tenMinutes.body.otpId);
      clock += 599_999;
      assert.deepEqual((await verifyOtp(c, longest, tenMinutes.body.otpId, longCode)).body, { valid: true });
    });
  });
}
