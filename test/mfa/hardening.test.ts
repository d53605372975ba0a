import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { newDevice, nonce } from './device.ts';
import { answer, challenge, enroll, type TestApp } from './fixture.ts';

for (const kind of STORES) {
  describe(`push sign-in hardening (${kind})`, () => {
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

    test('challenges created at once pass the push cap one at a time and leave one pending', async () => {
      const capped = await c.createApp();
      assert.equal((await c.api('PUT', `/v1/apps/${capped.id}/mfa/settings`, { key: capped.secretKey, body: { pushesPerWindow: 2 } })).status, 200);
      await enroll(c, sink, capped, 'gus');
      const all = await Promise.all(Array.from({ length: 8 }, () => challenge(c, capped, 'gus')));
      const statuses = all.map((r) => r.status).sort();
      assert.deepEqual(statuses, [201, 201, 429, 429, 429, 429, 429, 429], JSON.stringify(all.map((r) => r.body)));
      assert.ok(all.filter((r) => r.status === 429).every((r) => r.body.code === 'sign_in_push_limit'));
      const rows = await c.ctx.store.db.selectFrom('mfa_challenges').select(['status']).where('app_id', '=', capped.id).where('user_id', '=', 'gus').execute();
      assert.equal(rows.length, 2, 'nothing stored for a refused challenge');
      assert.equal(rows.filter((r) => r.status === 'pending').length, 1, 'one pending challenge per user');
    });

    test('an answer must sign purpose "answer": a details signature carrying a decision and the code is refused', async () => {
      const device = await enroll(c, sink, app, 'hal');
      const ch = await challenge(c, app, 'hal');
      const { challengeId, code } = ch.body;
      const exp = Math.floor(clock / 1000) + 60;
      for (const payload of [
        { challengeId, nonce: nonce(), exp, purpose: 'details', decision: 'approve', code },
        { challengeId, nonce: nonce(), exp, decision: 'approve', code },
      ]) {
        const res = await c.api('POST', `/v1/apps/${app.id}/mfa/challenges/${challengeId}/answer`, { body: { answer: await device.sign(payload) } });
        assert.equal(res.status, 401, JSON.stringify(res.body));
        assert.equal(res.body.code, 'device_signature_invalid');
      }
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/mfa/challenges/${challengeId}`, { key: app.secretKey })).body.status, 'pending');
      const ok = await answer(c, app, device, challengeId, 'approve', code, clock);
      assert.equal(ok.res.body.status, 'approved');
    });

    test('a signed request refused is spent all the same: sent again, where it would be taken, it is a replay', async () => {
      const device = await enroll(c, sink, app, 'hugo');
      const ch = await challenge(c, app, 'hugo');
      const { challengeId, code } = ch.body;
      const exp = Math.floor(clock / 1000) + 60;
      // A details request sent as an answer, then where it belongs.
      const details = await device.sign({ challengeId, nonce: nonce(), exp, purpose: 'details' });
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/mfa/challenges/${challengeId}/answer`, { body: { answer: details } })).body.code, 'device_signature_invalid');
      const again = await c.api('POST', `/v1/apps/${app.id}/mfa/challenges/${challengeId}/details`, { body: { request: details } });
      assert.equal(again.status, 409, JSON.stringify(again.body));
      assert.equal(again.body.code, 'signed_request_replayed');
      // An answer to a challenge already closed (superseded), then to the challenge that replaced it.
      const next = await challenge(c, app, 'hugo');
      const late = await device.sign({ challengeId, nonce: nonce(), exp, purpose: 'answer', decision: 'approve', code });
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/mfa/challenges/${challengeId}/answer`, { body: { answer: late } })).body.code, 'challenge_closed');
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/mfa/challenges/${challengeId}/answer`, { body: { answer: late } })).body.code, 'signed_request_replayed');
      // The viewed audit is written with its nonce: one record for the one details request taken.
      const viewed = await c.api('POST', `/v1/apps/${app.id}/mfa/challenges/${next.body.challengeId}/details`, { body: { request: await device.sign({ challengeId: next.body.challengeId, nonce: nonce(), exp, purpose: 'details' }) } });
      assert.equal(viewed.status, 200, JSON.stringify(viewed.body));
      const audit = await c.api('GET', `/v1/apps/${app.id}/mfa/audit?userId=hugo`, { key: app.secretKey });
      assert.deepEqual(audit.body.data.filter((e: { type: string }) => e.type === 'challenge_viewed').map((e: { challengeId: string }) => e.challengeId), [next.body.challengeId]);
    });

    test('a challenge is stored with its push in one commit: its notification names it and is on the urgent lane', async () => {
      await enroll(c, sink, app, 'iris');
      const ch = await challenge(c, app, 'iris');
      assert.equal(ch.status, 201, JSON.stringify(ch.body));
      const row = await c.ctx.store.db.selectFrom('mfa_challenges').select(['notification_id', 'created_at']).where('id', '=', ch.body.challengeId).executeTakeFirstOrThrow();
      assert.ok(row.notification_id, 'the challenge names its push');
      const n = await c.ctx.store.db.selectFrom('notifications').select(['content', 'urgency', 'created_at']).where('id', '=', row.notification_id).executeTakeFirstOrThrow();
      assert.equal(JSON.parse(n.content).data.challengeId, ch.body.challengeId);
      assert.equal(n.urgency, 'high');
      assert.equal(Number(n.created_at), Number(row.created_at));
      const audit = await c.api('GET', `/v1/apps/${app.id}/mfa/audit?userId=iris`, { key: app.secretKey });
      const pushed = audit.body.data.find((e: { type: string }) => e.type === 'challenge_pushed');
      assert.equal(pushed?.details.notificationId, row.notification_id);
    });

    test('two enrollments racing for one token: one device, one subscription; nothing written for a spent token', async () => {
      const e = await c.api('POST', `/v1/apps/${app.id}/mfa/enrollments`, { key: app.secretKey, body: { userId: 'ivy' } });
      const bodies = await Promise.all([0, 1, 2].map(async () => {
        const device = await newDevice();
        const s = sink.subscribe();
        return { token: e.body.token, publicKey: device.publicJwk, name: 'Phone', subscription: { channel: 'webpush', endpoint: s.endpoint, keys: s.keys } };
      }));
      const results = await Promise.all(bodies.map((body) => c.api('POST', `/v1/apps/${app.id}/mfa/devices`, { body })));
      assert.deepEqual(results.map((r) => r.status).sort(), [201, 401, 401], JSON.stringify(results.map((r) => r.body)));
      const subs = await c.ctx.store.db.selectFrom('subscriptions').select('id').where('app_id', '=', app.id).where('user_id', '=', 'ivy').execute();
      assert.deepEqual(subs.map((s) => s.id), [results.find((r) => r.status === 201)!.body.subscriptionId], 'only the enrolled device’s subscription exists');
      const devices = await c.ctx.store.db.selectFrom('mfa_devices').select('id').where('app_id', '=', app.id).where('user_id', '=', 'ivy').execute();
      assert.equal(devices.length, 1);
    });

    test('the device routes tell nobody which apps or devices exist', async () => {
      const device = await newDevice();
      const s = sink.subscribe();
      const body = { token: 'crl_mfe_' + 'A'.repeat(43), publicKey: device.publicJwk, name: 'Phone', subscription: { channel: 'webpush', endpoint: s.endpoint, keys: s.keys } };
      const known = await c.api('POST', `/v1/apps/${app.id}/mfa/devices`, { body });
      const unknown = await c.api('POST', `/v1/apps/app_doesnotexist0000000000/mfa/devices`, { body });
      assert.equal(known.status, 401);
      assert.deepEqual([unknown.status, unknown.body.code, unknown.body.detail], [known.status, known.body.code, known.body.detail]);

      const enrolled = await enroll(c, sink, app, 'jon');
      const ch = await challenge(c, app, 'jon');
      const exp = Math.floor(clock / 1000) + 60;
      const stranger = await newDevice();
      const asks = [
        [app.id, await stranger.sign({ challengeId: ch.body.challengeId, nonce: nonce(), exp, purpose: 'details' }, { kid: 'mfd_doesnotexist000000000' })],
        ['app_doesnotexist0000000000', await enrolled.sign({ challengeId: ch.body.challengeId, nonce: nonce(), exp, purpose: 'details' })],
      ] as const;
      const answers = await Promise.all(asks.map(([appId, jws]) => c.api('POST', `/v1/apps/${appId}/mfa/challenges/${ch.body.challengeId}/details`, { body: { request: jws } })));
      assert.equal(answers[0]!.status, 401);
      assert.deepEqual(answers.map((r) => [r.status, r.body.code, r.body.detail]), [0, 1].map(() => [answers[0]!.status, answers[0]!.body.code, answers[0]!.body.detail]));
    });
  });

  describe(`push sign-in device routes are rated per address and per device (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    const clock = Date.now();
    before(async () => {
      c = await startCarillon(kind, { mfaDeviceRequestsPerAddress: 4, mfaDeviceRequestsPerDevice: 2 }, { now: () => clock });
      sink = await startPushSink();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('an address gets its allowance per app, then 429 with Retry-After', async () => {
      const app = await c.createApp();
      const body = { token: 'crl_mfe_' + 'B'.repeat(43), publicKey: (await newDevice()).publicJwk, name: 'Phone', subscription: { channel: 'webpush', endpoint: sink.subscribe().endpoint, keys: sink.subscribe().keys } };
      for (let i = 0; i < 4; i++) assert.equal((await c.api('POST', `/v1/apps/${app.id}/mfa/devices`, { body })).body.code, 'enrollment_token_invalid');
      const limited = await c.api('POST', `/v1/apps/${app.id}/mfa/devices`, { body });
      assert.equal(limited.status, 429);
      assert.equal(limited.body.code, 'rate_limited');
      assert.ok(Number(limited.headers['retry-after']) >= 1, JSON.stringify(limited.headers));
      const other = await c.createApp();
      assert.equal((await c.api('POST', `/v1/apps/${other.id}/mfa/devices`, { body })).body.code, 'enrollment_token_invalid', 'another app’s allowance is its own');
    });

    test('a device gets its allowance of signed requests; forged ones in its name spend none of it', async () => {
      const app = await c.createApp();
      const device = await enroll(c, sink, app, 'kim');
      const ch = await challenge(c, app, 'kim');
      const { challengeId } = ch.body;
      const exp = Math.floor(clock / 1000) + 60;
      const forger = await newDevice();
      const forged = await c.api('POST', `/v1/apps/${app.id}/mfa/challenges/${challengeId}/details`, { body: { request: await forger.sign({ challengeId, nonce: nonce(), exp, purpose: 'details' }, { kid: device.id }) } });
      assert.equal(forged.body.code, 'device_signature_invalid');
      const details = () => device.sign({ challengeId, nonce: nonce(), exp, purpose: 'details' }).then((jws) => c.api('POST', `/v1/apps/${app.id}/mfa/challenges/${challengeId}/details`, { body: { request: jws } }));
      assert.equal((await details()).status, 200);
      assert.equal((await details()).status, 200);
      const limited = await details();
      assert.equal(limited.status, 429, JSON.stringify(limited.body));
      assert.equal(limited.body.code, 'rate_limited');
      assert.ok(Number(limited.headers['retry-after']) >= 1);
    });
  });
}
