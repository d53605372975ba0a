/**
 * Identity verification: the publishable key is public, so a user id it sets must come
 * with the hash the site's server made for its signed-in user, or anyone could receive
 * another user's notifications.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { STORES, startCarillon, userIdHash, type TestCarillon } from '../support/carillon.ts';

function sub(extra: Record<string, unknown> = {}) {
  const ecdh = createECDH('prime256v1');
  return { channel: 'webpush', endpoint: `https://push.example.net/send/${randomBytes(8).toString('hex')}`, keys: { p256dh: ecdh.generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') }, ...extra };
}

for (const kind of STORES) {
  describe(`identity verification (${kind})`, () => {
    let c: TestCarillon;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    const register = (key: string, body: Record<string, unknown>) => c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key, body });
    const userIds = async () => (await c.ctx.store.db.selectFrom('subscriptions').select('user_id').where('app_id', '=', app.id).execute()).map((r) => r.user_id);

    before(async () => {
      c = await startCarillon(kind);
      app = await c.createApp('verified');
    });
    after(() => c.stop());

    test('a new app verifies identities; its secret is shown once and kept sealed', async () => {
      assert.match(app.identitySecret, /^crl_is_[A-Za-z0-9_-]{43}$/);
      const view = await c.api('GET', `/v1/apps/${app.id}`, { key: app.publishableKey });
      assert.equal(view.body.identityVerification, true);
      assert.equal(view.body.identitySecret, undefined);
      const row = await c.ctx.store.db.selectFrom('apps').select('identity_secret').where('id', '=', app.id).executeTakeFirstOrThrow();
      assert.ok(row.identity_secret && !row.identity_secret.includes(app.identitySecret.slice(7)), 'sealed, not in clear');
    });

    test('the publishable key cannot set a user id without its hash, or with a wrong one; nothing is stored', async () => {
      const missing = await register(app.publishableKey, sub({ userId: 'alice' }));
      assert.equal(missing.status, 403);
      assert.match(String(missing.headers['content-type']), /application\/problem\+json/);
      assert.equal(missing.body.code, 'identity_not_verified');
      const forged = await register(app.publishableKey, sub({ userId: 'alice', userIdHash: userIdHash(app, 'mallory') }));
      assert.equal(forged.body.code, 'identity_not_verified', "mallory's own hash does not make him alice");
      const otherApp = await c.createApp('other');
      const crossApp = await register(app.publishableKey, sub({ userId: 'alice', userIdHash: userIdHash(otherApp, 'alice') }));
      assert.equal(crossApp.body.code, 'identity_not_verified', "another app's secret does not verify");
      const notHex = await register(app.publishableKey, sub({ userId: 'alice', userIdHash: 'z'.repeat(64) }));
      assert.equal(notHex.status, 400);
      assert.equal(notHex.body.code, 'invalid_request');
      assert.deepEqual(await userIds(), []);
    });

    test("the right hash (the site server's HMAC-SHA-256) is accepted, in either case of hex; a visitor without a user id needs no hash", async () => {
      assert.equal((await register(app.publishableKey, sub({ userId: 'alice', userIdHash: userIdHash(app, 'alice') }))).status, 201);
      assert.equal((await register(app.publishableKey, sub({ userId: 'bob', userIdHash: userIdHash(app, 'bob').toUpperCase() }))).status, 201);
      assert.equal((await register(app.publishableKey, sub())).status, 201, 'an anonymous visitor');
      assert.deepEqual((await userIds()).sort(), ['alice', 'bob', null]);
    });

    test('the secret key is trusted with user ids', async () => {
      assert.equal((await register(app.secretKey, sub({ userId: 'carol' }))).status, 201);
    });

    test('a new identity secret invalidates the hashes of the old one', async () => {
      const publishable = await c.api('POST', `/v1/apps/${app.id}/identity-secret`, { key: app.publishableKey });
      assert.equal(publishable.status, 403);
      const rotated = await c.api('POST', `/v1/apps/${app.id}/identity-secret`, { key: app.secretKey });
      assert.equal(rotated.status, 201);
      const fresh = { identitySecret: rotated.body.identitySecret as string };
      assert.notEqual(fresh.identitySecret, app.identitySecret);
      assert.equal((await register(app.publishableKey, sub({ userId: 'dave', userIdHash: userIdHash(app, 'dave') }))).body.code, 'identity_not_verified');
      assert.equal((await register(app.publishableKey, sub({ userId: 'dave', userIdHash: userIdHash(fresh, 'dave') }))).status, 201);
      app = { ...app, ...fresh };
    });

    test('verification can be turned off by the app owner, not by the publishable key', async () => {
      const refused = await c.api('PATCH', `/v1/apps/${app.id}`, { key: app.publishableKey, body: { identityVerification: false } });
      assert.equal(refused.status, 403);
      const off = await c.api('PATCH', `/v1/apps/${app.id}`, { key: app.secretKey, body: { identityVerification: false } });
      assert.equal(off.status, 200);
      assert.equal(off.body.identityVerification, false);
      assert.equal((await register(app.publishableKey, sub({ userId: 'erin' }))).status, 201);
      const on = await c.api('PATCH', `/v1/apps/${app.id}`, { key: app.secretKey, body: { identityVerification: true } });
      assert.equal(on.body.identityVerification, true);
      assert.equal((await register(app.publishableKey, sub({ userId: 'erin' }))).body.code, 'identity_not_verified');
      const unknown = await c.api('PATCH', `/v1/apps/${app.id}`, { key: app.secretKey, body: { verify: true } });
      assert.equal(unknown.body.code, 'invalid_request');
    });

    test('an app made before identity verification has none until its owner makes a secret and turns it on', async () => {
      const legacy = await c.createApp('legacy');
      await c.ctx.store.db.updateTable('apps').set({ identity_secret: null, identity_verification: 0 }).where('id', '=', legacy.id).execute();
      const early = await c.api('PATCH', `/v1/apps/${legacy.id}`, { key: legacy.secretKey, body: { identityVerification: true } });
      assert.equal(early.status, 409);
      assert.equal(early.body.code, 'identity_secret_missing');
      const made = await c.api('POST', `/v1/apps/${legacy.id}/identity-secret`, { key: legacy.secretKey });
      assert.equal((await c.api('PATCH', `/v1/apps/${legacy.id}`, { key: legacy.secretKey, body: { identityVerification: true } })).status, 200);
      const res = await c.api('POST', `/v1/apps/${legacy.id}/subscriptions`, { key: legacy.publishableKey, body: sub({ userId: 'frank', userIdHash: userIdHash(made.body, 'frank') }) });
      assert.equal(res.status, 201);
    });

    test('an app can be made without verification', async () => {
      const res = await c.api('POST', '/v1/apps', { key: c.adminKey, body: { name: 'open', identityVerification: false } });
      assert.equal(res.status, 201);
      assert.equal(res.body.identityVerification, false);
      assert.equal((await c.api('POST', `/v1/apps/${res.body.id}/subscriptions`, { key: res.body.publishableKey, body: sub({ userId: 'gina' }) })).status, 201);
    });
  });
}
