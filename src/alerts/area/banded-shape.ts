/**
 * The same point test as containsPoint (src/protocol/cap/area.ts), made fast for polygons
 * of many vertices (a county outline from a geocode table has thousands): each ring's
 * edges are bucketed by latitude band, so a point is tested only against the edges whose
 * latitude span can hold it. The even-odd crossing and the on-edge test only ever count an
 * edge whose span holds the point's latitude, so skipping the others changes no answer,
 * and the arithmetic on the edges kept is the same, term for term.
 */
import { distanceKm, type AlertShape } from '../../protocol/cap/area.ts';

type Ring = AlertShape['rings'][number];

/** Below this many edges a ring is walked whole: the bands would cost more than they save. */
const MIN_EDGES = 32;

interface BandedRing {
  ring: Ring;
  /** Edge start indices (i; the edge is i-1 → i, the last closing to 0) per band; undefined: walk every edge. */
  bands: Uint32Array[] | undefined;
  bandHeight: number;
}

function band(ring: Ring): BandedRing {
  const n = ring.lons.length;
  if (n < MIN_EDGES || ring.maxLat <= ring.minLat) return { ring, bands: undefined, bandHeight: 0 };
  const count = Math.max(1, Math.floor(n / 4));
  const height = (ring.maxLat - ring.minLat) / count;
  const lists: number[][] = Array.from({ length: count }, () => []);
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const lo = Math.min(ring.lats[i]!, ring.lats[j]!);
    const hi = Math.max(ring.lats[i]!, ring.lats[j]!);
    const first = Math.max(0, Math.min(count - 1, Math.floor((lo - ring.minLat) / height)));
    const last = Math.max(0, Math.min(count - 1, Math.floor((hi - ring.minLat) / height)));
    for (let b = first; b <= last; b++) lists[b]!.push(i);
  }
  return { ring, bands: lists.map((l) => Uint32Array.from(l)), bandHeight: height };
}

/** inRing of area.ts over the edges given (`i` the edge's end, `j = i - 1` wrapping). */
function inEdges(ring: Ring, edges: Uint32Array | undefined, lon: number, lat: number): boolean {
  const { lons, lats } = ring;
  const n = lons.length;
  let inside = false;
  const count = edges ? edges.length : n;
  for (let e = 0; e < count; e++) {
    const i = edges ? edges[e]! : e;
    const j = i === 0 ? n - 1 : i - 1;
    const xi = lons[i]!, yi = lats[i]!, xj = lons[j]!, yj = lats[j]!;
    const cross = (xj - xi) * (lat - yi) - (yj - yi) * (lon - xi);
    if (cross === 0 && lon >= Math.min(xi, xj) && lon <= Math.max(xi, xj) && lat >= Math.min(yi, yj) && lat <= Math.max(yi, yj)) return true;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function ringContains(b: BandedRing, lat: number, lon: number): boolean {
  const ring = b.ring;
  if (lat < ring.minLat || lat > ring.maxLat) return false;
  const edges = b.bands ? b.bands[Math.max(0, Math.min(b.bands.length - 1, Math.floor((lat - ring.minLat) / b.bandHeight)))] : undefined;
  for (let k = Math.ceil((ring.minLon - lon) / 360); lon + 360 * k <= ring.maxLon; k++) {
    if (inEdges(ring, edges, lon + 360 * k, lat)) return true;
  }
  return false;
}

/**
 * A point test equal to containsPoint(shape, lat, lon), prepared once per shape.
 * @example const inside = bandedContains(shape); inside(38.5, -120)
 */
export function bandedContains(shape: AlertShape): (lat: number, lon: number) => boolean {
  const rings = shape.rings.map(band);
  const circles = shape.circles;
  return (lat, lon) => {
    for (const r of rings) if (ringContains(r, lat, lon)) return true;
    for (const c of circles) if (distanceKm(c, { lat, lon }) <= c.radiusKm) return true;
    return false;
  };
}
