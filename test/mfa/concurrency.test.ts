/**
 * Fallback requests sent at once: guesses are checked one after the other under the user's
 * row lock (the backoff and the lock hold for each), and two enrollments of a TOTP secret
 * or two generations of recovery codes leave one state, never a mix or an error.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import type { TestApp } from './fixture.ts';

for (const kind of STORES) {
  describe(`push sign-in fallbacks under concurrent requests (${kind})`, () => {
    let c: TestCarillon;
    // Mid-step, so that the confirming code is the current step's.
    const clock = Math.floor(Date.now() / 30_000) * 30_000 + 10_000;
    before(async () => {
      c = await startCarillon(kind, {}, { now: () => clock });
    });
    after(async () => {
      await c.stop();
    });
    const post = (app: TestApp, path: string, body: unknown) => c.api('POST', `/v1/apps/${app.id}/mfa/${path}`, { key: app.secretKey, body });
    const failuresOf = async (app: TestApp, userId: string) => (await c.api('GET', `/v1/apps/${app.id}/mfa/locks?userId=${userId}`, { key: app.secretKey })).body.failures;

    /** An app that backs off after 3 failures and locks only after 50. */
    async function strictApp(): Promise<TestApp> {
      const app = await c.createApp();
      const put = await c.api('PUT', `/v1/apps/${app.id}/mfa/settings`, { key: app.secretKey, body: { backoffAfterFailures: 3, lockAfterFailures: 50 } });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      return app;
    }

    /** Of `results`, `evaluated` were checked (a wrong code, counted) and the rest refused by the backoff. */
    function assertBackedOff(results: { status: number; headers: Record<string, unknown>; body: any }[], evaluated: number): void {
      const checked = results.filter((r) => r.status === 200);
      const refused = results.filter((r) => r.status === 429);
      assert.equal(checked.length, evaluated, JSON.stringify(results.map((r) => r.body)));
      assert.ok(checked.every((r) => r.body.valid === false));
      assert.deepEqual(checked.map((r) => r.body.failures).sort(), Array.from({ length: evaluated }, (_, i) => i + 1), 'each guess saw the failures of those before it');
      assert.equal(refused.length, results.length - evaluated);
      assert.ok(refused.every((r) => r.body.code === 'sign_in_backoff' && Number(r.headers['retry-after']) >= 1), JSON.stringify(refused.map((r) => r.body)));
    }

    test('wrong TOTP codes sent at once: only those the backoff allows are checked, the failures counted exactly', async () => {
      const app = await strictApp();
      const begun = await post(app, 'totp', { userId: 'ana' });
      const totp = OTPAuth.URI.parse(begun.body.uri) as OTPAuth.TOTP;
      assert.equal((await post(app, 'totp/confirm', { userId: 'ana', code: totp.generate({ timestamp: clock }) })).status, 200);
      const right = totp.generate({ timestamp: clock + 30_000 });
      const wrong = Array.from({ length: 8 }, (_, i) => String((Number(right) + 1 + i) % 1_000_000).padStart(6, '0'));
      assertBackedOff(await Promise.all(wrong.map((code) => post(app, 'totp/verify', { userId: 'ana', code }))), 3);
      assert.equal(await failuresOf(app, 'ana'), 3);
      const later = await post(app, 'totp/verify', { userId: 'ana', code: right });
      assert.equal(later.body.code, 'sign_in_backoff', 'the right code waits too');
    });

    test('wrong recovery codes sent at once: only those the backoff allows are checked, the failures counted exactly', async () => {
      const app = await strictApp();
      assert.equal((await post(app, 'recovery-codes', { userId: 'bo' })).status, 201);
      const guesses = Array.from({ length: 8 }, (_, i) => `AAAA-AAAA-AAAA-AAAA-AAAA-AAA${'BCDEFGHI'[i]}`);
      assertBackedOff(await Promise.all(guesses.map((code) => post(app, 'recovery-codes/verify', { userId: 'bo', code }))), 3);
      assert.equal(await failuresOf(app, 'bo'), 3);
      const log = await c.api('GET', `/v1/apps/${app.id}/mfa/audit?userId=bo`, { key: app.secretKey });
      assert.equal(log.body.data.filter((e: any) => e.type === 'recovery_code_failed').length, 3);
    });

    test('two TOTP enrollments at once: both answered, one secret pending, and only its code confirms', async () => {
      const app = await c.createApp();
      const both = await Promise.all([0, 1].map(() => post(app, 'totp', { userId: 'cy' })));
      assert.deepEqual(both.map((r) => r.status), [201, 201], JSON.stringify(both.map((r) => r.body)));
      const rows = await c.ctx.store.db.selectFrom('mfa_totp').select(['secret', 'confirmed_at']).where('app_id', '=', app.id).where('user_id', '=', 'cy').execute();
      assert.equal(rows.length, 1);
      const pending = c.ctx.secrets.open(rows[0]!.secret, `app:${app.id}:mfa:totp:cy`);
      const [kept, replaced] = [both.find((r) => r.body.secret === pending), both.find((r) => r.body.secret !== pending)];
      assert.ok(kept && replaced, 'the secret pending is one of the two given');
      const confirm = (r: typeof kept) => post(app, 'totp/confirm', { userId: 'cy', code: (OTPAuth.URI.parse(r.body.uri) as OTPAuth.TOTP).generate({ timestamp: clock }) });
      assert.equal((await confirm(replaced)).body.code, 'totp_confirmation_failed', 'the replaced secret confirms nothing');
      assert.deepEqual((await confirm(kept)).body, { confirmed: true });
    });

    test('two generations of recovery codes at once: ten codes stored, all of one set', async () => {
      const app = await c.createApp();
      const both = await Promise.all([0, 1].map(() => post(app, 'recovery-codes', { userId: 'dee' })));
      assert.deepEqual(both.map((r) => r.status), [201, 201], JSON.stringify(both.map((r) => r.body)));
      const rows = await c.ctx.store.db.selectFrom('mfa_recovery_codes').select('id').where('app_id', '=', app.id).where('user_id', '=', 'dee').execute();
      assert.equal(rows.length, 10);
      const firsts = await Promise.all(both.map((r) => post(app, 'recovery-codes/verify', { userId: 'dee', code: r.body.codes[0] })));
      assert.deepEqual(firsts.map((r) => r.body.valid).sort(), [false, true], 'one set is kept whole, the other is gone');
      const kept = both[firsts.findIndex((r) => r.body.valid)]!.body.codes as string[];
      assert.equal((await post(app, 'recovery-codes/verify', { userId: 'dee', code: kept[9] })).body.remaining, 8);
    });
  });
}
