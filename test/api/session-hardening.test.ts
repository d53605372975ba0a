/**
 * The operator layer's defences beyond sign-in: password checks made inside a session are
 * limited like sign-in (and refused when the limiter is down), the session cookie is
 * `__Host-` and Secure when the installation is https (by its publicUrl, or a trusted
 * proxy's X-Forwarded-Proto), /docs has the dashboard's strict policy, and answers that
 * carry tokens or secrets are cached nowhere.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';
import { issueSetupToken } from '../../src/operators/setup.ts';
import { DASHBOARD_CSP } from '../../src/http/routes/dashboard.ts';
import { DOCS_CSP } from '../../src/http/routes/docs.ts';

const PASSWORD = 'a long enough passphrase';

interface SetCookie {
  name: string;
  value: string;
  attributes: string[];
}

function cookiesOf(res: { headers: Record<string, unknown> }): SetCookie[] {
  const header = res.headers['set-cookie'];
  if (header === undefined) return [];
  return (Array.isArray(header) ? header : [header]).map(String).map((line) => {
    const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
  });
}

async function firstOperator(c: TestCarillon, headers: Record<string, string> = {}) {
  const token = await issueSetupToken(c.ctx);
  assert.ok(token);
  const res = await c.api('POST', '/v1/session/setup', { body: { token, email: 'admin@example.org', password: PASSWORD }, headers });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res;
}

describe('an installation served over https (publicUrl)', () => {
  let c: TestCarillon;
  before(async () => {
    c = await startCarillon('sqlite', { publicUrl: 'https://push.example.org', loginAttemptsPerAccount: 4 });
  });
  after(() => c.stop());

  test('the session cookie is __Host-carillon_session: Secure, Path=/, no Domain, even on a plain hop to this process', async () => {
    const res = await firstOperator(c);
    const [cookie, ...others] = cookiesOf(res);
    assert.deepEqual(others, []);
    assert.equal(cookie!.name, '__Host-carillon_session');
    assert.deepEqual(cookie!.attributes.sort(), ['HttpOnly', 'Path=/', 'SameSite=Strict', 'Secure']);
    const token = cookie!.value;
    assert.equal((await c.api('GET', '/v1/session', { headers: { cookie: `__Host-carillon_session=${token}` } })).status, 200);
    // The plain name is not read on a secure installation: a cookie planted by a sibling
    // subdomain or a plain-http page (or one left from before) opens nothing.
    const plain = await c.api('GET', '/v1/session', { headers: { cookie: `carillon_session=${token}` } });
    assert.equal(plain.status, 401);
    assert.equal(plain.body.code, 'session_required');
    const gone = await c.api('DELETE', '/v1/session', { headers: { cookie: `__Host-carillon_session=${token}`, 'x-csrf-token': res.body.csrfToken } });
    assert.equal(gone.status, 204);
    const cleared = cookiesOf(gone)[0]!;
    assert.equal(cleared.name, '__Host-carillon_session');
    assert.ok(cleared.attributes.includes('Secure') && cleared.attributes.includes('Path=/'), cleared.attributes.join('; '));
  });

  test('changing the password and removing the second factor draw on the sign-in limit: past it 429, even with the right password', async () => {
    const signed = await c.api('POST', '/v1/session', { body: { email: 'admin@example.org', password: PASSWORD } });
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
    const headers = { cookie: `__Host-carillon_session=${cookiesOf(signed)[0]!.value}`, 'x-csrf-token': signed.body.csrfToken as string };
    // Sign-in took one of the four attempts; two wrong guesses inside the session take two more.
    for (const currentPassword of ['first wrong guess', 'second wrong guess']) {
      const wrong = await c.api('POST', '/v1/session/password', { headers, body: { currentPassword, newPassword: 'another long passphrase' } });
      assert.equal(wrong.body.code, 'invalid_credentials');
    }
    const third = await c.api('POST', '/v1/session/totp/remove', { headers, body: { password: 'third wrong guess' } });
    assert.equal(third.body.code, 'invalid_credentials');
    const limited = await c.api('POST', '/v1/session/password', { headers, body: { currentPassword: PASSWORD, newPassword: 'another long passphrase' } });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.code, 'rate_limited');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    const remove = await c.api('POST', '/v1/session/totp/remove', { headers, body: { password: PASSWORD } });
    assert.equal(remove.status, 429);
    // Nothing changed: the old password still signs in once the bucket refills, the new one is unknown.
    const row = await c.ctx.store.db.selectFrom('operators').select('password_hash').where('email', '=', 'admin@example.org').executeTakeFirstOrThrow();
    const { verifyPassword } = await import('../../src/operators/password.ts');
    assert.equal(await verifyPassword(PASSWORD, row.password_hash), true);
    // The sign-in form shares the bucket.
    assert.equal((await c.api('POST', '/v1/session', { body: { email: 'admin@example.org', password: PASSWORD } })).status, 429);
  });
});

describe('an installation on plain http', () => {
  let c: TestCarillon;
  let headers: Record<string, string>;
  before(async () => {
    c = await startCarillon('sqlite', { trustProxy: '10.0.0.0/8' });
    const res = await firstOperator(c);
    headers = { cookie: `carillon_session=${cookiesOf(res)[0]!.value}`, 'x-csrf-token': res.body.csrfToken as string };
  });
  after(() => c.stop());

  test('the cookie is carillon_session without Secure; X-Forwarded-Proto counts only from a trusted proxy', async () => {
    const plain = await c.api('POST', '/v1/session', { body: { email: 'admin@example.org', password: PASSWORD } });
    assert.deepEqual(cookiesOf(plain).map((k) => [k.name, k.attributes.includes('Secure')]), [['carillon_session', false]]);
    const untrusted = await c.api('POST', '/v1/session', { body: { email: 'admin@example.org', password: PASSWORD }, headers: { 'x-forwarded-proto': 'https' } });
    assert.deepEqual(cookiesOf(untrusted).map((k) => [k.name, k.attributes.includes('Secure')]), [['carillon_session', false]], 'inject comes from 127.0.0.1, not a trusted proxy');
    const proxied = await c.app.inject({ method: 'POST', url: '/v1/session', payload: { email: 'admin@example.org', password: PASSWORD }, headers: { 'x-forwarded-proto': 'https' }, remoteAddress: '10.1.2.3' });
    assert.equal(proxied.statusCode, 200, proxied.body);
    assert.deepEqual(cookiesOf(proxied).map((k) => [k.name, k.attributes.includes('Secure')]), [['__Host-carillon_session', true]]);
  });

  test('a password check inside a session is refused (503 not_ready) when the shared limiter is down, before the password is checked', async () => {
    const limiter = c.ctx.limiter;
    const take = limiter.take;
    limiter.take = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    };
    try {
      const res = await c.api('POST', '/v1/session/password', { headers, body: { currentPassword: PASSWORD, newPassword: 'another long passphrase' } });
      assert.equal(res.status, 503);
      assert.equal(res.body.code, 'not_ready');
      assert.equal((await c.api('POST', '/v1/session/totp/remove', { headers, body: { password: PASSWORD } })).body.code, 'not_ready');
    } finally {
      limiter.take = take;
    }
    assert.equal((await c.api('GET', '/v1/session', { headers })).status, 200, 'the session goes on: nothing changed');
  });

  test('session answers, refusals and secrets are cached nowhere (no-store)', async () => {
    const signIn = await c.api('POST', '/v1/session', { body: { email: 'admin@example.org', password: PASSWORD } });
    const wrong = await c.api('POST', '/v1/session', { body: { email: 'admin@example.org', password: 'not the password' } });
    const session = await c.api('GET', '/v1/session', { headers });
    const totp = await c.api('POST', '/v1/session/totp', { headers });
    assert.equal(totp.status, 201);
    const app = await c.api('POST', '/v1/apps', { key: c.adminKey, body: { name: 'secrets' } });
    const key = await c.api('POST', `/v1/apps/${app.body.id}/keys`, { key: c.adminKey, body: { kind: 'secret' } });
    assert.equal(key.status, 201, JSON.stringify(key.body));
    for (const [what, res] of Object.entries({ signIn, wrong, session, totp, app, key })) assert.equal(res.headers['cache-control'], 'no-store', what);
    const setup = await c.api('POST', '/v1/session/setup', { body: { token: 'spent', email: 'late@example.org', password: PASSWORD } });
    assert.equal(setup.headers['cache-control'], 'no-store', 'setup');
    // What means to be cached keeps its own header.
    assert.match(String((await c.api('GET', '/dashboard/')).headers['cache-control']), /no-cache/);
  });

  test('/docs has the dashboard’s strict Content-Security-Policy: no inline script or style, no other origin, no framing', async () => {
    const res = await c.api('GET', '/docs/');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-security-policy'], DOCS_CSP);
    assert.doesNotMatch(DOCS_CSP, /unsafe|https:|\*/);
    // The dashboard's policy, with one hashed style element besides (src/http/routes/docs.ts).
    assert.equal(DOCS_CSP.replace(/ 'sha256-[A-Za-z0-9+/=]+'/, ''), DASHBOARD_CSP);
    assert.doesNotMatch(String(res.body), /<script>|<style|style="/, 'the page itself has nothing inline');
    assert.equal((await c.api('GET', '/docs/static/swagger-initializer.js')).headers['content-security-policy'], DOCS_CSP);
  });
});
