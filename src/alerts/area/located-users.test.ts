import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { point as turfPoint, polygon as turfPolygon } from '@turf/helpers';
import fc from 'fast-check';
import { compileArea, containsPoint, zoneKey } from '../../protocol/cap/area.ts';
import { parseCap } from '../../protocol/cap/parse.ts';
import type { CapArea } from '../../protocol/cap/types.ts';
import { capSample } from '../../../test/alerts/cap-vectors.ts';
import { LocatedUserIndex } from './located-users.ts';

/** Deterministic generator (mulberry32) so a failure replays. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const wrap = (lon: number) => ((((lon + 180) % 360) + 360) % 360) - 180;
const area = (parts: Partial<CapArea>): CapArea => ({ areaDesc: 'test', polygons: [], circles: [], geocodes: [], ...parts });

/** Users scattered over the world, denser round a few places, some with no location. */
function users(n: number, seed: number, around: Array<{ lat: number; lon: number; spread: number }>) {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    if (i % 10 === 9) return { zones: [zoneKey('SAME', r() < 0.5 ? '006109' : '024031')] };
    const c = around[i % around.length];
    if (!c || r() < 0.3) return { lat: r() * 180 - 90, lon: r() * 360 - 180 };
    return { lat: Math.max(-90, Math.min(90, c.lat + (r() - 0.5) * c.spread)), lon: wrap(c.lon + (r() - 0.5) * c.spread) };
  });
}

function bruteForce(list: ReturnType<typeof users>, shape: ReturnType<typeof compileArea>): number[] {
  const out: number[] = [];
  list.forEach((u, i) => {
    const byPoint = 'lat' in u && u.lat !== undefined && containsPoint(shape, u.lat, u.lon!);
    const byZone = 'zones' in u && u.zones!.some((z) => shape.geocodes.has(z));
    if (byPoint || byZone) out.push(i);
  });
  return out;
}

describe('LocatedUserIndex', () => {
  it('resolves a real alert (the A.2 thunderstorm and its SAME counties) to the users a scan finds', () => {
    const alert = parseCap(capSample('02'));
    const shape = compileArea(alert.infos[0]!.areas);
    const list = users(50_000, 1, [{ lat: 38.48, lon: -119.95, spread: 0.6 }]);
    const index = LocatedUserIndex.build(list);
    const found = [...index.resolve(shape)];
    assert.deepEqual(found, bruteForce(list, shape));
    const byPoint = found.filter((i) => !('zones' in list[i]!));
    assert.ok(byPoint.length > 100, `some users by point (${byPoint.length})`);
    assert.ok(found.some((i) => 'zones' in list[i]!), 'users by zone SAME:006109');
    assert.ok(!found.some((i) => (list[i] as { zones?: string[] }).zones?.[0] === 'SAME:024031'), 'not the other county');
  });

  it('resolves polygons and circles across the antimeridian and near the poles as a scan does', () => {
    const list = users(40_000, 2, [
      { lat: -17, lon: 179.9, spread: 6 }, // Fiji, on the antimeridian
      { lat: 84, lon: 0, spread: 30 },
      { lat: -80, lon: 170, spread: 40 },
    ]);
    const index = LocatedUserIndex.build(list);
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.3, max: 4, noNaN: true }), { minLength: 3, maxLength: 12 }),
        fc.constantFrom({ lat: -17, lon: 179.5 }, { lat: -17, lon: -179.5 }, { lat: 84, lon: 10 }, { lat: -80, lon: 175 }),
        fc.double({ min: 0, max: 600, noNaN: true }),
        (radii, c, radiusKm) => {
          const points = radii.map((rad, i) => {
            const a = (2 * Math.PI * i) / radii.length;
            return { lat: Math.max(-90, Math.min(90, c.lat + rad * Math.sin(a))), lon: wrap(c.lon + rad * Math.cos(a)) };
          });
          const shape = compileArea([area({ polygons: [{ points: [...points, points[0]!] }] }), area({ circles: [{ center: c, radiusKm }] })]);
          assert.deepEqual([...index.resolve(shape)], bruteForce(list, shape));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('resolves a concave 400-vertex polygon across the antimeridian to the users turf finds in it', () => {
    const center = { lat: -17, lon: 179.6 };
    const list = users(60_000, 3, [{ lat: center.lat, lon: center.lon, spread: 9 }]);
    const index = LocatedUserIndex.build(list);
    const points = Array.from({ length: 400 }, (_, k) => {
      const a = (2 * Math.PI * k) / 400;
      const r = k % 2 === 0 ? 3 : 1.6;
      return { lat: center.lat + r * Math.sin(a), lon: wrap(center.lon + r * 1.3 * Math.cos(a)) };
    });
    const shape = compileArea([area({ polygons: [{ points: [...points, points[0]!] }] })]);
    const ring = points.map((p) => [center.lon + wrap(p.lon - center.lon), p.lat]);
    const oracle = turfPolygon([[...ring, ring[0]!]]);
    const byTurf = list.flatMap((u, i) => ('lat' in u && u.lat !== undefined && [u.lon!, u.lon! - 360, u.lon! + 360].some((x) => booleanPointInPolygon(turfPoint([x, u.lat!]), oracle)) ? [i] : []));
    assert.ok(byTurf.length > 1000, `users in the star (${byTurf.length})`);
    assert.deepEqual([...index.resolve(shape)], byTurf);
  });

  it('resolves an area of many overlapping parts (many-vertex polygons, circles, across the antimeridian) as a scan does, each box tested against its own part', () => {
    const list = users(50_000, 4, [
      { lat: -17, lon: 179.9, spread: 10 },
      { lat: 38.5, lon: -121, spread: 8 },
    ]);
    const index = LocatedUserIndex.build(list);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            c: fc.constantFrom({ lat: -17, lon: 179.5 }, { lat: -16, lon: -179.2 }, { lat: 38.5, lon: -121 }, { lat: 39, lon: -120 }),
            radii: fc.array(fc.double({ min: 0.3, max: 3, noNaN: true }), { minLength: 3, maxLength: 120 }),
            radiusKm: fc.double({ min: 0, max: 400, noNaN: true }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        (parts) => {
          const areas = parts.map(({ c, radii, radiusKm }) => {
            const points = radii.map((r, i) => {
              const a = (2 * Math.PI * i) / radii.length;
              return { lat: c.lat + r * Math.sin(a), lon: wrap(c.lon + r * 1.3 * Math.cos(a)) };
            });
            return area({ polygons: [{ points: [...points, points[0]!] }], circles: [{ center: { lat: c.lat + 1, lon: c.lon }, radiusKm }] });
          });
          const shape = compileArea(areas);
          assert.deepEqual([...index.resolve(shape)], bruteForce(list, shape));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reaches a user standing on a polygon’s edge or vertex, as on a circle’s centre', () => {
    const square = [
      { lat: 0, lon: 0 },
      { lat: 0, lon: 1 },
      { lat: 1, lon: 1 },
      { lat: 1, lon: 0 },
    ];
    const index = LocatedUserIndex.build([{ lat: 0, lon: 0.5 }, { lat: 1, lon: 1 }, { lat: 0.5, lon: 1 + 1e-9 }, { lat: 5, lon: 5 }]);
    const shape = compileArea([area({ polygons: [{ points: [...square, square[0]!] }] }), area({ circles: [{ center: { lat: 5, lon: 5 }, radiusKm: 0 }] })]);
    assert.deepEqual([...index.resolve(shape)], [0, 1, 3]);
  });

  it('reaches users with no location only through zones, and an empty shape reaches no one', () => {
    const index = LocatedUserIndex.build([{ zones: ['SAME:1'] }, { lat: 10, lon: 10 }, {}, { lat: null, lon: null, zones: ['SAME:2'] }]);
    assert.deepEqual([...index.resolve(compileArea([area({ geocodes: [{ valueName: 'same', value: '2' }] })]))], [3]);
    assert.deepEqual([...index.resolve(compileArea([area({ circles: [{ center: { lat: 10, lon: 10 }, radiusKm: 0 }] })]))], [1]);
    assert.deepEqual([...index.resolve(compileArea([]))], []);
    assert.deepEqual([...LocatedUserIndex.build([]).resolve(compileArea([area({ geocodes: [{ valueName: 'SAME', value: '1' }] })]))], []);
  });

  it('counts a user in two overlapping shapes once', () => {
    const index = LocatedUserIndex.build([{ lat: 0, lon: 0, zones: ['SAME:1'] }]);
    const circle = { center: { lat: 0, lon: 0 }, radiusKm: 10 };
    assert.deepEqual([...index.resolve(compileArea([area({ circles: [circle, circle], geocodes: [{ valueName: 'SAME', value: '1' }] })]))], [0]);
  });
});
