import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { geocodePolygonsFor } from '../../src/alerts/geocode-tables.ts';
import { LocatedUserIndex } from '../../src/alerts/area/located-users.ts';
import { compileArea, zoneKey } from '../../src/protocol/cap/area.ts';
import type { CapArea } from '../../src/protocol/cap/types.ts';

/** Deterministic generator (mulberry32) so a failure replays. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A concave county (a C shape), a MultiPolygon one (two islands) and a plain square, [lon, lat] as GeoJSON writes them.
const C_SHAPE = [[[-120.5, 38], [-119.5, 38], [-119.5, 38.2], [-120.2, 38.2], [-120.2, 38.8], [-119.5, 38.8], [-119.5, 39], [-120.5, 39], [-120.5, 38]]];
const ISLANDS = [[[[-121, 37], [-120.8, 37], [-120.8, 37.2], [-121, 37]]], [[[-120.6, 37], [-120.4, 37.1], [-120.6, 37.3], [-120.6, 37]]]];
const SQUARE = [[[-118, 36], [-117, 36], [-117, 37], [-118, 37], [-118, 36]]];
const TABLE = {
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', properties: { SAME: '006109', name: 'Tuolumne' }, geometry: { type: 'Polygon', coordinates: C_SHAPE } },
    { type: 'Feature', properties: { SAME: 6003, name: 'Alpine' }, geometry: { type: 'MultiPolygon', coordinates: ISLANDS } },
    { type: 'Feature', properties: { SAME: '006009' }, geometry: { type: 'Polygon', coordinates: SQUARE } },
  ],
};
const area = (geocodes: CapArea['geocodes']): CapArea => ({ areaDesc: 'codes', polygons: [], circles: [], geocodes });

for (const kind of STORES) {
describe(`geocode tables (${kind})`, () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  const url = (valueName: string, codeProperty = 'SAME') => `/v1/apps/${app.id}/geocode-tables/${valueName}?codeProperty=${codeProperty}`;

  before(async () => {
    c = await startCarillon(kind);
    app = await c.createApp();
  });
  after(() => c.stop());

  test('a table that breaks GeoJSON’s rules is refused with a pointer to the fault, and nothing is stored', async () => {
    const feature = (geometry: unknown, properties: unknown = { SAME: '1' }) => ({ type: 'FeatureCollection', features: [{ type: 'Feature', properties, geometry }] });
    const cases: [unknown, string][] = [
      [feature({ type: 'Polygon', coordinates: [[[-120, 38], [-119, 38], [-119, 39], [-120, 38.5]]] }), '#/features/0/geometry/coordinates/0'],
      [feature({ type: 'Polygon', coordinates: [[[-120, 38], [-119, 38], [-120, 38]]] }), '#/features/0/geometry/coordinates/0'],
      [feature({ type: 'Polygon', coordinates: [[[38, -120], [38, -119], [39, -119], [38, -120]]] }), '#/features/0/geometry/coordinates/0/0'],
      [feature({ type: 'Point', coordinates: [0, 0] }), '#/features/0/geometry/type'],
      [feature({ type: 'Polygon', coordinates: SQUARE }, { other: '1' }), '#/features/0/properties/SAME'],
      [{ type: 'FeatureCollection', features: [TABLE.features[2], TABLE.features[2]] }, '#/features/1/properties'],
    ];
    for (const [body, pointer] of cases) {
      const res = await c.api('PUT', url('SAME'), { key: app.secretKey, body });
      assert.deepEqual([res.status, res.body.code, res.body.pointer], [422, 'invalid_geocode_table', pointer], JSON.stringify(res.body));
    }
    const res = await c.api('GET', `/v1/apps/${app.id}/geocode-tables/SAME`, { key: app.secretKey });
    assert.deepEqual([res.status, res.body.code], [404, 'geocode_table_not_found']);
    assert.equal((await c.ctx.store.db.selectFrom('alert_geocodes').select('code').execute()).length, 0);
  });

  test('uploaded, listed, replaced and deleted', async () => {
    const put = await c.api('PUT', url('same'), { key: app.secretKey, body: TABLE });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual([put.body.valueName, put.body.codeProperty, put.body.codes], ['SAME', 'SAME', 3]);
    const list = await c.api('GET', `/v1/apps/${app.id}/geocode-tables`, { key: app.secretKey });
    assert.deepEqual(list.body.data.map((t: { valueName: string }) => t.valueName), ['SAME']);
    const other = await c.api('PUT', url('POSTCODE', 'name'), { key: app.secretKey, body: { type: 'FeatureCollection', features: [TABLE.features[0]] } });
    assert.equal(other.body.codes, 1);
    assert.equal((await c.api('DELETE', `/v1/apps/${app.id}/geocode-tables/POSTCODE`, { key: app.secretKey })).status, 204);
    assert.equal((await c.api('GET', `/v1/apps/${app.id}/geocode-tables/POSTCODE`, { key: app.secretKey })).status, 404);
    const codes = await c.ctx.store.db.selectFrom('alert_geocodes').select(['value_name', 'code']).where('app_id', '=', app.id).orderBy('code').execute();
    assert.deepEqual(codes, [{ value_name: 'SAME', code: '006009' }, { value_name: 'SAME', code: '006109' }, { value_name: 'SAME', code: '6003' }]);
  });

  test('a geocode reaches both ways, as turf finds the points in the uploaded polygons', async () => {
    const r = rng(42);
    const users = Array.from({ length: 20_000 }, (_, i) => {
      if (i % 20 === 0) return { zones: [zoneKey('SAME', i % 40 === 0 ? '006109' : '006009')] };
      return { lat: 36 + r() * 3.2, lon: -121.2 + r() * 4.4 };
    });
    const index = LocatedUserIndex.build(users);
    for (const geocodes of [[{ valueName: 'same', value: '006109' }], [{ valueName: 'SAME', value: '6003' }, { valueName: 'SAME', value: '006009' }], [{ valueName: 'SAME', value: '999999' }]]) {
      const areas = [area(geocodes)];
      const shape = compileArea(areas, { geocodePolygons: await geocodePolygonsFor(c.ctx.store.db, app.id, areas) });
      const found = [...index.resolve(shape)];
      const features = TABLE.features.filter((f) => geocodes.some((g) => String(f.properties.SAME) === g.value));
      const keys = new Set(geocodes.map((g) => zoneKey(g.valueName, g.value)));
      const expected = users.flatMap((u, i) => {
        if ('zones' in u) return u.zones!.some((z) => keys.has(z)) ? [i] : [];
        return features.some((f) => booleanPointInPolygon([u.lon, u.lat], f as never)) ? [i] : [];
      });
      assert.deepEqual(found, expected, JSON.stringify(geocodes));
      if (features.length > 0) assert.ok(expected.filter((i) => !('zones' in users[i]!)).length > 50, 'users by point');
    }
    // Without the table, a geocode reaches only the users who chose it.
    const areas = [area([{ valueName: 'SAME', value: '006109' }])];
    const bare = [...index.resolve(compileArea(areas))];
    assert.ok(bare.length > 0 && bare.every((i) => 'zones' in users[i]!));
  });
});
}
