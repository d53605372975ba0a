import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { capSample } from './cap-vectors.ts';
import { STORES, startCarillon, userIdHash, type TestCarillon } from '../support/carillon.ts';
import { loadLocatedUsers } from '../../src/alerts/area/load-located-users.ts';
import { compileArea } from '../../src/protocol/cap/area.ts';
import { parseCap } from '../../src/protocol/cap/index.ts';

/** A user's zones, test-alert opt-in and shared position, with the secret key and with the SDK's publishable key. */
for (const kind of STORES) {
describe(`alert choices of a user (${kind})`, () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  const choices = (user: string) => `/v1/apps/${app.id}/users/${user}/alert-choices`;
  const location = (user: string) => `/v1/apps/${app.id}/users/${user}/alert-location`;
  // The A.2 thunderstorm's polygon holds 38.47,-119.93; its area names SAME 006109.
  const thunderstorm = compileArea(parseCap(capSample('02')).infos[0]!.areas);
  const inArea = async (user: string) => {
    const { index, externalIds } = await loadLocatedUsers(c.ctx.store.db, app.id);
    return [...index.resolve(thunderstorm)].map((i) => externalIds[i]).includes(user);
  };

  before(async () => {
    c = await startCarillon(kind);
    app = await c.createApp();
  });
  after(() => c.stop());

  test('the secret key sets zones (replaced as a whole) and the test-alert opt-in; the user is made', async () => {
    const set = await c.api('PUT', choices('ann'), { key: app.secretKey, body: { zones: [{ valueName: 'same', value: '006109' }, { valueName: 'POSTCODE', value: '75001' }], testAlerts: true } });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.deepEqual(set.body, { zones: [{ valueName: 'POSTCODE', value: '75001' }, { valueName: 'SAME', value: '006109' }], testAlerts: true, location: null });
    assert.ok(await c.ctx.store.db.selectFrom('users').select('seq').where('app_id', '=', app.id).where('external_id', '=', 'ann').executeTakeFirst(), 'ann exists');
    assert.ok(await inArea('ann'), 'ann is reached through SAME 006109');
    const only = await c.api('PUT', choices('ann'), { key: app.secretKey, body: { zones: [{ valueName: 'SAME', value: '024031' }] } });
    assert.deepEqual([only.body.zones, only.body.testAlerts], [[{ valueName: 'SAME', value: '024031' }], true]);
    assert.equal(await inArea('ann'), false);
    const off = await c.api('PUT', choices('ann'), { key: app.secretKey, body: { testAlerts: false } });
    assert.equal(off.body.testAlerts, false);
    assert.equal((await c.ctx.store.db.selectFrom('alert_testers').select('external_id').where('app_id', '=', app.id).execute()).length, 0);
  });

  test('a zone that cannot be kept is refused with a pointer, and nothing changes', async () => {
    for (const zones of [[{ valueName: 'SA:ME', value: '1' }], [{ valueName: 'SAME', value: '' }], Array.from({ length: 51 }, (_, i) => ({ valueName: 'SAME', value: String(i) }))]) {
      const res = await c.api('PUT', choices('ann'), { key: app.secretKey, body: { zones } });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'invalid_request');
      assert.match(res.body.errors[0].pointer, /^#\/zones/);
    }
    assert.deepEqual((await c.api('GET', choices('ann'), { key: app.secretKey })).body.zones, [{ valueName: 'SAME', value: '024031' }]);
  });

  test('the publishable key sets its own verified user only, and the shared position is used for alerts over the backend’s', async () => {
    const hash = userIdHash(app, 'bob');
    const refused = await c.api('PUT', location('bob'), { key: app.publishableKey, body: { lat: 38.47, lon: -119.93 } });
    assert.deepEqual([refused.status, refused.body.code], [403, 'identity_not_verified']);
    const wrong = await c.api('PUT', location('bob'), { key: app.publishableKey, body: { lat: 38.47, lon: -119.93, userIdHash: userIdHash(app, 'eve') } });
    assert.equal(wrong.status, 403);
    // The backend put bob far away (an address on file); the browser says where he is.
    await c.api('PUT', `/v1/apps/${app.id}/users/bob`, { key: app.secretKey, body: { location: { lat: 0, lon: 0 } } });
    assert.equal(await inArea('bob'), false);
    const shared = await c.api('PUT', location('bob'), { key: app.publishableKey, body: { lat: 38.47, lon: -119.93, accuracy: 30, userIdHash: hash } });
    assert.equal(shared.status, 200, JSON.stringify(shared.body));
    assert.deepEqual([shared.body.location.lat, shared.body.location.lon, shared.body.location.accuracy], [38.47, -119.93, 30]);
    assert.ok(await inArea('bob'), 'reached at the shared position');
    const user = await c.api('GET', `/v1/apps/${app.id}/users/bob`, { key: app.secretKey });
    assert.deepEqual(user.body.location, { lat: 0, lon: 0 }, 'the backend’s location is left as it was');
    const tester = await c.api('PUT', choices('bob'), { key: app.publishableKey, body: { testAlerts: true, userIdHash: hash } });
    assert.equal(tester.body.testAlerts, true);
    assert.equal((await c.api('GET', `${choices('bob')}?userIdHash=${hash}`, { key: app.publishableKey })).body.testAlerts, true);
    const withdrawn = await c.api('DELETE', `${location('bob')}?userIdHash=${hash}`, { key: app.publishableKey });
    assert.equal(withdrawn.status, 204);
    assert.equal((await c.api('GET', `${choices('bob')}?userIdHash=${hash}`, { key: app.publishableKey })).body.location, null);
    assert.equal(await inArea('bob'), false, 'back to the backend’s location');
  });

  test('in an app that does not verify user ids, the publishable key reaches no one’s choices or position, and nothing changes', async () => {
    const open = await c.createApp('no verification');
    const off = await c.api('PATCH', `/v1/apps/${open.id}`, { key: open.secretKey, body: { identityVerification: false } });
    assert.equal(off.status, 200, JSON.stringify(off.body));
    const at = (user: string, path: string) => `/v1/apps/${open.id}/users/${user}/${path}`;
    assert.equal((await c.api('PUT', at('dee', 'alert-location'), { key: open.secretKey, body: { lat: 38.47, lon: -119.93 } })).status, 200);
    for (const [method, path, body] of [['GET', 'alert-choices', undefined], ['PUT', 'alert-choices', { zones: [] }], ['PUT', 'alert-location', { lat: 0, lon: 0 }], ['DELETE', 'alert-location', undefined]] as const) {
      const res = await c.api(method, at('dee', path), { key: open.publishableKey, ...(body ? { body } : {}) });
      assert.deepEqual([res.status, res.body.code], [403, 'identity_verification_required'], `${method} ${path}`);
    }
    const kept = await c.api('GET', at('dee', 'alert-choices'), { key: open.secretKey });
    assert.deepEqual([kept.body.location.lat, kept.body.location.lon], [38.47, -119.93], 'the server’s own key still reads it, unchanged');
  });

  test('erasing the user erases its choices and shared position', async () => {
    await c.api('PUT', location('cy'), { key: app.secretKey, body: { lat: 1, lon: 1 } });
    await c.api('PUT', choices('cy'), { key: app.secretKey, body: { zones: [{ valueName: 'SAME', value: '1' }], testAlerts: true } });
    assert.equal((await c.api('DELETE', `/v1/apps/${app.id}/users/cy`, { key: app.secretKey })).status, 204);
    for (const table of ['user_alert_locations', 'user_alert_zones', 'alert_testers'] as const) {
      assert.equal((await c.ctx.store.db.selectFrom(table).select('external_id').where('external_id', '=', 'cy').execute()).length, 0, table);
    }
  });
});
}
