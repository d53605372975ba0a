import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileArea, containsPoint } from '../../protocol/cap/area.ts';
import { bandedContains } from './banded-shape.ts';

const wrap = (lon: number) => ((((lon + 180) % 360) + 360) % 360) - 180;

test('bandedContains answers as containsPoint on polygons of many vertices: concave, across the antimeridian, round a pole, on vertices', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0.2, max: 6, noNaN: true }), { minLength: 32, maxLength: 400 }),
      fc.constantFrom({ lat: 38.5, lon: -121 }, { lat: -17, lon: 179.5 }, { lat: 80, lon: 10 }, { lat: 0, lon: 0 }),
      fc.array(fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })), { minLength: 50, maxLength: 200 }),
      (radii, c, probes) => {
        const points = radii.map((r, i) => {
          const a = (2 * Math.PI * i) / radii.length;
          return { lat: Math.max(-90, Math.min(90, c.lat + r * Math.sin(a))), lon: wrap(c.lon + r * Math.cos(a)) };
        });
        const shape = compileArea([{ areaDesc: 'p', polygons: [{ points: [...points, points[0]!] }], circles: [], geocodes: [] }]);
        const inside = bandedContains(shape);
        const tries = [...probes.map(([dy, dx]) => ({ lat: Math.max(-90, Math.min(90, c.lat + dy * 7)), lon: wrap(c.lon + dx * 7) })), ...points];
        for (const p of tries) assert.equal(inside(p.lat, p.lon), containsPoint(shape, p.lat, p.lon), `${p.lat},${p.lon}`);
      },
    ),
    { numRuns: 200 },
  );
});
