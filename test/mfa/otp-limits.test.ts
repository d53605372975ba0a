import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { enroll, type TestApp } from './fixture.ts';
import { otherCode, pushedCode, sendOtp, verifyOtp } from './otp-fixture.ts';

for (const kind of STORES) {
  describe(`one-time codes by push: attempts, shared failures, push cap, concurrency (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let clock = Date.now();
    /** An app whose settings are `settings`, each test its own. */
    const appWith = async (settings: Record<string, number>): Promise<TestApp> => {
      const app = await c.createApp();
      const res = await c.api('PUT', `/v1/apps/${app.id}/mfa/settings`, { key: app.secretKey, body: settings });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return app;
    };
    const failuresOf = async (app: TestApp, userId: string) => (await c.api('GET', `/v1/apps/${app.id}/mfa/locks?userId=${userId}`, { key: app.secretKey })).body.failures as number;

    before(async () => {
      c = await startCarillon(kind, {}, { now: () => clock });
      sink = await startPushSink();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('otpAttempts verifies, then the code is burnt (the right one too); failures count with the other factors', async () => {
      const app = await appWith({ otpAttempts: 3, backoffAfterFailures: 20, lockAfterFailures: 6 });
      await enroll(c, sink, app, 'ana');
      const otp = await sendOtp(c, app, 'ana');
      const code = await pushedCode(sink, otp.body.otpId);
      const left = [];
      for (let i = 0; i < 3; i++) left.push((await verifyOtp(c, app, otp.body.otpId, otherCode(code))).body);
      assert.deepEqual(left, [
        { valid: false, attemptsLeft: 2, failures: 1 },
        { valid: false, attemptsLeft: 1, failures: 2 },
        { valid: false, attemptsLeft: 0, failures: 3 },
      ]);
      assert.deepEqual((await verifyOtp(c, app, otp.body.otpId, code)).body, { valid: false, reason: 'burnt' });
      assert.equal(await failuresOf(app, 'ana'), 3, 'a verify of a burnt code counts nothing');

      // A new code does not reset the user's failures, and a recovery code's count is the same count.
      await c.api('POST', `/v1/apps/${app.id}/mfa/recovery-codes`, { key: app.secretKey, body: { userId: 'ana' } });
      const recovery = await c.api('POST', `/v1/apps/${app.id}/mfa/recovery-codes/verify`, { key: app.secretKey, body: { userId: 'ana', code: 'AAAA-AAAA-AAAA-AAAA-AAAA-AAAA' } });
      assert.equal(recovery.body.failures, 4);
      const next = await sendOtp(c, app, 'ana');
      const nextCode = await pushedCode(sink, next.body.otpId);
      assert.equal((await verifyOtp(c, app, next.body.otpId, otherCode(nextCode))).body.failures, 5);
      // The sixth failure, of any factor, locks: then no code is verified, nor a new one pushed.
      assert.equal((await verifyOtp(c, app, next.body.otpId, otherCode(nextCode))).body.failures, 6);
      const locked = await verifyOtp(c, app, next.body.otpId, nextCode);
      assert.equal(locked.status, 423);
      assert.equal(locked.body.code, 'sign_in_locked');
      assert.equal((await sendOtp(c, app, 'ana')).body.code, 'sign_in_locked');
      // Once the customer resets the lock, the code (one attempt left) is good.
      await c.api('POST', `/v1/apps/${app.id}/mfa/locks/reset`, { key: app.secretKey, body: { userId: 'ana' } });
      assert.deepEqual((await verifyOtp(c, app, next.body.otpId, nextCode)).body, { valid: true });
    });

    test('the backoff after failures applies to codes as to the other factors', async () => {
      const app = await appWith({ otpAttempts: 10, backoffAfterFailures: 2, backoffBase: 30 });
      await enroll(c, sink, app, 'bob');
      const otp = await sendOtp(c, app, 'bob');
      const code = await pushedCode(sink, otp.body.otpId);
      await verifyOtp(c, app, otp.body.otpId, otherCode(code));
      await verifyOtp(c, app, otp.body.otpId, otherCode(code));
      const waiting = await verifyOtp(c, app, otp.body.otpId, code);
      assert.equal(waiting.status, 429);
      assert.equal(waiting.body.code, 'sign_in_backoff');
      assert.equal(waiting.headers['retry-after'], '30');
      clock += 30_000;
      assert.deepEqual((await verifyOtp(c, app, otp.body.otpId, code)).body, { valid: true });
    });

    test('at most otpPushesPerWindow codes within pushWindow since the last success; audited as rate limited', async () => {
      const app = await appWith({ otpPushesPerWindow: 2, pushWindow: 600 });
      await enroll(c, sink, app, 'cleo');
      const first = await sendOtp(c, app, 'cleo', 'one');
      clock += 1_000;
      assert.equal((await sendOtp(c, app, 'cleo', 'two')).status, 201);
      const refused = await sendOtp(c, app, 'cleo', 'three');
      assert.equal(refused.status, 429);
      assert.equal(refused.body.code, 'otp_push_limit');
      assert.equal(refused.headers['retry-after'], '599');
      assert.equal((await c.ctx.store.db.selectFrom('mfa_otps').select('id').where('app_id', '=', app.id).execute()).length, 2, 'nothing stored');
      const audit = (await c.api('GET', `/v1/apps/${app.id}/mfa/audit?userId=cleo`, { key: app.secretKey })).body.data;
      assert.deepEqual(audit.filter((e: any) => e.type === 'rate_limited').map((e: any) => [e.details.limit, e.tags]), [['otp_push_cap', ['T1621']]]);
      // The challenges' cap is not spent by codes.
      const ch = await c.api('POST', `/v1/apps/${app.id}/mfa/challenges`, { key: app.secretKey, body: { userId: 'cleo', context: { ip: '203.0.113.7', location: 'Lyon', userAgent: 'Firefox', appName: 'Bank', action: 'Sign in' } } });
      assert.equal(ch.status, 201, JSON.stringify(ch.body));
      // A success opens the window again.
      assert.deepEqual((await verifyOtp(c, app, first.body.otpId, await pushedCode(sink, first.body.otpId))).body, { valid: true });
      clock += 1;
      assert.equal((await sendOtp(c, app, 'cleo', 'three')).status, 201);
    });

    test('verifies at once: the right code is valid exactly once, and wrong guesses get otpAttempts between them', async () => {
      const app = await appWith({ otpAttempts: 3, backoffAfterFailures: 50, lockAfterFailures: 100 });
      await enroll(c, sink, app, 'dan');
      const otp = await sendOtp(c, app, 'dan');
      const code = await pushedCode(sink, otp.body.otpId);
      const same = await Promise.all(Array.from({ length: 6 }, () => verifyOtp(c, app, otp.body.otpId, code)));
      assert.deepEqual(same.map((r) => r.status), [200, 200, 200, 200, 200, 200]);
      assert.equal(same.filter((r) => r.body.valid === true).length, 1, JSON.stringify(same.map((r) => r.body)));
      assert.ok(same.filter((r) => !r.body.valid).every((r) => r.body.reason === 'used'), JSON.stringify(same.map((r) => r.body)));

      const guessed = await sendOtp(c, app, 'dan', 'another');
      const guessedCode = await pushedCode(sink, guessed.body.otpId);
      const guesses = await Promise.all(Array.from({ length: 8 }, (_, i) => verifyOtp(c, app, guessed.body.otpId, otherCode(String((Number(guessedCode) + i) % 1_000_000).padStart(6, '0')))));
      const counted = guesses.filter((r) => r.body.attemptsLeft !== undefined);
      assert.equal(counted.length, 3, JSON.stringify(guesses.map((r) => r.body)));
      assert.deepEqual(counted.map((r) => r.body.attemptsLeft).sort(), [0, 1, 2]);
      assert.ok(guesses.filter((r) => r.body.attemptsLeft === undefined).every((r) => r.body.reason === 'burnt'));
      const row = await c.ctx.store.db.selectFrom('mfa_otps').selectAll().where('id', '=', guessed.body.otpId).executeTakeFirstOrThrow();
      assert.deepEqual([row.status, Number(row.attempts)], ['burnt', 3]);
      assert.equal(await failuresOf(app, 'dan'), 3, 'the user’s failures: one per counted guess');
      assert.deepEqual((await verifyOtp(c, app, guessed.body.otpId, guessedCode)).body, { valid: false, reason: 'burnt' });
    });
  });
}
