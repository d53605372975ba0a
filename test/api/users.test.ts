/**
 * Users: create or merge with validated attributes, the typed rows segments query, the
 * publishable key's limits, first sight from a subscription, sessions and list pages.
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
  describe(`users (${kind})`, () => {
    let c: TestCarillon;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    let clock = Date.parse('2026-03-01T12:00:00Z');
    const put = (id: string, body: unknown, key = app.secretKey) => c.api('PUT', `/v1/apps/${app.id}/users/${encodeURIComponent(id)}`, { key, body });
    const typedRows = async (id: string) => {
      const rows = await c.ctx.store.db
        .selectFrom('user_attributes')
        .innerJoin('users', 'users.seq', 'user_attributes.user_seq')
        .select(['key', 'type', 'str', 'num'])
        .where('users.app_id', '=', app.id)
        .where('users.external_id', '=', id)
        .orderBy('key')
        .execute();
      return rows.map((r) => ({ ...r, num: r.num === null ? null : Number(r.num) }));
    };
    const userCount = async () => Number((await c.ctx.store.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).where('app_id', '=', app.id).executeTakeFirstOrThrow()).n);

    before(async () => {
      c = await startCarillon(kind, {}, { now: () => clock });
      app = await c.createApp('users');
    });
    after(() => c.stop());

    test('PUT creates a user; attributes are stored as JSON and as typed rows (a date-time string is a time)', async () => {
      const res = await put('alice', {
        attributes: { plan: 'gold', visits: 3, beta: true, signedUpAt: '2025-06-01T08:30:00+02:00', note: '2025-13-01T00:00:00Z' },
        language: 'fr-ca',
        timezone: 'Europe/Paris',
        country: 'fr',
        location: { lat: 48.85, lon: 2.35 },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, {
        externalId: 'alice',
        attributes: { plan: 'gold', visits: 3, beta: true, signedUpAt: '2025-06-01T08:30:00+02:00', note: '2025-13-01T00:00:00Z' },
        language: 'fr-CA',
        timezone: 'Europe/Paris',
        country: 'FR',
        location: { lat: 48.85, lon: 2.35 },
        createdAt: '2026-03-01T12:00:00.000Z',
        updatedAt: '2026-03-01T12:00:00.000Z',
        lastSeenAt: null,
        sessionCount: 0,
        subscriptions: 0,
      });
      assert.deepEqual(await typedRows('alice'), [
        { key: 'beta', type: 'boolean', str: null, num: 1 },
        { key: 'note', type: 'string', str: '2025-13-01T00:00:00Z', num: null },
        { key: 'plan', type: 'string', str: 'gold', num: null },
        { key: 'signedUpAt', type: 'time', str: null, num: Date.parse('2025-06-01T06:30:00Z') },
        { key: 'visits', type: 'number', str: null, num: 3 },
      ]);
      assert.deepEqual((await c.api('GET', `/v1/apps/${app.id}/users/alice`, { key: app.secretKey })).body, res.body);
    });

    test('merge: absent fields and keys are kept, null removes, a changed type changes the typed row', async () => {
      clock += 60_000;
      const res = await put('alice', { attributes: { plan: null, visits: 4, beta: 'yes' }, language: null, location: null });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.attributes, { visits: 4, beta: 'yes', signedUpAt: '2025-06-01T08:30:00+02:00', note: '2025-13-01T00:00:00Z' });
      assert.equal(res.body.language, null);
      assert.equal(res.body.timezone, 'Europe/Paris', 'absent: kept');
      assert.equal(res.body.country, 'FR');
      assert.equal(res.body.location, null);
      assert.equal(res.body.createdAt, '2026-03-01T12:00:00.000Z');
      assert.equal(res.body.updatedAt, '2026-03-01T12:01:00.000Z');
      const rows = await typedRows('alice');
      assert.deepEqual(rows.map((r) => r.key), ['beta', 'note', 'signedUpAt', 'visits']);
      assert.deepEqual(rows.find((r) => r.key === 'beta'), { key: 'beta', type: 'string', str: 'yes', num: null });
      assert.deepEqual(rows.find((r) => r.key === 'visits'), { key: 'visits', type: 'number', str: null, num: 4 });
      const stored = await c.ctx.store.db.selectFrom('users').select(['lat', 'lon', 'language']).where('external_id', '=', 'alice').executeTakeFirstOrThrow();
      assert.deepEqual(stored, { lat: null, lon: null, language: null });
    });

    const refusals: [string, unknown, string, string][] = [
      ['a key with a space', { attributes: { 'bad key': 1 } }, 'invalid_attribute', '#/attributes/bad%20key'],
      ['a key starting with a digit', { attributes: { '1st': 1 } }, 'invalid_attribute', '#/attributes/1st'],
      ['a key of 65 characters', { attributes: { ['k'.repeat(65)]: 1 } }, 'invalid_attribute', `#/attributes/${'k'.repeat(65)}`],
      ['a key with a slash (pointer escaped)', { attributes: { 'a/b': 1 } }, 'invalid_attribute', '#/attributes/a~1b'],
      ['a reserved key', { attributes: { country: 'FR' } }, 'invalid_attribute', '#/attributes/country'],
      ['a reserved key (location)', { attributes: { location: 'x' } }, 'invalid_attribute', '#/attributes/location'],
      ['a value of 1,025 characters', { attributes: { bio: 'x'.repeat(1025) } }, 'invalid_attribute', '#/attributes/bio'],
      ['an object value', { attributes: { nested: { a: 1 } } }, 'invalid_request', '#/attributes/nested'],
      ['an array value', { attributes: { list: [1] } }, 'invalid_request', '#/attributes/list'],
      ['101 attributes', { attributes: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])) }, 'too_many_attributes', '#/attributes'],
      ['language en_US', { language: 'en_US' }, 'invalid_language', '#/language'],
      ['language x-foo', { language: 'x-foo' }, 'invalid_language', '#/language'],
      ['language as a number', { language: 5 }, 'invalid_request', '#/language'],
      ['timezone Mars/Olympus', { timezone: 'Mars/Olympus' }, 'invalid_timezone', '#/timezone'],
      ['timezone as an offset', { timezone: '+05:30' }, 'invalid_timezone', '#/timezone'],
      ['country of three letters', { country: 'FRA' }, 'invalid_country', '#/country'],
      ['country numeric', { country: '25' }, 'invalid_country', '#/country'],
      ['country non-ASCII', { country: 'ÄB' }, 'invalid_country', '#/country'],
      ['latitude 91', { location: { lat: 91, lon: 0 } }, 'invalid_request', '#/location/lat'],
      ['longitude -181', { location: { lat: 0, lon: -181 } }, 'invalid_request', '#/location/lon'],
      ['a location without lon', { location: { lat: 0 } }, 'invalid_request', '#/location'],
      ['an unknown field', { email: 'a@example.com' }, 'invalid_request', '#/email'],
    ];
    for (const [name, body, code, pointer] of refusals) {
      test(`refused, nothing stored: ${name}`, async () => {
        const before = await userCount();
        const res = await put('rule-check', body);
        assert.match(String(res.headers['content-type']), /application\/problem\+json/);
        assert.equal(res.body.code, code, JSON.stringify(res.body));
        assert.equal(res.status, 400);
        assert.equal(res.body.errors?.[0]?.pointer, pointer);
        assert.equal(await userCount(), before, 'no user made');
      });
    }

    test('the attribute count is checked after the merge: 100 is fine, one more is refused and the user is unchanged', async () => {
      const hundred = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
      assert.equal((await put('full', { attributes: hundred })).status, 200);
      const more = await put('full', { attributes: { extra: 1, k0: null, k1: 'changed' } });
      assert.equal(more.status, 200, 'one removed, one added: still 100');
      const over = await put('full', { attributes: { another: 1, k1: 'again' } });
      assert.equal(over.status, 400);
      assert.equal(over.body.code, 'too_many_attributes');
      const user = (await c.api('GET', `/v1/apps/${app.id}/users/full`, { key: app.secretKey })).body;
      assert.equal(Object.keys(user.attributes).length, 100);
      assert.equal(user.attributes.k1, 'changed');
      assert.equal(user.attributes.another, undefined);
      assert.equal((await typedRows('full')).length, 100);
    });

    test('time zones: browser names and their aliases are accepted as sent; only the case is fixed', async () => {
      for (const [given, stored] of [
        ['Asia/Calcutta', 'Asia/Calcutta'],
        ['Asia/Kolkata', 'Asia/Kolkata'],
        ['UTC', 'UTC'],
        ['utc', 'UTC'],
        ['America/Argentina/Buenos_Aires', 'America/Argentina/Buenos_Aires'],
        ['Etc/GMT+5', 'Etc/GMT+5'],
      ]) {
        const res = await put('tz', { timezone: given });
        assert.equal(res.status, 200, `${given}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.timezone, stored, given);
      }
    });

    test('languages are stored in their canonical BCP 47 form', async () => {
      for (const [given, stored] of [['EN', 'en'], ['zh-hant-tw', 'zh-Hant-TW'], ['de-CH-1996', 'de-CH-1996'], ['iw', 'he']]) {
        assert.equal((await put('lang', { language: given })).body.language, stored, given);
      }
    });

    test('RFC 3339 times: offsets and fractions are times; calendar impossibilities are strings', async () => {
      const res = await put('times', { attributes: { a: '2026-02-28T23:59:59.5Z', b: '2026-02-30T00:00:00Z', c: '2026-02-28', d: '2024-02-29t10:00:00z' } });
      assert.equal(res.status, 200);
      const types = Object.fromEntries((await typedRows('times')).map((r) => [r.key, r.type]));
      assert.deepEqual(types, { a: 'time', b: 'string', c: 'string', d: 'time' });
    });

    test('a subscription with a userId makes its user on first sight; one without does not', async () => {
      const before = await userCount();
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.secretKey, body: sub({ userId: 'bob' }) })).status, 201);
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.secretKey, body: sub() })).status, 201);
      assert.equal(await userCount(), before + 1);
      const bob = await c.api('GET', `/v1/apps/${app.id}/users/bob`, { key: app.secretKey });
      assert.equal(bob.status, 200);
      assert.equal(bob.body.subscriptions, 1);
      // A subscription that changes its user id: the new user is made too.
      const s = sub({ userId: 'carol' });
      await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.secretKey, body: s });
      await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.secretKey, body: { ...s, userId: 'dave' } });
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/users/dave`, { key: app.secretKey })).body.subscriptions, 1);
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/users/carol`, { key: app.secretKey })).body.subscriptions, 0);
      // The merge keeps what the site set when a subscription comes back.
      await put('bob', { attributes: { plan: 'silver' } });
      await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.secretKey, body: sub({ userId: 'bob' }) });
      const again = (await c.api('GET', `/v1/apps/${app.id}/users/bob`, { key: app.secretKey })).body;
      assert.deepEqual([again.attributes, again.subscriptions], [{ plan: 'silver' }, 2]);
    });

    test('to: {userIds} still reaches a user’s subscriptions', async () => {
      const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { userIds: ['bob'] }, title: 'hi' } });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const status = await c.api('GET', `/v1/apps/${app.id}/notifications/${res.body.id}`, { key: app.secretKey });
      assert.equal(status.status, 200);
    });

    test('sessions: lastSeenAt is now and the count grows; an unknown user is created', async () => {
      clock = Date.parse('2026-03-02T09:00:00Z');
      for (let i = 0; i < 2; i++) assert.equal((await c.api('POST', `/v1/apps/${app.id}/users/erin/sessions`, { key: app.secretKey, body: {} })).status, 204);
      const erin = (await c.api('GET', `/v1/apps/${app.id}/users/erin`, { key: app.secretKey })).body;
      assert.equal(erin.sessionCount, 2);
      assert.equal(erin.lastSeenAt, '2026-03-02T09:00:00.000Z');
    });

    test('GET of an unknown user is user_not_found', async () => {
      const res = await c.api('GET', `/v1/apps/${app.id}/users/nobody`, { key: app.secretKey });
      assert.equal(res.status, 404);
      assert.equal(res.body.code, 'user_not_found');
    });

    test('the list pages by cursor, oldest first, every user once', async () => {
      const other = await c.createApp('list');
      for (let i = 0; i < 7; i++) await c.api('PUT', `/v1/apps/${other.id}/users/u${i}`, { key: other.secretKey, body: { attributes: { i } } });
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: { status: number; body: any } = await c.api('GET', `/v1/apps/${other.id}/users?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { key: other.secretKey });
        assert.equal(res.status, 200);
        seen.push(...res.body.data.map((u: any) => u.externalId));
        cursor = res.body.next;
        pages += 1;
      } while (cursor);
      assert.deepEqual(seen, ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
      assert.equal(pages, 3);
      const bad = await c.api('GET', `/v1/apps/${other.id}/users?cursor=nope`, { key: other.secretKey });
      assert.equal(bad.body.code, 'invalid_cursor');
      assert.equal((await c.api('GET', `/v1/apps/${other.id}/users`, { key: other.publishableKey })).status, 403, 'the list is for the secret key');
    });

    describe('the publishable key', () => {
      const pub = (id: string, body: Record<string, unknown>) => put(id, body, app.publishableKey);

      test('browserAttributes: set by the secret key, shown on the app, checked', async () => {
        assert.equal((await c.api('PATCH', `/v1/apps/${app.id}`, { key: app.publishableKey, body: { browserAttributes: ['theme'] } })).status, 403);
        const bad = await c.api('PATCH', `/v1/apps/${app.id}`, { key: app.secretKey, body: { browserAttributes: ['theme', 'country'], identityVerification: false } });
        assert.equal(bad.body.code, 'invalid_attribute');
        assert.equal(bad.body.errors[0].pointer, '#/browserAttributes/1');
        assert.equal((await c.api('GET', `/v1/apps/${app.id}`, { key: app.secretKey })).body.identityVerification, true, 'a refused PATCH changes nothing');
        const ok = await c.api('PATCH', `/v1/apps/${app.id}`, { key: app.secretKey, body: { browserAttributes: ['theme', 'fontSize'] } });
        assert.deepEqual(ok.body.browserAttributes, ['theme', 'fontSize']);
      });

      test('its own verified user: language, timezone and browserAttributes keys', async () => {
        const res = await pub('frank', { userIdHash: userIdHash(app, 'frank'), language: 'de', timezone: 'Europe/Berlin', attributes: { theme: 'dark' } });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual([res.body.language, res.body.timezone, res.body.attributes], ['de', 'Europe/Berlin', { theme: 'dark' }]);
      });

      test('the hash is required and must be of this user; nothing is stored', async () => {
        const before = await userCount();
        const missing = await pub('grace', { language: 'en' });
        assert.equal(missing.status, 403);
        assert.equal(missing.body.code, 'identity_not_verified');
        const other = await pub('grace', { userIdHash: userIdHash(app, 'frank'), language: 'en' });
        assert.equal(other.body.code, 'identity_not_verified', "frank's hash does not make him grace");
        assert.equal(await userCount(), before);
        const session = await c.api('POST', `/v1/apps/${app.id}/users/grace/sessions`, { key: app.publishableKey, body: {} });
        assert.equal(session.body.code, 'identity_not_verified');
        const proved = await c.api('POST', `/v1/apps/${app.id}/users/grace/sessions`, { key: app.publishableKey, body: { userIdHash: userIdHash(app, 'grace') } });
        assert.equal(proved.status, 204);
      });

      test('a field it may not write is attribute_not_writable with its pointer; nothing of the request is stored', async () => {
        const hash = userIdHash(app, 'frank');
        for (const [body, pointer] of [
          [{ attributes: { theme: 'light', plan: 'gold' } }, '#/attributes/plan'],
          [{ country: 'DE', language: 'fr' }, '#/country'],
          [{ location: { lat: 1, lon: 2 } }, '#/location'],
        ] as const) {
          const res = await pub('frank', { userIdHash: hash, ...body });
          assert.equal(res.status, 403);
          assert.equal(res.body.code, 'attribute_not_writable');
          assert.equal(res.body.errors[0].pointer, pointer);
        }
        const frank = (await c.api('GET', `/v1/apps/${app.id}/users/frank`, { key: app.secretKey })).body;
        assert.deepEqual([frank.language, frank.country, frank.location, frank.attributes], ['de', null, null, { theme: 'dark' }]);
      });

      test('it cannot read, list, erase or export users', async () => {
        for (const [method, path] of [['GET', 'users/frank'], ['DELETE', 'users/frank'], ['GET', 'users/frank/export'], ['GET', 'users']] as const) {
          assert.equal((await c.api(method, `/v1/apps/${app.id}/${path}`, { key: app.publishableKey })).status, 403, `${method} ${path}`);
        }
      });

      test('with verification off, no hash is needed; the writable fields are the same', async () => {
        const open = await c.api('POST', '/v1/apps', { key: c.adminKey, body: { name: 'open', identityVerification: false } });
        const res = await c.api('PUT', `/v1/apps/${open.body.id}/users/hank`, { key: open.body.publishableKey, body: { language: 'it' } });
        assert.equal(res.status, 200);
        const refused = await c.api('PUT', `/v1/apps/${open.body.id}/users/hank`, { key: open.body.publishableKey, body: { attributes: { theme: 'x' } } });
        assert.equal(refused.body.code, 'attribute_not_writable');
      });
    });
  });
}
