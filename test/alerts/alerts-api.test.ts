import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateXML } from 'xmllint-wasm';
import { capSample, capSchema } from './cap-vectors.ts';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';
import { capXml } from './cap-builder.ts';

/** POST, GET and list of /v1/apps/{appId}/alerts over HTTP, CAP in as XML, problem+json out. */
describe('civic alerts API', () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  let now = Date.parse('2026-12-01T12:00:00Z');
  const post = (xml: string | Buffer, type = 'application/cap+xml') =>
    c.api('POST', `/v1/apps/${app.id}/alerts`, { key: app.secretKey, body: xml.toString(), headers: { 'content-type': type } });
  const stored = async () => (await c.ctx.store.db.selectFrom('alerts').select('id').where('app_id', '=', app.id).execute()).length;

  before(async () => {
    c = await startCarillon('sqlite', {}, { now: () => now });
    app = await c.createApp();
  });
  after(() => c.stop());

  test('a CAP alert posted is stored once: 201, then 200 with the same alert', async () => {
    now = Date.parse('2003-06-17T22:00:00Z');
    const first = await post(capSample('02'));
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.headers.location, `/v1/apps/${app.id}/alerts/${first.body.id}`);
    assert.deepEqual(
      [first.body.identifier, first.body.sender, first.body.sent, first.body.status, first.body.msgType, first.body.scope, first.body.disposition],
      ['KSTO1055887203', 'KSTO@NWS.NOAA.GOV', '2003-06-17T14:57:00-07:00', 'Actual', 'Alert', 'Public', 'public'],
    );
    assert.equal(first.body.expiresAt, '2003-06-17T23:00:00.000Z');
    assert.deepEqual(first.body.infos, [{ language: 'en-US', event: 'SEVERE THUNDERSTORM', urgency: 'Immediate', severity: 'Severe', certainty: 'Observed', headline: 'SEVERE THUNDERSTORM WARNING', expires: '2003-06-17T23:00:00.000Z', topPriority: true }]);
    assert.equal(first.body.allClear, false);
    const again = await post(capSample('02'), 'application/xml');
    assert.equal(again.status, 200);
    assert.equal((await post(capSample('02'), 'application/cap+xml; charset=utf-8')).status, 200, 'with a charset parameter');
    assert.equal(again.body.id, first.body.id);

    const one = await c.api('GET', `/v1/apps/${app.id}/alerts/${first.body.id}`, { key: app.secretKey });
    assert.equal(one.status, 200);
    assert.deepEqual(one.body.cap.infos[0].areas[0].geocodes.map((g: { value: string }) => g.value), ['006109', '006009', '006003']);
    assert.deepEqual(one.body.cap.infos[0].areas[0].polygons[0].points[1], { lat: 38.34, lon: -119.95 });
  });

  test('a Cancel before its original: the tombstone shows, and the original arrives cancelled', async () => {
    now = Date.parse('2019-04-19T17:47:00Z');
    const cancel = await post(capSample('05'));
    assert.equal(cancel.status, 201);
    assert.deepEqual(cancel.body.infos, []);
    assert.equal(cancel.body.allClear, true);
    assert.deepEqual(cancel.body.references, [{ sender: 'bbrundage@dps.state.nv.us', identifier: 'AS-NV-e18921c7-1b35-4a81-9705-42d25c265ddd', sent: '2019-04-18T18:02:32.000Z', alertId: null }]);
    const original = await post(capXml({ identifier: 'AS-NV-e18921c7-1b35-4a81-9705-42d25c265ddd', sender: 'bbrundage@dps.state.nv.us', sent: '2019-04-18T12:02:32-06:00' }));
    assert.equal(original.status, 201);
    assert.deepEqual([original.body.disposition, original.body.cancelledBy], ['cancelled', cancel.body.id]);
    const reread = await c.api('GET', `/v1/apps/${app.id}/alerts/${cancel.body.id}`, { key: app.secretKey });
    assert.equal(reread.body.references[0].alertId, original.body.id);
    const list = await c.api('GET', `/v1/apps/${app.id}/alerts`, { key: app.secretKey });
    const listed = list.body.data.find((a: { id: string }) => a.id === cancel.body.id);
    assert.deepEqual(listed.references.map((r: { alertId: string }) => r.alertId), [original.body.id]);
    assert.deepEqual(list.body.data.find((a: { id: string }) => a.id === original.body.id).references, []);
  });

  test('hostile and invalid documents are refused with problem+json naming the element; nothing is stored', async () => {
    const before = await stored();
    const xxe = `<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&x;</identifier></alert>`;
    const cases: Array<[string, number, string, Record<string, unknown>]> = [
      [xxe, 400, 'cap_refused', { reason: 'doctype' }],
      ['<alert><identifier>x</sender></alert>', 400, 'cap_malformed', { line: 1 }],
      [capXml({ identifier: 'bad', status: 'Real' }), 422, 'cap_invalid', { reason: 'enumeration', element: '/alert/status' }],
      [capXml({ identifier: 'bad', area: '<polygon>1,2 3,4</polygon>' }), 422, 'cap_invalid', { reason: 'format', element: '/alert/info[0]/area[0]/polygon[0]' }],
      [capXml({ identifier: 'bad' }).replace(/<severity>[^<]*<\/severity>/, ''), 422, 'cap_invalid', { reason: 'missing', element: '/alert/info[0]/severity' }],
    ];
    for (const [xml, status, code, members] of cases) {
      const res = await post(xml);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.body.code, code);
      for (const [k, v] of Object.entries(members)) assert.equal(res.body[k], v, `${k} in ${JSON.stringify(res.body)}`);
    }
    assert.equal(await stored(), before);
  });

  test('the JSON form is stored as CAP XML the schema accepts, and reads back the same', async () => {
    now = Date.parse('2026-12-01T12:00:00Z');
    const body = {
      identifier: 'CITY-2026-001', sender: 'ops@city.example', sent: '2026-12-01T11:58:00+01:00', status: 'Actual', msgType: 'Alert', scope: 'Public',
      infos: [
        {
          language: 'fr-FR', categories: ['Infra', 'Safety'], event: 'Coupure d’eau', urgency: 'Expected', severity: 'Moderate', certainty: 'Likely',
          headline: 'Eau coupée <rue A & rue B>', expires: '2026-12-01T20:00:00+01:00',
          areas: [{ areaDesc: 'Centre', polygons: [[{ lat: 48.85, lon: 2.34 }, { lat: 48.86, lon: 2.35 }, { lat: 48.85, lon: 2.36 }]], circles: [{ lat: 48.8566, lon: 2.3522, radiusKm: 0.0000001 }], geocodes: [{ valueName: 'INSEE', value: '75056' }] }],
        },
      ],
    };
    const res = await c.api('POST', `/v1/apps/${app.id}/alerts`, { key: app.secretKey, body });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.disposition, 'public');
    const one = await c.api('GET', `/v1/apps/${app.id}/alerts/${res.body.id}`, { key: app.secretKey });
    const info = one.body.cap.infos[0];
    assert.equal(info.headline, 'Eau coupée <rue A & rue B>');
    assert.deepEqual(info.categories, ['Infra', 'Safety']);
    assert.deepEqual(info.areas[0].polygons[0].points, [{ lat: 48.85, lon: 2.34 }, { lat: 48.86, lon: 2.35 }, { lat: 48.85, lon: 2.36 }, { lat: 48.85, lon: 2.34 }]);
    assert.deepEqual(info.areas[0].circles[0], { center: { lat: 48.8566, lon: 2.3522 }, radiusKm: 0.0000001 });
    const row = await c.ctx.store.db.selectFrom('alerts').select('cap_xml').where('id', '=', res.body.id).executeTakeFirstOrThrow();
    const checked = await validateXML({ xml: { fileName: 'a.xml', contents: row.cap_xml! }, schema: { fileName: 'cap12.xsd', contents: capSchema() } });
    assert.equal(checked.valid, true, JSON.stringify(checked.errors));
    const again = await c.api('POST', `/v1/apps/${app.id}/alerts`, { key: app.secretKey, body });
    assert.deepEqual([again.status, again.body.id], [200, res.body.id]);
  });

  test('the JSON form is refused with a pointer to the member', async () => {
    const before = await stored();
    const base = { identifier: 'J1', sender: 's@x.example', sent: '2026-12-01T11:58:00Z', status: 'Actual', msgType: 'Alert', scope: 'Public' };
    const area = (polygons: unknown) => ({ ...base, infos: [{ categories: ['Met'], event: 'e', urgency: 'Past', severity: 'Minor', certainty: 'Observed', areas: [{ areaDesc: 'a' }, { areaDesc: 'b', polygons }] }] });
    const cases: Array<[unknown, number, string, string]> = [
      [{ ...base, sent: '2026-12-01T11:58:00' }, 422, 'cap_invalid', '#/sent'],
      [{ ...base, scope: 'Private' }, 422, 'cap_invalid', '#/addresses'],
      [{ ...base, status: 'Real' }, 400, 'invalid_request', '#/status'],
      [{ ...base, identifier: 'has space' }, 400, 'invalid_request', '#/identifier'],
      [area([[{ lat: 91, lon: 0 }, { lat: 1, lon: 1 }, { lat: 2, lon: 0 }]]), 400, 'invalid_request', '#/infos/0/areas/1/polygons/0/0/lat'],
    ];
    for (const [body, status, code, pointer] of cases) {
      const res = await c.api('POST', `/v1/apps/${app.id}/alerts`, { key: app.secretKey, body });
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.code, code);
      assert.equal(res.body.pointer ?? res.body.errors?.[0]?.pointer, pointer, JSON.stringify(res.body));
    }
    assert.equal(await stored(), before);
  });

  test('bodies that are not CAP: text is 415, too large is 413, other routes still refuse XML', async () => {
    const text = await post('hello', 'text/plain');
    assert.deepEqual([text.status, text.body.code], [415, 'unsupported_media_type']);
    const big = await post(capXml({ identifier: 'big' }).replace('<headline>', `<headline>${'a'.repeat(950 * 1024)}`));
    assert.deepEqual([big.status, big.body.code], [413, 'body_too_large']);
    const notUtf8 = await c.api('POST', `/v1/apps/${app.id}/alerts`, { key: app.secretKey, body: Buffer.from([0x3c, 0x61, 0xff, 0x3e]) as unknown as string, headers: { 'content-type': 'application/cap+xml' } });
    assert.deepEqual([notUtf8.status, notUtf8.body.code], [400, 'cap_malformed']);
    const elsewhere = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: '<alert/>', headers: { 'content-type': 'application/xml' } });
    assert.equal(elsewhere.status, 415);
  });

  test('guarded by the secret key; another app’s alert is not found', async () => {
    const anon = await post(capXml({ identifier: 'anon' }));
    assert.equal(anon.status, 201, 'the app’s own key');
    const noKey = await c.api('POST', `/v1/apps/${app.id}/alerts`, { body: capXml({ identifier: 'n' }), headers: { 'content-type': 'application/cap+xml' } });
    assert.equal(noKey.status, 401);
    const publishable = await c.api('POST', `/v1/apps/${app.id}/alerts`, { key: app.publishableKey, body: capXml({ identifier: 'n' }), headers: { 'content-type': 'application/cap+xml' } });
    assert.equal(publishable.status, 403);
    const other = await c.createApp('other');
    const miss = await c.api('GET', `/v1/apps/${other.id}/alerts/${anon.body.id}`, { key: other.secretKey });
    assert.deepEqual([miss.status, miss.body.code], [404, 'alert_not_found']);
  });

  test('the list pages newest first by cursor', async () => {
    const fresh = await c.createApp('list');
    for (let i = 0; i < 5; i++) {
      now += 1000;
      const res = await c.api('POST', `/v1/apps/${fresh.id}/alerts`, { key: fresh.secretKey, body: capXml({ identifier: `L${i}`, sent: '2026-12-01T10:00:00Z' }), headers: { 'content-type': 'application/cap+xml' } });
      assert.equal(res.status, 201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { data: Array<{ identifier: string }>; next: string | null } } = await c.api('GET', `/v1/apps/${fresh.id}/alerts?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: fresh.secretKey });
      assert.equal(page.status, 200);
      seen.push(...page.body.data.map((a) => a.identifier));
      cursor = page.body.next;
    } while (cursor);
    assert.deepEqual(seen, ['L4', 'L3', 'L2', 'L1', 'L0']);
    const bad = await c.api('GET', `/v1/apps/${fresh.id}/alerts?cursor=nope`, { key: fresh.secretKey });
    assert.deepEqual([bad.status, bad.body.code], [400, 'invalid_cursor']);
  });
});
