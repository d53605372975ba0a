/**
 * The area geometry against independent oracles: @turf/boolean-point-in-polygon for
 * polygons (convex, concave, across the antimeridian, near the poles) and @turf/circle for
 * circles, on generated points.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import turfCircle from '@turf/circle';
import { point as turfPoint, polygon as turfPolygon } from '@turf/helpers';
import fc from 'fast-check';
import { compileArea, containsPoint, distanceKm, matchesZone, POINT_BUFFER_KM, zoneKey, type AlertShape } from './area.ts';
import type { CapArea, CapPoint, CapPolygon } from './types.ts';

const wrap = (lon: number) => ((((lon + 180) % 360) + 360) % 360) - 180;
const area = (parts: Partial<CapArea>): CapArea => ({ areaDesc: 'test', polygons: [], circles: [], geocodes: [], ...parts });

/** A star-shaped ring round a centre: concave when the radii vary. Vertices written as CAP writes them (lon wrapped). */
function star(center: CapPoint, radii: number[]): CapPolygon {
  const points = radii.map((r, i) => {
    const a = (2 * Math.PI * i) / radii.length;
    return { lat: center.lat + r * Math.sin(a), lon: wrap(center.lon + r * Math.cos(a)) };
  });
  return { points: [...points, points[0]!] };
}

/** The same ring for turf, in continuous longitudes round `lon0` ([lon, lat], GeoJSON order). */
function turfRing(polygon: CapPolygon, lon0: number) {
  return turfPolygon([polygon.points.map((p) => [lon0 + wrap(p.lon - lon0), p.lat])]);
}

function inTurf(poly: ReturnType<typeof turfPolygon>, lat: number, lon: number): boolean {
  return [lon, lon - 360, lon + 360].some((x) => booleanPointInPolygon(turfPoint([x, lat]), poly));
}

function inSomeBox(shape: AlertShape, lat: number, lon: number): boolean {
  return shape.boxes.some(([x0, y0, x1, y1]) => lon >= x0 && lon <= x1 && lat >= y0 && lat <= y1);
}

const radii = fc.array(fc.double({ min: 0.2, max: 3, noNaN: true }), { minLength: 3, maxLength: 16 });

function comparePolygons(centerLat: fc.Arbitrary<number>, centerLon: fc.Arbitrary<number>) {
  fc.assert(
    fc.property(centerLat, centerLon, radii, fc.array(fc.tuple(fc.double({ min: -4, max: 4, noNaN: true }), fc.double({ min: -4, max: 4, noNaN: true })), { minLength: 40, maxLength: 40 }), (lat, lon, rs, offsets) => {
      const polygon = star({ lat, lon }, rs);
      const shape = compileArea([area({ polygons: [polygon] })]);
      const oracle = turfRing(polygon, lon);
      for (const [dLat, dLon] of offsets) {
        const pLat = lat + dLat;
        if (pLat > 90 || pLat < -90) continue;
        const pLon = wrap(lon + dLon);
        const ours = containsPoint(shape, pLat, pLon);
        assert.equal(ours, inTurf(oracle, pLat, pLon), `point ${pLat},${pLon} in ${JSON.stringify(polygon.points)}`);
        if (ours) assert.ok(inSomeBox(shape, pLat, pLon), 'an inside point is in one of the index boxes');
      }
    }),
    { numRuns: 300 },
  );
}

describe('alert area: polygons against turf', () => {
  it('convex and concave polygons anywhere', () => {
    comparePolygons(fc.double({ min: -80, max: 80, noNaN: true }), fc.double({ min: -170, max: 170, noNaN: true }));
  });

  it('polygons across the antimeridian (CAP writes 179 and -179)', () => {
    comparePolygons(fc.double({ min: -70, max: 70, noNaN: true }), fc.double({ min: 177, max: 183, noNaN: true }).map(wrap));
  });

  it('polygons near the poles that do not enclose them', () => {
    comparePolygons(fc.double({ min: 82, max: 85, noNaN: true }), fc.double({ min: -180, max: 180, noNaN: true }));
    comparePolygons(fc.double({ min: -85, max: -82, noNaN: true }), fc.double({ min: -180, max: 180, noNaN: true }));
  });

  it('a concave polygon: the notch is outside', () => {
    // A "C" open to the east: lat,lon pairs as CAP writes them.
    const c: CapPolygon = { points: [[0, 0], [0, 10], [3, 10], [3, 3], [7, 3], [7, 10], [10, 10], [10, 0], [0, 0]].map(([lat, lon]) => ({ lat: lat!, lon: lon! })) };
    const shape = compileArea([area({ polygons: [c] })]);
    assert.equal(containsPoint(shape, 5, 6), false, 'in the notch');
    assert.equal(containsPoint(shape, 5, 1), true, 'in the spine');
    assert.equal(containsPoint(shape, 1.5, 8), true, 'in the lower arm');
    assert.equal(containsPoint(shape, 5, 11), false, 'east of it');
  });

  it('CAP order is lat,lon: the A.2 thunderstorm polygon holds Kirkwood’s south-east, not its mirror', () => {
    const storm: CapPolygon = { points: [[38.47, -120.14], [38.34, -119.95], [38.52, -119.74], [38.62, -119.89], [38.47, -120.14]].map(([lat, lon]) => ({ lat: lat!, lon: lon! })) };
    const shape = compileArea([area({ polygons: [storm] })]);
    assert.equal(containsPoint(shape, 38.5, -119.9), true);
    assert.equal(containsPoint(shape, -119.9, 38.5), false);
  });

  it('a ring round the North Pole holds the cap north of it, not the rest of the world', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 70, max: 80, noNaN: true }), { minLength: 24, maxLength: 24 }), fc.array(fc.tuple(fc.double({ min: 60, max: 90, noNaN: true }), fc.double({ min: -180, max: 180, noNaN: true })), { minLength: 60, maxLength: 60 }), fc.boolean(), (lats, probes, westward) => {
        // 24 vertices every 15° of longitude, going east (or west), closed.
        const verts = lats.map((lat, i) => ({ lat, lon: wrap(-180 + 15 * i) }));
        const ordered = westward ? [...verts].reverse() : verts;
        const shape = compileArea([area({ polygons: [{ points: [...ordered, ordered[0]!] }] })]);
        for (const [lat, lon] of probes) {
          // Independent rule: inside when north of the boundary's latitude at that longitude.
          const x = (lon + 180) / 15;
          const i = Math.floor(x) % 24;
          const t = x - Math.floor(x);
          const boundary = lats[i]! + (lats[(i + 1) % 24]! - lats[i]!) * t;
          if (Math.abs(lat - boundary) < 1e-9) continue;
          assert.equal(containsPoint(shape, lat, lon), lat > boundary, `${lat},${lon} against ${boundary}`);
          if (lat > boundary) assert.ok(inSomeBox(shape, lat, lon));
        }
        assert.equal(containsPoint(shape, 0, 0), false);
        assert.equal(containsPoint(shape, 90, 0), true);
      }),
      { numRuns: 100 },
    );
  });

  it('a ring round the South Pole holds the south', () => {
    const ring = Array.from({ length: 12 }, (_, i) => ({ lat: -75, lon: wrap(-180 + 30 * i) }));
    const shape = compileArea([area({ polygons: [{ points: [...ring, ring[0]!] }] })]);
    assert.equal(containsPoint(shape, -80, 17), true);
    assert.equal(containsPoint(shape, -70, 17), false);
    assert.equal(containsPoint(shape, 80, 17), false);
  });
});

describe('alert area: circles against turf', () => {
  function compareCircles(centerLat: fc.Arbitrary<number>, centerLon: fc.Arbitrary<number>) {
    fc.assert(
      fc.property(centerLat, centerLon, fc.double({ min: 1, max: 400, noNaN: true }), fc.array(fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })), { minLength: 40, maxLength: 40 }), (lat, lon, radiusKm, unit) => {
        const shape = compileArea([area({ circles: [{ center: { lat, lon }, radiusKm } ] })]);
        const oracle = turfCircle([lon, lat], radiusKm, { steps: 256, units: 'kilometers' });
        // Probe a box about twice the circle's size (in degrees, widened with latitude).
        const dLat = (2 * radiusKm) / 111.2;
        const dLon = Math.min(180, dLat / Math.max(0.05, Math.cos((lat * Math.PI) / 180)));
        for (const [u, v] of unit) {
          const pLat = Math.max(-90, Math.min(90, lat + u * dLat));
          const pLon = wrap(lon + v * dLon);
          const d = distanceKm({ lat, lon }, { lat: pLat, lon: pLon });
          // The oracle is a 256-gon with straight edges in degrees: within 1% of the radius
          // its edge and the true circle may disagree.
          if (Math.abs(d - radiusKm) < radiusKm * 0.01) continue;
          const ours = containsPoint(shape, pLat, pLon);
          assert.equal(ours, inTurf(oracle, pLat, pLon), `${pLat},${pLon} (${d} km) for ${lat},${lon} r=${radiusKm}`);
          if (ours) assert.ok(inSomeBox(shape, pLat, pLon), 'an inside point is in one of the index boxes');
        }
      }),
      { numRuns: 200 },
    );
  }

  it('circles anywhere', () => compareCircles(fc.double({ min: -60, max: 60, noNaN: true }), fc.double({ min: -175, max: 175, noNaN: true })));
  it('circles across the antimeridian', () => compareCircles(fc.double({ min: -60, max: 60, noNaN: true }), fc.double({ min: 178, max: 182, noNaN: true }).map(wrap)));
  it('circles at high latitude', () => compareCircles(fc.double({ min: 70, max: 80, noNaN: true }), fc.double({ min: -180, max: 180, noNaN: true })));

  it('every point just inside a circle lies in one of its index boxes', () => {
    // Spherical destination (Vincenty's direct formula on a sphere), written here apart from area.ts.
    const destination = (lat: number, lon: number, km: number, bearingDeg: number) => {
      const r = Math.PI / 180, d = km / 6371.0088, b = bearingDeg * r, p1 = lat * r;
      const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
      const l2 = lon * r + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
      return { lat: p2 / r, lon: wrap(l2 / r) };
    };
    fc.assert(
      fc.property(fc.double({ min: -85, max: 85, noNaN: true }), fc.double({ min: -180, max: 180, noNaN: true }), fc.double({ min: 0.5, max: 800, noNaN: true }), (lat, lon, radiusKm) => {
        const shape = compileArea([area({ circles: [{ center: { lat, lon }, radiusKm }] })]);
        for (let bearing = 0; bearing < 360; bearing += 5) {
          const p = destination(lat, lon, radiusKm * 0.999, bearing);
          assert.ok(containsPoint(shape, p.lat, p.lon), `${p.lat},${p.lon} at ${bearing}°`);
          assert.ok(inSomeBox(shape, p.lat, p.lon), `${p.lat},${p.lon} at ${bearing}° outside ${JSON.stringify(shape.boxes)}`);
          const out = destination(lat, lon, radiusKm * 1.001, bearing);
          assert.equal(containsPoint(shape, out.lat, out.lon), false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a circle over the pole reaches across it', () => {
    const shape = compileArea([area({ circles: [{ center: { lat: 89.5, lon: 0 }, radiusKm: 200 }] })]);
    assert.equal(containsPoint(shape, 89, 180), true, '166 km away, over the pole');
    assert.equal(containsPoint(shape, 87, 180), false);
    assert.ok(inSomeBox(shape, 89, 180));
  });

  it(`radius 0 is a point with a ${POINT_BUFFER_KM} km buffer`, () => {
    // The A.3 earthquake's epicentre.
    const shape = compileArea([area({ circles: [{ center: { lat: 32.9525, lon: -115.5527 }, radiusKm: 0 }] })]);
    assert.equal(containsPoint(shape, 32.9525, -115.5527), true);
    assert.equal(containsPoint(shape, 32.9525 + 0.5 / 111.2, -115.5527), true, '500 m north');
    assert.equal(containsPoint(shape, 32.9525 + 2 / 111.2, -115.5527), false, '2 km north');
    const wider = compileArea([area({ circles: [{ center: { lat: 32.9525, lon: -115.5527 }, radiusKm: 0 }] })], { pointBufferKm: 3 });
    assert.equal(containsPoint(wider, 32.9525 + 2 / 111.2, -115.5527), true);
  });
});

describe('alert area: union and geocodes', () => {
  it('is the union of every area’s polygons and circles', () => {
    const square = (lat: number, lon: number): CapPolygon => ({ points: [[lat, lon], [lat, lon + 1], [lat + 1, lon + 1], [lat + 1, lon], [lat, lon]].map(([a, b]) => ({ lat: a!, lon: b! })) });
    const shape = compileArea([area({ polygons: [square(0, 0)] }), area({ polygons: [square(10, 10)], circles: [{ center: { lat: -20, lon: -20 }, radiusKm: 50 }] })]);
    assert.equal(containsPoint(shape, 0.5, 0.5), true);
    assert.equal(containsPoint(shape, 10.5, 10.5), true);
    assert.equal(containsPoint(shape, -20.1, -20.1), true);
    assert.equal(containsPoint(shape, 5, 5), false);
  });

  it('matches geocodes by zone key, valueName in any case', () => {
    const shape = compileArea([area({ geocodes: [{ valueName: 'SAME', value: '006109' }, { valueName: 'same', value: '006003' }] })]);
    assert.equal(zoneKey('same', ' 006109 '), 'SAME:006109');
    assert.equal(matchesZone(shape, [zoneKey('Same', '006003')]), true);
    assert.equal(matchesZone(shape, ['SAME:006037', 'FIPS:006109']), false);
    assert.equal(containsPoint(shape, 38.5, -120), false, 'a geocode with no known polygon has no geometry');
  });

  it('adds a geocode’s polygons when the caller knows them', () => {
    const county: CapPolygon = { points: [[38, -121], [38, -119], [39, -119], [39, -121], [38, -121]].map(([a, b]) => ({ lat: a!, lon: b! })) };
    const shape = compileArea([area({ geocodes: [{ valueName: 'SAME', value: '006109' }] })], {
      geocodePolygons: (g) => (zoneKey(g.valueName, g.value) === 'SAME:006109' ? [county] : undefined),
    });
    assert.equal(containsPoint(shape, 38.5, -120), true);
    assert.equal(containsPoint(shape, 37.5, -120), false);
  });
});
