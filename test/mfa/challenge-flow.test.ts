import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { eventually } from '../support/eventually.ts';
import { newDevice, nonce } from './device.ts';
import { CONTEXT, answer, challenge, enroll, wrongCode, type TestApp } from './fixture.ts';

for (const kind of STORES) {
  describe(`push sign-in: enrollment, challenge, signed answer (${kind})`, () => {
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

    test('enrollment: single-use hashed token, a real P-256 public key, the other devices told', async () => {
      const e = await c.api('POST', `/v1/apps/${app.id}/mfa/enrollments`, { key: app.secretKey, body: { userId: 'ana' } });
      assert.equal(e.status, 201);
      assert.match(e.body.token, /^crl_mfe_/);
      assert.ok(e.body.uri.startsWith('carillon-mfa://enroll?'), e.body.uri);
      assert.equal(new URL(e.body.uri).searchParams.get('token'), e.body.token);
      assert.ok(Date.parse(e.body.expiresAt) - clock <= 600_000);
      const stored = await c.ctx.store.db.selectFrom('mfa_enrollments').selectAll().execute();
      assert.ok(stored.every((r) => r.token_hash !== e.body.token && !JSON.stringify(r).includes(e.body.token)), 'the token is kept hashed');

      const device = await newDevice();
      const s = sink.subscribe();
      const body = { token: e.body.token, publicKey: device.publicJwk, name: 'Ana’s phone', subscription: { channel: 'webpush', endpoint: s.endpoint, keys: s.keys } };
      // A private member, a point off the curve, another curve: refused with a pointer; the token stays usable.
      const withD = await c.api('POST', `/v1/apps/${app.id}/mfa/devices`, { body: { ...body, publicKey: { ...device.publicJwk, d: 'A'.repeat(43) } } });
      assert.equal(withD.status, 400);
      assert.equal(withD.body.code, 'device_key_invalid');
      assert.equal(withD.body.pointer, '#/publicKey/d');
      const offCurve = await c.api('POST', `/v1/apps/${app.id}/mfa/devices`, { body: { ...body, publicKey: { ...device.publicJwk, y: Buffer.alloc(32, 7).toString('base64url') } } });
      assert.equal(offCurve.body.code, 'device_key_invalid', JSON.stringify(offCurve.body));
      const p384 = await c.api('POST', `/v1/apps/${app.id}/mfa/devices`, { body: { ...body, publicKey: { ...device.publicJwk, crv: 'P-384' } } });
      assert.equal(p384.body.pointer, '#/publicKey/crv');
      // The subscription goes through the subscription rules.
      const badKeys = await c.api('POST', `/v1/apps/${app.id}/mfa/devices`, { body: { ...body, subscription: { channel: 'webpush', endpoint: s.endpoint, keys: { p256dh: 'AAAA', auth: 'BBBB' } } } });
      assert.equal(badKeys.body.code, 'invalid_subscription_keys', JSON.stringify(badKeys.body));
      assert.equal(await c.ctx.store.db.selectFrom('mfa_devices').select('id').execute().then((r) => r.length), 0, 'nothing stored');

      const ok = await c.api('POST', `/v1/apps/${app.id}/mfa/devices`, { body });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.deepEqual(ok.body.publicKey, { kty: 'EC', crv: 'P-256', x: device.publicJwk.x, y: device.publicJwk.y });
      const again = await c.api('POST', `/v1/apps/${app.id}/mfa/devices`, { body });
      assert.equal(again.status, 401);
      assert.equal(again.body.code, 'enrollment_token_invalid');

      // An expired token is refused.
      const late = await c.api('POST', `/v1/apps/${app.id}/mfa/enrollments`, { key: app.secretKey, body: { userId: 'ana' } });
      clock += 600_001;
      const expired = await c.api('POST', `/v1/apps/${app.id}/mfa/devices`, { body: { ...body, token: late.body.token } });
      assert.equal(expired.body.code, 'enrollment_token_invalid');

      // A second device: the first is told, with ids only.
      const second = await enroll(c, sink, app, 'ana', 'Tablet');
      const told = await eventually(() => {
        const got = sink.received.find((r) => (r.json as any)?.notification?.data?.mfa === 'enrolled');
        assert.ok(got, JSON.stringify(sink.received.map((r) => [r.subscriptionId, r.json])));
        return got;
      }, 10_000);
      assert.equal(told.subscriptionId, s.id);
      assert.equal((told.json as any).notification.data.deviceId, second.id);
      const list = await c.api('GET', `/v1/apps/${app.id}/mfa/devices?userId=ana`, { key: app.secretKey });
      assert.deepEqual(list.body.data.map((d: any) => d.name), ['Ana’s phone', 'Tablet']);
      // The customer's routes take the secret key, not the publishable one.
      const pk = await c.api('POST', `/v1/apps/${app.id}/mfa/enrollments`, { key: app.publishableKey, body: { userId: 'ana' } });
      assert.equal(pk.status, 403);
    });

    test('challenge: a 6-digit code, an urgent push with ids only, signed details, approval with the code', async () => {
      const device = await enroll(c, sink, app, 'bob');
      const res = await challenge(c, app, 'bob');
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const { challengeId, code, expiresAt } = res.body;
      assert.match(code, /^[0-9]{6}$/);
      assert.equal(Date.parse(expiresAt), clock + 120_000);
      const row = await c.ctx.store.db.selectFrom('mfa_challenges').selectAll().where('id', '=', challengeId).executeTakeFirstOrThrow();
      assert.ok(!row.code_hash.includes(code), 'the code is kept hashed');

      const push = await eventually(() => {
        const got = sink.received.find((r) => (r.json as any)?.notification?.data?.challengeId === challengeId);
        assert.ok(got, JSON.stringify(sink.received.map((r) => [r.subscriptionId, r.json])));
        return got;
      }, 10_000);
      assert.equal(push.subscriptionId, device.sinkId);
      assert.equal(push.headers.urgency, 'high');
      assert.ok(!push.plaintext.includes(code), 'no code in the push');
      for (const v of Object.values(CONTEXT)) assert.ok(!push.plaintext.includes(v), `no context (${v}) in the push`);

      // Details: signed, once per nonce.
      const detailsJws = await device.sign({ challengeId, nonce: nonce(), exp: Math.floor(clock / 1000) + 60, purpose: 'details' });
      const details = await c.api('POST', `/v1/apps/${app.id}/mfa/challenges/${challengeId}/details`, { body: { request: detailsJws } });
      assert.equal(details.status, 200, JSON.stringify(details.body));
      assert.deepEqual(details.body.context, CONTEXT);
      assert.ok(!JSON.stringify(details.body).includes(code));
      const replay = await c.api('POST', `/v1/apps/${app.id}/mfa/challenges/${challengeId}/details`, { body: { request: detailsJws } });
      assert.equal(replay.status, 409);
      assert.equal(replay.body.code, 'signed_request_replayed');

      // A forged answer (another key claiming the device's kid) changes nothing.
      const forger = await newDevice();
      const forgedJws = await forger.sign({ challengeId, nonce: nonce(), purpose: 'answer', decision: 'approve', code, exp: Math.floor(clock / 1000) + 60 }, { kid: device.id });
      const forged = await c.api('POST', `/v1/apps/${app.id}/mfa/challenges/${challengeId}/answer`, { body: { answer: forgedJws } });
      assert.equal(forged.status, 401);
      assert.equal(forged.body.code, 'device_signature_invalid');
      // A details request is no answer.
      const asAnswer = await c.api('POST', `/v1/apps/${app.id}/mfa/challenges/${challengeId}/answer`, { body: { answer: await device.sign({ challengeId, nonce: nonce(), exp: Math.floor(clock / 1000) + 60, purpose: 'details' }) } });
      assert.equal(asAnswer.body.code, 'device_signature_invalid');
      // An exp too far ahead is refused.
      const longLived = await answer(c, app, device, challengeId, 'approve', code, clock + 3_600_000);
      assert.equal(longLived.res.body.code, 'signed_request_expired');
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/mfa/challenges/${challengeId}`, { key: app.secretKey })).body.status, 'pending');

      const ok = await answer(c, app, device, challengeId, 'approve', code, clock);
      assert.equal(ok.res.status, 200, JSON.stringify(ok.res.body));
      assert.equal(ok.res.body.status, 'approved');
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/mfa/challenges/${challengeId}`, { key: app.secretKey })).body.status, 'approved');
      // The same answer again is a replay; a new one to the same challenge finds it closed.
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/mfa/challenges/${challengeId}/answer`, { body: { answer: ok.jws } })).body.code, 'signed_request_replayed');
      const second = await answer(c, app, device, challengeId, 'approve', code, clock);
      assert.equal(second.res.status, 409);
      assert.equal(second.res.body.code, 'challenge_closed');
      assert.equal(second.res.body.challengeStatus, 'approved');
    });

    test('a new challenge supersedes the pending one and says so; an answer after expiry is refused', async () => {
      const device = await enroll(c, sink, app, 'cleo');
      const first = await challenge(c, app, 'cleo');
      const next = await challenge(c, app, 'cleo');
      assert.equal(next.body.supersedes, first.body.challengeId);
      const old = await c.api('GET', `/v1/apps/${app.id}/mfa/challenges/${first.body.challengeId}`, { key: app.secretKey });
      assert.deepEqual([old.body.status, old.body.reason], ['expired', 'superseded']);
      const late = await answer(c, app, device, first.body.challengeId, 'approve', first.body.code, clock);
      assert.equal(late.res.body.code, 'challenge_closed');

      clock += 120_001;
      const afterExpiry = await answer(c, app, device, next.body.challengeId, 'approve', next.body.code, clock);
      assert.equal(afterExpiry.res.status, 409);
      assert.equal(afterExpiry.res.body.challengeStatus, 'expired');
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/mfa/challenges/${next.body.challengeId}`, { key: app.secretKey })).body.status, 'expired');
    });

    test('a wrong code is a failure and ends the challenge; a revoked device signs nothing more', async () => {
      const device = await enroll(c, sink, app, 'dan');
      const ch = await challenge(c, app, 'dan');
      const wrong = await answer(c, app, device, ch.body.challengeId, 'approve', wrongCode(ch.body.code), clock);
      assert.equal(wrong.res.status, 200);
      assert.deepEqual([wrong.res.body.status, wrong.res.body.reason, wrong.res.body.failures], ['denied', 'wrong_code', 1]);
      const again = await answer(c, app, device, ch.body.challengeId, 'approve', ch.body.code, clock);
      assert.equal(again.res.body.code, 'challenge_closed');

      const del = await c.api('DELETE', `/v1/apps/${app.id}/mfa/devices/${device.id}`, { key: app.secretKey });
      assert.equal(del.status, 204);
      const none = await challenge(c, app, 'dan');
      assert.equal(none.status, 409);
      assert.equal(none.body.code, 'no_enrolled_device');
    });
  });
}
