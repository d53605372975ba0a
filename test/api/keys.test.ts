/**
 * An app's API keys over the API (docs/api-keys.md): listing shows prefixes and never a
 * key, a new key is shown once and works, the last use is kept to the minute (on an
 * injected clock), a revoked key is refused at once by this process and by another one on
 * the same database, the last secret key stays, and who may manage keys: the admin key,
 * the app's secret key, an owner's session (a viewer's session only lists). On SQLite and
 * PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';

const PASSWORD = 'a long enough passphrase';

for (const kind of STORES) {
  describe(`API keys (${kind})`, () => {
    let c: TestCarillon;
    let clock = Date.parse('2026-12-01T09:00:00Z');
    before(async () => {
      c = await startCarillon(kind, {}, { now: () => clock });
    });
    after(() => c.stop());

    test('the list shows each key’s prefix, kind and dates, never the key or its hash', async () => {
      const app = await c.createApp('listed');
      const res = await c.api('GET', `/v1/apps/${app.id}/keys`, { key: app.secretKey });
      assert.equal(res.status, 200);
      assert.equal(res.body.data.length, 2);
      const byKind = Object.fromEntries(res.body.data.map((k: { kind: string }) => [k.kind, k]));
      assert.equal(byKind.secret.prefix, app.secretKey.slice(0, 12));
      assert.equal(byKind.publishable.prefix, app.publishableKey.slice(0, 12));
      assert.equal(byKind.publishable.name, null);
      assert.equal(byKind.publishable.revokedAt, null);
      assert.equal(byKind.publishable.lastUsedAt, null, 'the publishable key was never used');
      assert.equal(byKind.secret.createdAt, new Date(clock).toISOString());
      const text = JSON.stringify(res.body);
      assert.ok(!text.includes(app.secretKey) && !text.includes(app.publishableKey), 'no key in the listing');
      const hashes = await c.ctx.store.db.selectFrom('api_keys').select('key_hash').where('app_id', '=', app.id).execute();
      for (const { key_hash } of hashes) assert.ok(!text.includes(key_hash), 'no hash in the listing');
    });

    test('a new key is shown once, works at once, and only its hash is stored', async () => {
      const app = await c.createApp('made');
      // Keys are listed oldest first; the clock moves so that each is made at its own time.
      clock += 1000;
      const made = await c.api('POST', `/v1/apps/${app.id}/keys`, { key: app.secretKey, body: { kind: 'secret', name: 'checkout server' } });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.match(made.body.key, /^crl_sk_[A-Za-z0-9_-]{43}$/);
      assert.equal(made.body.prefix, made.body.key.slice(0, 12));
      assert.equal(made.body.name, 'checkout server');
      const send = await c.api('GET', `/v1/apps/${app.id}/subscriptions`, { key: made.body.key });
      assert.equal(send.status, 200, 'the new secret key reaches its app');
      clock += 1000;
      const pk = await c.api('POST', `/v1/apps/${app.id}/keys`, { key: app.secretKey, body: { kind: 'publishable' } });
      assert.match(pk.body.key, /^crl_pk_/);
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/keys`, { key: pk.body.key })).body.code, 'forbidden', 'a publishable key does not list keys');
      const list = await c.api('GET', `/v1/apps/${app.id}/keys`, { key: app.secretKey });
      assert.deepEqual(list.body.data.map((k: { id: string }) => k.id).slice(2), [made.body.id, pk.body.id]);
      assert.equal(list.body.data[2].key, undefined, 'the key is not shown again');
      const row = await c.ctx.store.db.selectFrom('api_keys').selectAll().where('id', '=', made.body.id).executeTakeFirstOrThrow();
      assert.notEqual(row.key_hash, made.body.key);
      assert.ok(!JSON.stringify(row).includes(made.body.key), 'the key is not stored in clear');
    });

    test('a body that is not a key request is refused and makes no key', async () => {
      const app = await c.createApp('bad body');
      for (const body of [{ kind: 'admin' }, { kind: 'secret', name: '' }, { name: 'no kind' }, { kind: 'secret', extra: 1 }]) {
        const res = await c.api('POST', `/v1/apps/${app.id}/keys`, { key: app.secretKey, body });
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.code, 'invalid_request');
      }
      const kindWrong = await c.api('POST', `/v1/apps/${app.id}/keys`, { key: app.secretKey, body: { kind: 'admin' } });
      assert.equal(kindWrong.body.errors[0].pointer, '#/kind');
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/keys`, { key: app.secretKey })).body.data.length, 2);
    });

    test('the last use is written at most once a minute per key', async () => {
      const app = await c.createApp('used');
      const secretId = async () => (await c.api('GET', `/v1/apps/${app.id}/keys`, { key: c.adminKey })).body.data.find((k: { kind: string }) => k.kind === 'secret');
      const t0 = clock;
      await c.api('GET', `/v1/apps/${app.id}`, { key: app.secretKey });
      assert.equal((await secretId()).lastUsedAt, new Date(t0).toISOString());
      clock = t0 + 59_000;
      await c.api('GET', `/v1/apps/${app.id}`, { key: app.secretKey });
      assert.equal((await secretId()).lastUsedAt, new Date(t0).toISOString(), 'within the minute: not written again');
      clock = t0 + 60_000;
      await c.api('GET', `/v1/apps/${app.id}`, { key: app.secretKey });
      assert.equal((await secretId()).lastUsedAt, new Date(t0 + 60_000).toISOString());
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/keys`, { key: c.adminKey })).body.data.find((k: { kind: string }) => k.kind === 'publishable').lastUsedAt, null, 'the admin key’s requests are not the app keys’ use');
    });

    test('a revoked key is refused from the next request on, here and by another process on the database', async () => {
      const app = await c.createApp('revoked');
      const made = await c.api('POST', `/v1/apps/${app.id}/keys`, { key: app.secretKey, body: { kind: 'secret', name: 'old server' } });
      // Another Carillon process on the same database, which has already admitted the key once.
      const other = await startCarillon(kind, { databaseUrl: c.ctx.config.databaseUrl, dataDir: c.ctx.config.dataDir }, { now: () => clock });
      try {
        assert.equal((await other.api('GET', `/v1/apps/${app.id}/subscriptions`, { key: made.body.key })).status, 200);
        const revoked = await c.api('DELETE', `/v1/apps/${app.id}/keys/${made.body.id}`, { key: app.secretKey });
        assert.equal(revoked.status, 204, JSON.stringify(revoked.body));
        assert.equal(revoked.body, '');
        const revokedAt = new Date(clock).toISOString();
        assert.equal(revoked_at(await c.api('GET', `/v1/apps/${app.id}/keys`, { key: app.secretKey }), made.body.id), revokedAt);
        for (const server of [c, other]) {
          const res = await server.api('GET', `/v1/apps/${app.id}/subscriptions`, { key: made.body.key });
          assert.equal(res.status, 401);
          assert.equal(res.body.code, 'invalid_api_key');
        }
      } finally {
        // close(), not stop(): the data folder is the first process's.
        await other.close();
      }
      const before = revoked_at(await c.api('GET', `/v1/apps/${app.id}/keys`, { key: app.secretKey }), made.body.id);
      clock += 5_000;
      const again = await c.api('DELETE', `/v1/apps/${app.id}/keys/${made.body.id}`, { key: app.secretKey });
      assert.equal(again.status, 204, 'revoking a revoked key is no error');
      assert.equal(revoked_at(await c.api('GET', `/v1/apps/${app.id}/keys`, { key: app.secretKey }), made.body.id), before, 'and changes nothing');
    });

    test('the app’s last secret key cannot be revoked; publishable keys all can', async () => {
      const app = await c.createApp('last');
      const keys = (await c.api('GET', `/v1/apps/${app.id}/keys`, { key: app.secretKey })).body.data;
      const secret = keys.find((k: { kind: string }) => k.kind === 'secret');
      const publishable = keys.find((k: { kind: string }) => k.kind === 'publishable');
      const refused = await c.api('DELETE', `/v1/apps/${app.id}/keys/${secret.id}`, { key: c.adminKey });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.code, 'last_secret_key');
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/subscriptions`, { key: app.secretKey })).status, 200, 'the key still works');
      assert.equal((await c.api('DELETE', `/v1/apps/${app.id}/keys/${publishable.id}`, { key: app.secretKey })).status, 204);
      const next = await c.api('POST', `/v1/apps/${app.id}/keys`, { key: app.secretKey, body: { kind: 'secret' } });
      // Revoking itself with itself is allowed once another secret key exists.
      assert.equal((await c.api('DELETE', `/v1/apps/${app.id}/keys/${secret.id}`, { key: app.secretKey })).status, 204);
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/keys`, { key: app.secretKey })).body.code, 'invalid_api_key');
      assert.equal((await c.api('DELETE', `/v1/apps/${app.id}/keys/${next.body.id}`, { key: next.body.key })).body.code, 'last_secret_key');
    });

    test('two secret keys revoked at the same moment leave one', async () => {
      const app = await c.createApp('race');
      const first = (await c.api('GET', `/v1/apps/${app.id}/keys`, { key: app.secretKey })).body.data.find((k: { kind: string }) => k.kind === 'secret');
      const second = await c.api('POST', `/v1/apps/${app.id}/keys`, { key: app.secretKey, body: { kind: 'secret' } });
      const answers = await Promise.all([first.id, second.body.id].map((id) => c.api('DELETE', `/v1/apps/${app.id}/keys/${id}`, { key: c.adminKey })));
      assert.deepEqual(answers.map((a) => a.status).sort(), [204, 409]);
      const live = (await c.api('GET', `/v1/apps/${app.id}/keys`, { key: c.adminKey })).body.data.filter((k: { kind: string; revokedAt: string | null }) => k.kind === 'secret' && k.revokedAt === null);
      assert.equal(live.length, 1);
    });

    test('an unknown key, another app’s key id and another app’s key are refused', async () => {
      const a = await c.createApp('a');
      const b = await c.createApp('b');
      const bKey = (await c.api('GET', `/v1/apps/${b.id}/keys`, { key: b.secretKey })).body.data[1];
      const unknown = await c.api('DELETE', `/v1/apps/${a.id}/keys/key_nope`, { key: a.secretKey });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.code, 'api_key_not_found');
      const crossId = await c.api('DELETE', `/v1/apps/${a.id}/keys/${bKey.id}`, { key: c.adminKey });
      assert.equal(crossId.body.code, 'api_key_not_found', 'a key is revoked through its own app only');
      assert.equal((await c.api('DELETE', `/v1/apps/${b.id}/keys/${bKey.id}`, { key: a.secretKey })).body.code, 'forbidden');
      assert.equal((await c.api('POST', `/v1/apps/${b.id}/keys`, { key: a.secretKey, body: { kind: 'secret' } })).body.code, 'forbidden');
      assert.equal((await c.api('GET', `/v1/apps/app_nope/keys`, { key: c.adminKey })).body.code, 'app_not_found');
      assert.equal((await c.api('GET', `/v1/apps/${b.id}/keys`, { key: b.secretKey })).body.data.every((k: { revokedAt: null }) => k.revokedAt === null), true);
    });

    test('an owner’s session manages keys; a viewer’s and an editor’s only list them', async () => {
      const app = await c.createApp('sessions');
      const session = async (email: string, role: string) => {
        assert.equal((await c.api('POST', '/v1/operators', { key: c.adminKey, body: { email, password: PASSWORD } })).status, 201);
        assert.equal((await c.api('POST', `/v1/apps/${app.id}/members`, { key: c.adminKey, body: { email, role } })).status < 300, true);
        const res = await c.api('POST', '/v1/session', { body: { email, password: PASSWORD } });
        const cookie = String([res.headers['set-cookie']].flat().find((h) => String(h).startsWith('carillon_session='))).split(';')[0]!;
        return { cookie, 'x-csrf-token': res.body.csrfToken as string };
      };
      const viewer = await session(`viewer-${kind}@example.org`, 'viewer');
      const editor = await session(`editor-${kind}@example.org`, 'editor');
      const owner = await session(`owner-${kind}@example.org`, 'owner');
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/keys`, { headers: viewer })).body.data.length, 2);
      for (const who of [viewer, editor]) {
        const made = await c.api('POST', `/v1/apps/${app.id}/keys`, { headers: who, body: { kind: 'publishable' } });
        assert.equal(made.status, 403);
        assert.equal(made.body.code, 'role_forbidden');
        assert.equal(made.body.required, 'owner');
      }
      const made = await c.api('POST', `/v1/apps/${app.id}/keys`, { headers: owner, body: { kind: 'publishable', name: 'site' } });
      assert.equal(made.status, 201);
      assert.equal((await c.api('DELETE', `/v1/apps/${app.id}/keys/${made.body.id}`, { headers: viewer })).body.code, 'role_forbidden');
      assert.equal((await c.api('DELETE', `/v1/apps/${app.id}/keys/${made.body.id}`, { headers: owner })).status, 204);
    });
  });
}

function revoked_at(list: { body: { data: { id: string; revokedAt: string | null }[] } }, id: string): string | null {
  return list.body.data.find((k) => k.id === id)!.revokedAt;
}
