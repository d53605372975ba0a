import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { enroll, type TestApp } from './fixture.ts';

for (const kind of STORES) {
  describe(`push sign-in fallbacks: TOTP, recovery codes (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: TestApp;
    // Mid-step, so that ±1 step is what the test says it is.
    let clock = Math.floor(Date.now() / 30_000) * 30_000 + 10_000;
    before(async () => {
      c = await startCarillon(kind, {}, { now: () => clock });
      sink = await startPushSink();
      app = await c.createApp();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });
    const post = (path: string, body: unknown) => c.api('POST', `/v1/apps/${app.id}/mfa/${path}`, { key: app.secretKey, body });

    test('TOTP: enroll (secret once, sealed), confirm with a first code, verify once per code, remove', async () => {
      const begun = await post('totp', { userId: 'ana' });
      assert.equal(begun.status, 201, JSON.stringify(begun.body));
      const totp = OTPAuth.URI.parse(begun.body.uri) as OTPAuth.TOTP;
      assert.deepEqual([totp.algorithm, totp.digits, totp.period, totp.secret.base32], ['SHA1', 6, 30, begun.body.secret]);
      const row = await c.ctx.store.db.selectFrom('mfa_totp').selectAll().where('app_id', '=', app.id).executeTakeFirstOrThrow();
      assert.ok(!row.secret.includes(begun.body.secret), 'the secret is sealed at rest');
      const codeAt = (ms: number) => totp.generate({ timestamp: ms });

      assert.equal((await post('totp/verify', { userId: 'ana', code: codeAt(clock) })).body.code, 'totp_not_enrolled', 'unconfirmed verifies nothing');
      const wrong = await post('totp/confirm', { userId: 'ana', code: codeAt(clock + 120_000) });
      assert.deepEqual([wrong.status, wrong.body.code, wrong.body.errors?.[0]?.pointer], [400, 'totp_confirmation_failed', '#/code']);
      const confirmed = await post('totp/confirm', { userId: 'ana', code: codeAt(clock) });
      assert.deepEqual([confirmed.status, confirmed.body], [200, { confirmed: true }]);
      // The confirming code is spent, and so is any code of an earlier step in the window.
      assert.equal((await post('totp/verify', { userId: 'ana', code: codeAt(clock) })).body.valid, false);
      assert.equal((await post('totp/verify', { userId: 'ana', code: codeAt(clock - 30_000) })).body.valid, false);
      // The next step's code is good now (one step ahead) and once only.
      const ahead = codeAt(clock + 30_000);
      assert.equal((await post('totp/verify', { userId: 'ana', code: ahead })).body.valid, true);
      clock += 30_000;
      assert.equal((await post('totp/verify', { userId: 'ana', code: ahead })).body.valid, false, 'a code used once is refused within its window');
      clock += 30_000;
      assert.equal((await post('totp/verify', { userId: 'ana', code: codeAt(clock - 30_000) })).body.valid, false, 'a step before the last taken is refused');
      assert.equal((await post('totp/verify', { userId: 'ana', code: codeAt(clock) })).body.valid, true);
      assert.equal((await post('totp/verify', { userId: 'ana', code: codeAt(clock + 90_000) })).body.valid, false, 'two steps ahead is out of the window');

      assert.equal((await post('totp', { userId: 'ana' })).body.code, 'totp_enabled');
      assert.equal((await post('totp/remove', { userId: 'ana' })).status, 204);
      assert.equal((await post('totp/verify', { userId: 'ana', code: codeAt(clock) })).body.code, 'totp_not_enrolled');
      const log = await c.api('GET', `/v1/apps/${app.id}/mfa/audit?userId=ana`, { key: app.secretKey });
      const types = log.body.data.map((e: any) => e.type);
      for (const t of ['totp_started', 'totp_confirmed', 'totp_verified', 'totp_failed', 'totp_removed']) assert.ok(types.includes(t), t);
      assert.ok(!JSON.stringify(log.body).includes(begun.body.secret), 'no secret in the audit');
    });

    test('an audit record keeps the first 512 characters of a User-Agent, not the whole header', async () => {
      const ua = `Mozilla/5.0 ${'x'.repeat(4000)}`;
      const res = await c.api('POST', `/v1/apps/${app.id}/mfa/totp`, { key: app.secretKey, body: { userId: 'uma' }, headers: { 'user-agent': ua } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const log = await c.api('GET', `/v1/apps/${app.id}/mfa/audit?userId=uma`, { key: app.secretKey });
      const started = log.body.data.find((e: any) => e.type === 'totp_started');
      assert.equal(started.userAgent, ua.slice(0, 512));
    });

    test('TOTP failures count with the user’s others and lock at the app’s limit', async () => {
      const strict = await c.createApp();
      await c.api('PUT', `/v1/apps/${strict.id}/mfa/settings`, { key: strict.secretKey, body: { lockAfterFailures: 2, backoffAfterFailures: 10 } });
      const begun = await c.api('POST', `/v1/apps/${strict.id}/mfa/totp`, { key: strict.secretKey, body: { userId: 'bo' } });
      const totp = OTPAuth.URI.parse(begun.body.uri) as OTPAuth.TOTP;
      await c.api('POST', `/v1/apps/${strict.id}/mfa/totp/confirm`, { key: strict.secretKey, body: { userId: 'bo', code: totp.generate({ timestamp: clock }) } });
      const verify = (code: string) => c.api('POST', `/v1/apps/${strict.id}/mfa/totp/verify`, { key: strict.secretKey, body: { userId: 'bo', code } });
      assert.deepEqual((await verify('000000')).body, { valid: false, failures: 1 });
      assert.deepEqual((await verify('000001')).body, { valid: false, failures: 2 });
      clock += 30_000;
      const locked = await verify(totp.generate({ timestamp: clock }));
      assert.deepEqual([locked.status, locked.body.code], [423, 'sign_in_locked']);
    });

    test('recovery codes: ten shown once, stored hashed, each good once; regenerating replaces them all', async () => {
      const made = await post('recovery-codes', { userId: 'cy' });
      assert.equal(made.status, 201);
      const codes: string[] = made.body.codes;
      assert.equal(new Set(codes).size, 10);
      for (const code of codes) assert.match(code, /^([A-Z2-7]{4}-){5}[A-Z2-7]{4}$/);
      const rows = await c.ctx.store.db.selectFrom('mfa_recovery_codes').selectAll().where('app_id', '=', app.id).where('user_id', '=', 'cy').execute();
      assert.equal(rows.length, 10);
      const stored = JSON.stringify(rows);
      for (const code of codes) assert.ok(!stored.includes(code) && !stored.includes(code.replace(/-/g, '')), 'kept hashed');

      assert.deepEqual((await post('recovery-codes/verify', { userId: 'cy', code: codes[0] })).body, { valid: true, remaining: 9 });
      assert.deepEqual((await post('recovery-codes/verify', { userId: 'cy', code: codes[0] })).body, { valid: false, remaining: 9, failures: 1 });
      // Typed in lower case without the dashes: the same code.
      assert.equal((await post('recovery-codes/verify', { userId: 'cy', code: codes[1]!.toLowerCase().replace(/-/g, ' ') })).body.valid, true);
      // Another user's code is nothing for this one.
      const other = await post('recovery-codes', { userId: 'dee' });
      assert.equal((await post('recovery-codes/verify', { userId: 'cy', code: other.body.codes[0] })).body.valid, false);

      const again = await post('recovery-codes', { userId: 'cy' });
      assert.equal((await post('recovery-codes/verify', { userId: 'cy', code: codes[2] })).body.valid, false, 'the old codes are gone');
      assert.deepEqual((await post('recovery-codes/verify', { userId: 'cy', code: again.body.codes[0] })).body, { valid: true, remaining: 9 });
    });
  });
}
