/**
 * Erasing a user (DELETE /v1/apps/{appId}/users/{externalId}) erases their push sign-in
 * rows in the same transaction; the audit is kept unlinked, as the erasure keeps
 * engagement reports: another user id, no address, no browser. A user push sign-in alone
 * knows of is found and erased as well.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { answer, challenge, enroll, wrongCode, type TestApp } from './fixture.ts';

const TABLES = ['mfa_devices', 'mfa_enrollments', 'mfa_challenges', 'mfa_user_states', 'mfa_totp', 'mfa_recovery_codes', 'mfa_otps', 'mfa_audit'] as const;

for (const kind of STORES) {
  describe(`erasing a user erases their push sign-in data (${kind})`, () => {
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

    const counts = async (app: TestApp, userId: string) => {
      const out: Record<string, number> = {};
      for (const t of TABLES) out[t] = (await c.ctx.store.db.selectFrom(t as 'mfa_totp').select('app_id').where('app_id', '=', app.id).where('user_id', '=', userId).execute()).length;
      return out;
    };
    /** A user with everything push sign-in keeps: a device, challenges, a failure, TOTP, recovery codes, audit. */
    async function signedUp(app: TestApp, userId: string) {
      const device = await enroll(c, sink, app, userId);
      const ch = await challenge(c, app, userId);
      assert.equal((await answer(c, app, device, ch.body.challengeId, 'approve', wrongCode(ch.body.code), clock)).res.body.failures, 1);
      assert.equal((await challenge(c, app, userId)).status, 201);
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/mfa/totp`, { key: app.secretKey, body: { userId } })).status, 201);
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/mfa/recovery-codes`, { key: app.secretKey, body: { userId } })).status, 201);
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/mfa/otp`, { key: app.secretKey, body: { userId, purpose: 'sign in' } })).status, 201);
      return device;
    }

    test('devices, challenges, defences, TOTP and recovery codes go; the audit stays, unlinked; another user keeps all', async () => {
      const app = await c.createApp();
      const device = await signedUp(app, 'ana');
      await signedUp(app, 'bo');
      const before = await counts(app, 'ana');
      for (const t of TABLES) assert.ok(before[t]! > 0, `${t} has rows of the user before`);
      const bo = await counts(app, 'bo');
      const otpNote = (await c.ctx.store.db.selectFrom('mfa_otps').select('notification_id').where('app_id', '=', app.id).where('user_id', '=', 'ana').executeTakeFirstOrThrow()).notification_id!;
      const noteContent = async () => JSON.parse((await c.ctx.store.db.selectFrom('notifications').select('content').where('id', '=', otpNote).executeTakeFirstOrThrow()).content);
      assert.match((await noteContent()).data.code, /^[0-9]{6}$/, 'the live code is in its notification, for delivery');
      const auditIds = (await c.ctx.store.db.selectFrom('mfa_audit').select('id').where('app_id', '=', app.id).where('user_id', '=', 'ana').execute()).map((r) => r.id);

      const erased = await c.api('DELETE', `/v1/apps/${app.id}/users/ana`, { key: app.secretKey });
      assert.equal(erased.status, 204, JSON.stringify(erased.body));

      assert.deepEqual(await counts(app, 'ana'), Object.fromEntries(TABLES.map((t) => [t, 0])));
      assert.equal((await noteContent()).data, undefined, 'the erased user\'s one-time code is gone from its notification');
      assert.deepEqual(await counts(app, 'bo'), bo, 'another user’s rows are untouched');
      const nonces = await c.ctx.store.db.selectFrom('mfa_nonces').select('nonce').where('device_id', '=', device.id).execute();
      assert.equal(nonces.length, 0, 'the device’s spent nonces go with it');
      const kept = await c.ctx.store.db.selectFrom('mfa_audit').selectAll().where('id', 'in', auditIds).execute();
      assert.equal(kept.length, auditIds.length, 'the audit is kept');
      assert.equal(new Set(kept.map((r) => r.user_id)).size, 1, 'one stand-in for the erased user');
      assert.match(kept[0]!.user_id, /^erased_/);
      assert.ok(kept.every((r) => r.ip === null && r.user_agent === null), 'no address or browser left');
      assert.deepEqual((await c.api('GET', `/v1/apps/${app.id}/mfa/audit?userId=ana`, { key: app.secretKey })).body.data, []);
      assert.deepEqual((await c.api('GET', `/v1/apps/${app.id}/mfa/devices?userId=ana`, { key: app.secretKey })).body.data, []);
    });

    test('a user known to push sign-in only (no users row, no subscription) is erased too; an unknown one is still user_not_found', async () => {
      const app = await c.createApp();
      // A TOTP authenticator, recovery codes and an enrollment not yet used: nothing outside MFA names the user.
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/mfa/totp`, { key: app.secretKey, body: { userId: 'cleo' } })).status, 201);
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/mfa/recovery-codes`, { key: app.secretKey, body: { userId: 'cleo' } })).status, 201);
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/mfa/enrollments`, { key: app.secretKey, body: { userId: 'cleo' } })).status, 201);
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/mfa/recovery-codes/verify`, { key: app.secretKey, body: { userId: 'cleo', code: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF' } })).body.valid, false);
      assert.equal((await c.ctx.store.db.selectFrom('users').select('seq').where('app_id', '=', app.id).where('external_id', '=', 'cleo').execute()).length, 0, 'no users row');
      assert.equal((await c.ctx.store.db.selectFrom('subscriptions').select('id').where('app_id', '=', app.id).where('user_id', '=', 'cleo').execute()).length, 0, 'no subscription');
      const before = await counts(app, 'cleo');
      for (const t of ['mfa_enrollments', 'mfa_user_states', 'mfa_totp', 'mfa_recovery_codes', 'mfa_audit']) assert.ok(before[t]! > 0, `${t} has rows of the user before`);
      const auditIds = (await c.ctx.store.db.selectFrom('mfa_audit').select('id').where('app_id', '=', app.id).where('user_id', '=', 'cleo').execute()).map((r) => r.id);

      const erased = await c.api('DELETE', `/v1/apps/${app.id}/users/cleo`, { key: app.secretKey });
      assert.equal(erased.status, 204, JSON.stringify(erased.body));
      assert.deepEqual(await counts(app, 'cleo'), Object.fromEntries(TABLES.map((t) => [t, 0])));
      const kept = await c.ctx.store.db.selectFrom('mfa_audit').selectAll().where('id', 'in', auditIds).execute();
      assert.equal(kept.length, auditIds.length, 'the audit is kept, unlinked');
      assert.ok(kept.every((r) => /^erased_/.test(r.user_id) && r.ip === null && r.user_agent === null));
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/mfa/totp/verify`, { key: app.secretKey, body: { userId: 'cleo', code: '123456' } })).body.code, 'totp_not_enrolled');

      const again = await c.api('DELETE', `/v1/apps/${app.id}/users/cleo`, { key: app.secretKey });
      assert.equal(again.status, 404, 'nothing of the user left to erase');
      assert.equal(again.body.code, 'user_not_found');
    });
  });
}
