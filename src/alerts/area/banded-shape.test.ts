import assert from 'node:assert/strict';
import { test } from 'node:test';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { point as turfPoint, polygon as turfPolygon } from '@turf/helpers';
import fc from 'fast-check';
import { compileArea, containsPoint } from '../../protocol/cap/area.ts';
import type { CapPoint } from '../../protocol/cap/types.ts';
import { bandedRing } from './banded-shape.ts';

const wrap = (lon: number) => ((((lon + 180) % 360) + 360) % 360) - 180;

/** A star of many vertices round `c`, written as CAP writes them (longitudes wrapped); concave when the radii vary. */
function starPoints(c: CapPoint, radii: number[]): CapPoint[] {
  return radii.map((r, i) => {
    const a = (2 * Math.PI * i) / radii.length;
    return { lat: Math.max(-90, Math.min(90, c.lat + r * Math.sin(a))), lon: wrap(c.lon + r * 1.3 * Math.cos(a)) };
  });
}

const shapeOf = (points: CapPoint[]) => compileArea([{ areaDesc: 'p', polygons: [{ points: [...points, points[0]!] }], circles: [], geocodes: [] }]);
const bandedContains = (shape: ReturnType<typeof compileArea>) => bandedRing(shape.rings[0]!);

test('bandedRing answers as containsPoint on polygons of many vertices: concave, across the antimeridian, round a pole, on vertices', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0.2, max: 6, noNaN: true }), { minLength: 32, maxLength: 400 }),
      fc.constantFrom({ lat: 38.5, lon: -121 }, { lat: -17, lon: 179.5 }, { lat: 80, lon: 10 }, { lat: 0, lon: 0 }),
      fc.array(fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })), { minLength: 50, maxLength: 200 }),
      (radii, c, probes) => {
        const points = starPoints(c, radii);
        const shape = shapeOf(points);
        const inside = bandedContains(shape);
        const tries = [...probes.map(([dy, dx]) => ({ lat: Math.max(-90, Math.min(90, c.lat + dy * 7)), lon: wrap(c.lon + dx * 9) })), ...points];
        // Edge midpoints too: a point on an edge is inside, and it sits in an edge's piece of its row.
        for (let i = 1; i < points.length; i++) tries.push({ lat: (points[i]!.lat + points[i - 1]!.lat) / 2, lon: points[i - 1]!.lon + wrap(points[i]!.lon - points[i - 1]!.lon) / 2 });
        for (const p of tries) assert.equal(inside(p.lat, p.lon), containsPoint(shape, p.lat, p.lon), `${p.lat},${p.lon}`);
      },
    ),
    { numRuns: 200 },
  );
});

test('bandedRing answers as turf on concave polygons of hundreds of vertices, across the antimeridian and near a pole', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0.5, max: 4, noNaN: true }), { minLength: 40, maxLength: 400 }),
      fc.constantFrom({ lat: 38.5, lon: -121 }, { lat: -17, lon: 179.5 }, { lat: 50, lon: -179.8 }, { lat: 82, lon: 60 }, { lat: -80, lon: -170 }),
      fc.array(fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })), { minLength: 300, maxLength: 300 }),
      (radii, c, probes) => {
        const points = starPoints(c, radii);
        const inside = bandedContains(shapeOf(points));
        // turf in continuous longitudes round the centre (GeoJSON order), each point tried in its three copies.
        const ring = points.map((p) => [c.lon + wrap(p.lon - c.lon), p.lat]);
        const oracle = turfPolygon([[...ring, ring[0]!]]);
        for (const [dy, dx] of probes) {
          const lat = Math.max(-90, Math.min(90, c.lat + dy * 4.5));
          const lon = wrap(c.lon + dx * 6);
          const turf = [lon, lon - 360, lon + 360].some((x) => booleanPointInPolygon(turfPoint([x, lat]), oracle));
          assert.equal(inside(lat, lon), turf, `${lat},${lon}`);
        }
      },
    ),
    { numRuns: 150 },
  );
});

test('a comb of thin spikes: points between the teeth are outside, points in them inside', () => {
  // 200 teeth 0.01° wide, 0.005° apart, on a 1° base: rows and intervals of the finest kind.
  const points: CapPoint[] = [{ lat: 0, lon: 0 }];
  for (let t = 0; t < 200; t++) points.push({ lat: 1, lon: t * 0.015 }, { lat: 3, lon: t * 0.015 }, { lat: 3, lon: t * 0.015 + 0.01 }, { lat: 1, lon: t * 0.015 + 0.01 });
  points.push({ lat: 0, lon: 199 * 0.015 + 0.01 });
  const inside = bandedContains(shapeOf(points));
  for (let t = 0; t < 200; t += 7) {
    assert.equal(inside(2, t * 0.015 + 0.005), true, `in tooth ${t}`);
    assert.equal(inside(2, t * 0.015 + 0.0125), t === 199, `between teeth ${t} and ${t + 1}`);
  }
  assert.equal(inside(0.5, 1), true, 'in the base');
  assert.equal(inside(3.5, 1), false, 'above the teeth');
});

test('a point on an edge or a vertex of a many-vertex polygon is inside (the documented rule, as turf counts the boundary), across the antimeridian too', () => {
  // A staircase of 0.25° steps under the diagonal back to its start: 81 vertices, thin
  // concave teeth, every vertex and edge midpoint exact in binary, so "on" is exactly on.
  for (const lon0 of [0, 179]) {
    const stair: CapPoint[] = [];
    for (let k = 0; k <= 40; k++) stair.push({ lat: k * 0.25, lon: lon0 + k * 0.25 }, { lat: k * 0.25, lon: lon0 + (k + 1) * 0.25 });
    stair.pop();
    const points = stair.map((p) => ({ lat: p.lat, lon: wrap(p.lon) }));
    const shape = shapeOf(points);
    const inside = bandedContains(shape);
    const oracle = turfPolygon([[...stair.map((p) => [p.lon, p.lat]), [stair[0]!.lon, stair[0]!.lat]]]);
    const byTurf = (lat: number, lon: number) => [lon, lon + 360].some((x) => booleanPointInPolygon(turfPoint([x, lat]), oracle));
    const on: CapPoint[] = [...points];
    for (let k = 0; k < 40; k++) on.push({ lat: k * 0.25, lon: wrap(lon0 + k * 0.25 + 0.125) }, { lat: k * 0.25 + 0.125, lon: wrap(lon0 + (k + 1) * 0.25) });
    for (let t = 0.0625; t < 10; t += 0.375) on.push({ lat: t, lon: wrap(lon0 + t) });
    for (const p of on) {
      assert.equal(inside(p.lat, p.lon), true, `on the boundary at ${p.lat},${p.lon}`);
      assert.equal(containsPoint(shape, p.lat, p.lon), true);
      assert.equal(byTurf(p.lat, p.lon), true, `turf: ${p.lat},${p.lon}`);
    }
    // A hair off the boundary: inside between the diagonal and the steps, outside west of the one and east of the other.
    for (let k = 1; k < 40; k += 3) {
      const lat = k * 0.25 + 0.125;
      for (const [lon, expected] of [[lon0 + lat - 1e-7, false], [lon0 + lat + 1e-7, true], [lon0 + (k + 1) * 0.25 - 1e-7, true], [lon0 + (k + 1) * 0.25 + 1e-7, false]] as const) {
        assert.equal(inside(lat, wrap(lon)), expected, `${lat},${lon}`);
        assert.equal(byTurf(lat, wrap(lon)), expected, `turf: ${lat},${lon}`);
      }
    }
  }
});
