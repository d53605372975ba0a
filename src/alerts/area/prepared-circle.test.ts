import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileArea, containsPoint, EARTH_RADIUS_KM } from '../../protocol/cap/area.ts';
import { preparedCircle } from './prepared-circle.ts';

const rad = Math.PI / 180;
const wrap = (lon: number) => ((((lon + 180) % 360) + 360) % 360) - 180;

/** The point `km` from (lat, lon) at `bearing` degrees, on the sphere of EARTH_RADIUS_KM. */
function destination(lat: number, lon: number, bearing: number, km: number) {
  const d = km / EARTH_RADIUS_KM;
  const p1 = lat * rad;
  const t = bearing * rad;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(t));
  const l2 = lon * rad + Math.atan2(Math.sin(t) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return { lat: p2 / rad, lon: wrap(l2 / rad) };
}

const circleShape = (lat: number, lon: number, radiusKm: number) => compileArea([{ areaDesc: 'c', polygons: [], circles: [{ center: { lat, lon }, radiusKm }], geocodes: [] }]);

test('preparedCircle answers as containsPoint: anywhere, across the antimeridian, round the poles, on and a hair either side of the rim', () => {
  fc.assert(
    fc.property(
      fc.double({ min: -90, max: 90, noNaN: true }),
      fc.double({ min: -180, max: 180, noNaN: true }),
      fc.oneof(fc.double({ min: 0.001, max: 5, noNaN: true }), fc.double({ min: 5, max: 3000, noNaN: true }), fc.double({ min: 3000, max: 21000, noNaN: true })),
      fc.array(fc.tuple(fc.double({ min: 0, max: 360, noNaN: true }), fc.double({ min: 0, max: 1.5, noNaN: true })), { minLength: 30, maxLength: 30 }),
      (lat, lon, radiusKm, probes) => {
        const shape = circleShape(lat, lon, radiusKm);
        const inside = preparedCircle(shape.circles[0]!);
        const tries = probes.map(([bearing, f]) => destination(lat, lon, bearing, radiusKm * f));
        // On the rim as the sphere puts it, and 1e-12 of the radius either side: where only the exact test can tell.
        for (const [bearing] of probes.slice(0, 10)) for (const f of [1 - 1e-12, 1, 1 + 1e-12]) tries.push(destination(lat, lon, bearing, radiusKm * f));
        tries.push({ lat, lon }, { lat: 90, lon: 0 }, { lat: -90, lon: 0 }, { lat, lon: wrap(lon + 180) });
        for (const p of tries) assert.equal(inside(p.lat, p.lon), containsPoint(shape, p.lat, p.lon), `${p.lat},${p.lon} against ${lat},${lon} ${radiusKm} km`);
      },
    ),
    { numRuns: 400 },
  );
});

test('a 300 km circle round Sacramento: San Francisco (120 km) in, Los Angeles (580 km) and the antipode out', () => {
  const inside = preparedCircle({ lat: 38.58, lon: -121.49, radiusKm: 300 });
  assert.equal(inside(37.77, -122.42), true);
  assert.equal(inside(34.05, -118.24), false);
  assert.equal(inside(-38.58, 58.51), false);
  assert.equal(inside(38.58, -121.49), true, 'the centre');
});

test('a circle across the antimeridian holds points on both sides of it', () => {
  const inside = preparedCircle({ lat: -17.7, lon: 179.9, radiusKm: 100 });
  assert.equal(inside(-17.7, -179.5), true, '0.6° east, across the line (~64 km)');
  assert.equal(inside(-17.7, 179.3), true);
  assert.equal(inside(-17.7, -178.9), false, '~180 km east');
});
