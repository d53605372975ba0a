import type { CapCircle, CapPoint, CapPolygon } from './types.ts';

// A decimal number as CAP's WGS 84 coordinates are written (CAP 1.2 §3.3.3: "decimal
// degrees"): no exponent, no hex, no Infinity; what Number() alone would let in.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

function coordinate(text: string): number | undefined {
  return DECIMAL.test(text) ? Number(text) : undefined;
}

/** A "lat,lon" pair, or a reason it is not one. */
function point(pair: string): CapPoint | string {
  const parts = pair.split(',');
  if (parts.length !== 2) return `"${pair.slice(0, 40)}" is not a lat,lon pair`;
  const lat = coordinate(parts[0]!);
  const lon = coordinate(parts[1]!);
  if (lat === undefined || lon === undefined) return `"${pair.slice(0, 40)}" is not a pair of decimal degrees`;
  if (lat < -90 || lat > 90) return `latitude ${lat} is outside -90..90`;
  if (lon < -180 || lon > 180) return `longitude ${lon} is outside -180..180`;
  return { lat, lon };
}

// Untidy white space, as real feeds write it: newlines and runs of spaces between pairs,
// and spaces around the comma inside a pair ("38.47, -120.14").
const tidy = (text: string) => text.trim().replace(/\s*,\s*/g, ',');

/**
 * `<polygon>` (CAP 1.2 §3.2.4): white-space separated "lat,lon" pairs, at least four, the
 * first equal to the last. Tolerated: a ring left open (it is closed here, as the
 * standard's "first and last pairs MUST be equal" intends), if it has three distinct
 * points. Returns the polygon or the reason it is refused.
 */
export function parsePolygon(text: string): CapPolygon | string {
  const tokens = tidy(text).split(/\s+/).filter((t) => t !== '');
  const points: CapPoint[] = [];
  for (const token of tokens) {
    const p = point(token);
    if (typeof p === 'string') return p;
    points.push(p);
  }
  const first = points[0];
  const last = points[points.length - 1];
  if (first && last && (first.lat !== last.lat || first.lon !== last.lon)) points.push({ ...first });
  if (points.length < 4) return `a polygon needs at least three distinct points and a closing one (got ${tokens.length} pairs)`;
  return { points };
}

/** `<circle>` (CAP 1.2 §3.2.4): "lat,lon radius", the radius in kilometres. */
export function parseCircle(text: string): CapCircle | string {
  const tokens = tidy(text).split(/\s+/);
  if (tokens.length !== 2) return 'a circle is "lat,lon radius"';
  const center = point(tokens[0]!);
  if (typeof center === 'string') return center;
  const radiusKm = coordinate(tokens[1]!);
  if (radiusKm === undefined || radiusKm < 0) return `radius "${tokens[1]!.slice(0, 40)}" is not a distance in km`;
  return { center, radiusKm };
}
