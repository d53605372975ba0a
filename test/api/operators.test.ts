/**
 * Operators over the API, as the dashboard uses it: the setup link, sign-in and its limits,
 * the session cookie and its expiry (on an injected clock), CSRF, roles per app, sign-out
 * everywhere and the TOTP second factor (codes computed with otpauth, as an authenticator
 * app would). On SQLite and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { hashKey } from '../../src/crypto/tokens.ts';
import { issueSetupToken } from '../../src/operators/setup.ts';

const PASSWORD = 'a long enough passphrase';

function cookieOf(res: { headers: Record<string, unknown> }): { value: string; attributes: string } {
  const header = res.headers['set-cookie'];
  const line = (Array.isArray(header) ? header : [header]).map(String).find((c) => c.startsWith('carillon_session='));
  assert.ok(line, `a session cookie is set: ${String(header)}`);
  const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
  return { value: pair.slice('carillon_session='.length), attributes: attrs.join('; ') };
}

for (const kind of STORES) {
  describe(`operators (${kind})`, () => {
    let c: TestCarillon;
    let clock = Date.parse('2026-12-01T09:00:00Z');
    const session = (token: string, csrf?: string) => ({ cookie: `carillon_session=${token}`, ...(csrf ? { 'x-csrf-token': csrf } : {}) });
    async function signIn(email: string, password = PASSWORD, code?: string) {
      const res = await c.api('POST', '/v1/session', { body: { email, password, ...(code ? { code } : {}) } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return { token: cookieOf(res).value, csrf: res.body.csrfToken as string, body: res.body };
    }
    let admin: { token: string; csrf: string };

    before(async () => {
      c = await startCarillon(kind, { loginAttemptsPerAddress: 1000, trustProxy: 'true' }, { now: () => clock });
    });
    after(() => c.stop());

    test('the setup link makes the first administrator once, and signs them in with a strict cookie', async () => {
      const token = await issueSetupToken(c.ctx);
      assert.ok(token);
      const weak = await c.api('POST', '/v1/session/setup', { body: { token, email: 'Admin@Example.org', password: 'short' } });
      assert.equal(weak.status, 400);
      assert.equal(weak.body.code, 'weak_password');
      assert.equal(weak.body.errors[0].pointer, '#/password');
      const res = await c.api('POST', '/v1/session/setup', { body: { token, email: 'Admin@Example.org', password: PASSWORD } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.operator.email, 'admin@example.org');
      assert.equal(res.body.operator.admin, true);
      const cookie = cookieOf(res);
      assert.match(cookie.attributes, /HttpOnly/);
      assert.match(cookie.attributes, /SameSite=Strict/);
      assert.match(cookie.attributes, /Path=\//);
      assert.doesNotMatch(cookie.attributes, /Secure/, 'plain http: no Secure');
      const again = await c.api('POST', '/v1/session/setup', { body: { token, email: 'other@example.org', password: PASSWORD } });
      assert.equal(again.status, 401);
      assert.equal(again.body.code, 'setup_link_invalid');
      assert.equal(await issueSetupToken(c.ctx), undefined, 'no new link once an operator exists');
      // Only the token's hash is stored.
      const rows = await c.ctx.store.db.selectFrom('operator_sessions').select('token_hash').execute();
      assert.ok(rows.every((r) => r.token_hash !== cookie.value));
      admin = { token: cookie.value, csrf: res.body.csrfToken };
    });

    test('behind an https proxy (X-Forwarded-Proto, trusted) the cookie is Secure, named __Host-carillon_session', async () => {
      const res = await c.api('POST', '/v1/session', { body: { email: 'admin@example.org', password: PASSWORD }, headers: { 'x-forwarded-proto': 'https' } });
      assert.equal(res.status, 200);
      assert.match(String(res.headers['set-cookie']), /^__Host-carillon_session=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    });

    test('a wrong password and an unknown email answer alike; attempts per account are limited', async () => {
      const wrong = await c.api('POST', '/v1/session', { body: { email: 'admin@example.org', password: 'not the password' } });
      const unknown = await c.api('POST', '/v1/session', { body: { email: 'nobody@example.org', password: 'not the password' } });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.code, 'invalid_credentials');
      assert.equal(unknown.body.code, 'invalid_credentials');
      assert.equal(unknown.body.detail, wrong.body.detail);
      const email = 'limited@example.org';
      for (let i = 0; i < c.ctx.config.loginAttemptsPerAccount; i++) assert.equal((await c.api('POST', '/v1/session', { body: { email, password: 'guess number ' + i } })).status, 401);
      const limited = await c.api('POST', '/v1/session', { body: { email, password: 'one guess too many' } });
      assert.equal(limited.status, 429);
      assert.equal(limited.body.code, 'rate_limited');
      assert.ok(Number(limited.headers['retry-after']) > 0);
    });

    test('a call that changes something needs the CSRF token; an API key needs none', async () => {
      const none = await c.api('POST', '/v1/apps', { body: { name: 'no csrf' }, headers: session(admin.token) });
      assert.equal(none.status, 403);
      assert.equal(none.body.code, 'csrf_invalid');
      const wrong = await c.api('POST', '/v1/apps', { body: { name: 'wrong csrf' }, headers: session(admin.token, 'x'.repeat(43)) });
      assert.equal(wrong.body.code, 'csrf_invalid');
      const right = await c.api('POST', '/v1/apps', { body: { name: 'with csrf' }, headers: session(admin.token, admin.csrf) });
      assert.equal(right.status, 201, JSON.stringify(right.body));
      assert.equal((await c.api('GET', '/v1/apps', { headers: session(admin.token) })).status, 200, 'reads need no token');
      assert.equal((await c.api('POST', '/v1/apps', { key: c.adminKey, body: { name: 'by key' } })).status, 201);
      const names = (await c.api('GET', '/v1/apps', { key: c.adminKey })).body.data.map((a: { name: string }) => a.name);
      assert.deepEqual(names.filter((n: string) => n.includes('csrf')), ['with csrf']);
    });

    test('roles per app: a viewer reads, an editor sends, an owner changes the app; the rest is refused with role_forbidden', async () => {
      const app = await c.createApp('roles');
      const other = await c.createApp('not theirs');
      const people: Record<string, { token: string; csrf: string }> = {};
      for (const role of ['viewer', 'editor', 'owner'] as const) {
        const email = `${role}@example.org`;
        assert.equal((await c.api('POST', '/v1/operators', { key: c.adminKey, body: { email, password: PASSWORD } })).status, 201);
        const member = await c.api('POST', `/v1/apps/${app.id}/members`, { headers: session(admin.token, admin.csrf), body: { email, role } });
        assert.equal(member.status, 200, JSON.stringify(member.body));
        people[role] = await signIn(email);
      }
      const as = (role: string, method: string, url: string, body?: unknown) => c.api(method, url, { headers: session(people[role]!.token, people[role]!.csrf), ...(body !== undefined ? { body } : {}) });
      const segment = { name: 'gold', filter: { attribute: 'plan', op: 'eq', value: 'gold' } };

      assert.equal((await as('viewer', 'GET', `/v1/apps/${app.id}/campaign-settings`)).status, 200);
      const forged = await as('viewer', 'POST', `/v1/apps/${app.id}/segments`, segment);
      assert.equal(forged.status, 403);
      assert.equal(forged.body.code, 'role_forbidden');
      assert.equal(forged.body.required, 'editor');
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/segments`, { key: app.secretKey })).body.data.length, 0, 'nothing was made');

      assert.equal((await as('editor', 'POST', `/v1/apps/${app.id}/segments`, segment)).status, 201);
      const editorPatch = await as('editor', 'PATCH', `/v1/apps/${app.id}`, { categories: ['news'] });
      assert.equal(editorPatch.body.code, 'role_forbidden');
      assert.equal(editorPatch.body.required, 'owner');
      assert.equal((await as('owner', 'PATCH', `/v1/apps/${app.id}`, { categories: ['news'] })).status, 200);
      assert.equal((await as('editor', 'GET', `/v1/apps/${app.id}/members`)).body.code, 'role_forbidden');
      // The secret that signs journey webhook calls is an owner's, as the webhook endpoints' are.
      const calling = { name: 'calls the app', trigger: { event: 'signed_up' }, steps: [{ webhook: { url: 'https://hooks.example.org/journey' } }] };
      const byEditor = await as('editor', 'POST', `/v1/apps/${app.id}/journeys`, calling);
      assert.equal(byEditor.status, 201, JSON.stringify(byEditor.body));
      assert.equal(byEditor.body.webhookSecret, undefined, 'an editor saves the journey, without its signing secret');
      assert.equal((await as('editor', 'PATCH', `/v1/apps/${app.id}/journeys/${byEditor.body.id}`, { name: 'renamed' })).body.webhookSecret, undefined);
      assert.match((await as('owner', 'PATCH', `/v1/apps/${app.id}/journeys/${byEditor.body.id}`, { name: 'renamed again' })).body.webhookSecret, /^whsec_/);
      assert.equal((await as('owner', 'GET', `/v1/apps/${app.id}/members`)).body.data.length, 3);

      // Another app, the installation's routes: not theirs.
      assert.equal((await as('owner', 'GET', `/v1/apps/${other.id}`)).body.code, 'role_forbidden');
      assert.equal((await as('owner', 'GET', '/v1/apps')).body.code, 'role_forbidden');
      assert.equal((await as('owner', 'GET', '/v1/queue')).body.code, 'role_forbidden');
      assert.equal((await as('owner', 'POST', '/v1/operators', { email: 'x@example.org', password: PASSWORD })).body.code, 'role_forbidden');
      const me = await as('viewer', 'GET', '/v1/session');
      assert.deepEqual(me.body.operator.memberships, [{ appId: app.id, appName: 'roles', role: 'viewer' }]);
    });

    test('a session ends when idle and at its absolute age, whatever its use', async () => {
      const s = await signIn('admin@example.org');
      clock += c.ctx.config.sessionIdleTimeout - 1_000;
      assert.equal((await c.api('GET', '/v1/session', { headers: session(s.token) })).status, 200);
      clock += c.ctx.config.sessionIdleTimeout - 1_000;
      assert.equal((await c.api('GET', '/v1/session', { headers: session(s.token) })).status, 200, 'each use renews it');
      clock += c.ctx.config.sessionIdleTimeout;
      const idle = await c.api('GET', '/v1/session', { headers: session(s.token) });
      assert.equal(idle.status, 401);
      assert.equal(idle.body.code, 'session_expired');

      const busy = await signIn('admin@example.org');
      const end = clock + c.ctx.config.sessionMaxAge;
      while (clock + c.ctx.config.sessionIdleTimeout / 2 < end) {
        clock += c.ctx.config.sessionIdleTimeout / 2;
        assert.equal((await c.api('GET', '/v1/session', { headers: session(busy.token) })).status, 200);
      }
      clock = end;
      assert.equal((await c.api('GET', '/v1/session', { headers: session(busy.token) })).body.code, 'session_expired');
      admin = await signIn('admin@example.org');
    });

    test('sign-out ends one session; sign-out everywhere ends all of them', async () => {
      const a = await signIn('editor@example.org');
      const b = await signIn('editor@example.org');
      const d = await signIn('editor@example.org');
      assert.equal((await c.api('DELETE', '/v1/session', { headers: session(a.token) })).body.code, 'csrf_invalid');
      assert.equal((await c.api('DELETE', '/v1/session', { headers: session(a.token, a.csrf) })).status, 204);
      assert.equal((await c.api('GET', '/v1/session', { headers: session(a.token) })).body.code, 'session_expired');
      assert.equal((await c.api('GET', '/v1/session', { headers: session(b.token) })).status, 200);
      assert.equal((await c.api('POST', '/v1/session/sign-out-everywhere', { headers: session(b.token, b.csrf) })).status, 204);
      for (const s of [b, d]) assert.equal((await c.api('GET', '/v1/session', { headers: session(s.token) })).body.code, 'session_expired');
    });

    test('TOTP: enrolled with a confirmed code, then asked for at sign-in, each code good once', async () => {
      const s = await signIn('viewer@example.org');
      const begun = await c.api('POST', '/v1/session/totp', { headers: session(s.token, s.csrf) });
      assert.equal(begun.status, 201);
      assert.match(begun.body.uri, /^otpauth:\/\/totp\/Carillon:viewer%40example\.org\?/);
      const totp = OTPAuth.URI.parse(begun.body.uri) as OTPAuth.TOTP;
      const code = (at: number) => totp.generate({ timestamp: at });
      const bad = await c.api('POST', '/v1/session/totp/confirm', { headers: session(s.token, s.csrf), body: { code: code(clock + 300_000) } });
      assert.equal(bad.body.code, 'invalid_totp');
      assert.equal(bad.body.errors[0].pointer, '#/code');
      assert.equal((await c.api('POST', '/v1/session/totp/confirm', { headers: session(s.token, s.csrf), body: { code: code(clock) } })).status, 204);

      const asked = await c.api('POST', '/v1/session', { body: { email: 'viewer@example.org', password: PASSWORD } });
      assert.equal(asked.status, 401);
      assert.equal(asked.body.code, 'totp_required');
      assert.equal(asked.headers['set-cookie'], undefined);
      clock += 30_000;
      const signed = await signIn('viewer@example.org', PASSWORD, code(clock));
      assert.equal(signed.body.operator.totp, true);
      const replay = await c.api('POST', '/v1/session', { body: { email: 'viewer@example.org', password: PASSWORD, code: code(clock) } });
      assert.equal(replay.body.code, 'invalid_totp', 'a code is good once');
      // The session alone cannot swap the authenticator for another: removing it takes the password.
      const swap = await c.api('POST', '/v1/session/totp', { headers: session(signed.token, signed.csrf) });
      assert.equal(swap.status, 409);
      assert.equal(swap.body.code, 'totp_enabled');
    });

    test('a setup link is for the first operator only: one printed before an operator was made is refused after, and making one ends them', async () => {
      // As a link printed by a start while the installer made the first operator with the admin key.
      const token = 'printed-before-the-first-operator';
      const now = c.ctx.now();
      await c.ctx.store.db.insertInto('operator_setup_tokens').values({ token_hash: hashKey(token), created_at: now, expires_at: now + 3_600_000 }).execute();
      const res = await c.api('POST', '/v1/session/setup', { body: { token, email: 'late@example.org', password: PASSWORD } });
      assert.equal(res.status, 401);
      assert.equal(res.body.code, 'setup_link_invalid');
      assert.equal(await c.ctx.store.db.selectFrom('operators').select('id').where('email', '=', 'late@example.org').executeTakeFirst(), undefined, 'no administrator made');

      await c.ctx.store.db.insertInto('operator_setup_tokens').values({ token_hash: hashKey('another'), created_at: now, expires_at: now + 3_600_000 }).execute();
      assert.equal((await c.api('POST', '/v1/operators', { key: c.adminKey, body: { email: 'made@example.org', password: PASSWORD } })).status, 201);
      assert.deepEqual(await c.ctx.store.db.selectFrom('operator_setup_tokens').select('token_hash').execute(), [], 'making an operator ends every setup link');
    });

    test('the admin key manages operators; a deleted operator’s sessions end', async () => {
      const made = await c.api('POST', '/v1/operators', { key: c.adminKey, body: { email: 'temp@example.org', password: PASSWORD } });
      assert.equal((await c.api('POST', '/v1/operators', { key: c.adminKey, body: { email: 'TEMP@example.org', password: PASSWORD } })).body.code, 'operator_exists');
      const s = await signIn('temp@example.org');
      assert.equal((await c.api('DELETE', `/v1/operators/${made.body.id}`, { key: c.adminKey })).status, 204);
      assert.equal((await c.api('GET', '/v1/session', { headers: session(s.token) })).body.code, 'session_expired');
      const list = await c.api('GET', '/v1/operators', { headers: session(admin.token) });
      assert.ok(!list.body.data.some((o: { email: string }) => o.email === 'temp@example.org'));
    });
  });
}

test('sign-in attempts from one address are limited across accounts', async () => {
  // A runtime of its own, with a small limit: the buckets refill in real time (15 minutes for all).
  const c = await startCarillon('sqlite', { loginAttemptsPerAddress: 4, trustProxy: 'true' });
  try {
    const from = { 'x-forwarded-for': '203.0.113.9' };
    for (let i = 0; i < 4; i++) {
      const res = await c.api('POST', '/v1/session', { body: { email: `user${i}@example.org`, password: 'a wrong password' }, headers: from });
      assert.equal(res.body.code, 'invalid_credentials', `attempt ${i}`);
    }
    const limited = await c.api('POST', '/v1/session', { body: { email: 'someone@example.org', password: 'a wrong password' }, headers: from });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.code, 'rate_limited');
    const elsewhere = await c.api('POST', '/v1/session', { body: { email: 'someone@example.org', password: 'a wrong password' }, headers: { 'x-forwarded-for': '203.0.113.10' } });
    assert.equal(elsewhere.body.code, 'invalid_credentials', 'another address is not held');
  } finally {
    await c.stop();
  }
});
