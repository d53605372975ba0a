/**
 * An alert's area as one shape: the union of its `<area>` blocks' polygons, circles and
 * geocodes (CAP 1.2 §3.2.4: "multiple ... shall be interpreted as a union"), and the test
 * whether a point or a zone code falls in it. Pure and synchronous.
 *
 * Geometry rules (docs/civic-alerts.md, "Geometry"):
 * - CAP writes `lat,lon`; shapes here keep that order in their fields, and compare in
 *   (lon, lat) like GeoJSON, with straight edges in degrees (as GeoJSON, turf and the NWS
 *   draw them), even-odd rule, boundary inside.
 * - An edge takes the shorter way round: two vertices more than 180° of longitude apart
 *   cross the antimeridian (`51,179 51,-179` is 2° wide, not 358°).
 * - A ring whose longitudes wind once round the globe encloses a pole: the one on the
 *   ring's side of the equator (its mean latitude), the smaller of the two regions.
 * - A circle is every point within its radius by great-circle distance (haversine on the
 *   mean Earth radius, 6371.0088 km, IUGG, the radius turf uses). Radius 0 means a point:
 *   it is given POINT_BUFFER_KM so a user standing there is reached.
 * - A geocode matches a user's zone with the same valueName (case-insensitive) and value;
 *   where the caller knows a geocode's polygons (an uploaded table), they join the shape.
 */
import type { CapArea, CapPoint, CapPolygon, CapValuePair } from './types.ts';

/** Mean Earth radius in km (IUGG R1), as turf's `earthRadius`. */
export const EARTH_RADIUS_KM = 6371.0088;

/**
 * The radius given to a CAP circle of radius 0 (a point, as the A.3 earthquake sample
 * writes its epicentre), in km: a consumer GPS fix is good to a few metres, a browser's
 * network position to hundreds, so a user "at" the point is within about 1 km.
 */
export const POINT_BUFFER_KM = 1;

/** [minLon, minLat, maxLon, maxLat], all within -180..180 / -90..90. */
export type BBox = [number, number, number, number];

export interface Ring {
  /** Longitudes unwrapped so consecutive vertices differ by at most 180°. */
  lons: Float64Array;
  lats: Float64Array;
  minLon: number;
  maxLon: number;
  minLat: number;
  maxLat: number;
}

export interface Circle {
  lat: number;
  lon: number;
  radiusKm: number;
}

export interface AlertShape {
  rings: Ring[];
  circles: Circle[];
  /** `VALUENAME:value` keys (valueName upper-cased). */
  geocodes: Set<string>;
  /** Boxes covering every ring and circle, split at the antimeridian: what to look up in a spatial index. */
  boxes: BBox[];
  /**
   * The part each box covers: ring `boxParts[k]`, or circle `boxParts[k] - rings.length`.
   * A point in the union is in some part, and so in one of that part's boxes: each box's
   * points need testing against its own part only.
   */
  boxParts: number[];
}

export interface CompileAreaOptions {
  /** Polygons for a geocode (from the app's geocode table), when known. */
  geocodePolygons?: (geocode: CapValuePair) => readonly CapPolygon[] | undefined;
  /** The radius given to circles of radius 0, in km; POINT_BUFFER_KM when absent. */
  pointBufferKm?: number;
}

/** The key a geocode or a user's zone is matched by. */
export function zoneKey(valueName: string, value: string): string {
  return `${valueName.trim().toUpperCase()}:${value.trim()}`;
}

const wrap180 = (d: number) => ((((d + 180) % 360) + 360) % 360) - 180;

function compileRing(polygon: CapPolygon): Ring {
  const pts = polygon.points;
  const lons: number[] = [pts[0]!.lon];
  const lats: number[] = [pts[0]!.lat];
  for (let i = 1; i < pts.length; i++) {
    let d = wrap180(pts[i]!.lon - pts[i - 1]!.lon);
    // Exactly 180° apart is ambiguous; CAP gives no rule, east is taken.
    if (d === -180) d = 180;
    lons.push(lons[i - 1]! + d);
    lats.push(pts[i]!.lat);
  }
  const winding = Math.round((lons[lons.length - 1]! - lons[0]!) / 360);
  if (winding !== 0) {
    // The ring goes round a pole: close it along the pole's "edge" (latitude ±90 spans
    // every longitude in this plane), which makes a plain polygon of the capped region.
    const mean = lats.reduce((s, v) => s + v, 0) / lats.length;
    const pole = mean >= 0 ? 90 : -90;
    lons.push(lons[lons.length - 1]!, lons[0]!);
    lats.push(pole, pole);
  }
  const ring: Ring = {
    lons: Float64Array.from(lons),
    lats: Float64Array.from(lats),
    minLon: Math.min(...lons),
    maxLon: Math.max(...lons),
    minLat: Math.min(...lats),
    maxLat: Math.max(...lats),
  };
  return ring;
}

/** Even-odd crossing test in the (lon, lat) plane; points on an edge count as inside. */
function inRing(ring: Ring, lon: number, lat: number): boolean {
  const { lons, lats } = ring;
  let inside = false;
  for (let i = 0, j = lons.length - 1; i < lons.length; j = i++) {
    const xi = lons[i]!, yi = lats[i]!, xj = lons[j]!, yj = lats[j]!;
    // On the segment: collinear and within its box.
    const cross = (xj - xi) * (lat - yi) - (yj - yi) * (lon - xi);
    if (cross === 0 && lon >= Math.min(xi, xj) && lon <= Math.max(xi, xj) && lat >= Math.min(yi, yj) && lat <= Math.max(yi, yj)) return true;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function ringContains(ring: Ring, lat: number, lon: number): boolean {
  if (lat < ring.minLat || lat > ring.maxLat) return false;
  // The ring lives in unwrapped longitudes: try every copy of the point that lands in its span.
  for (let k = Math.ceil((ring.minLon - lon) / 360); lon + 360 * k <= ring.maxLon; k++) {
    if (inRing(ring, lon + 360 * k, lat)) return true;
  }
  return false;
}

const rad = Math.PI / 180;

/** Great-circle distance in km (haversine). */
export function distanceKm(a: CapPoint, b: CapPoint): number {
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Splits a box in unwrapped longitudes into boxes within -180..180. */
function splitBox(minLon: number, minLat: number, maxLon: number, maxLat: number): BBox[] {
  if (maxLon - minLon >= 360) return [[-180, minLat, 180, maxLat]];
  const shift = Math.floor((minLon + 180) / 360) * 360;
  const lo = minLon - shift;
  const hi = maxLon - shift;
  if (hi <= 180) return [[lo, minLat, hi, maxLat]];
  return [
    [lo, minLat, 180, maxLat],
    [-180, minLat, hi - 360, maxLat],
  ];
}

function circleBoxes(c: Circle): BBox[] {
  const angular = c.radiusKm / EARTH_RADIUS_KM; // radians
  const dLat = angular / rad;
  const minLat = Math.max(-90, c.lat - dLat);
  const maxLat = Math.min(90, c.lat + dLat);
  // A cap that reaches a pole covers every longitude near it.
  if (minLat === -90 || maxLat === 90 || angular >= Math.PI / 2) return [[-180, minLat, 180, maxLat]];
  // Widest longitude of a spherical cap: asin(sin r / cos φ).
  const s = Math.sin(angular) / Math.cos(c.lat * rad);
  if (s >= 1) return [[-180, minLat, 180, maxLat]];
  const dLon = Math.asin(s) / rad;
  return splitBox(c.lon - dLon, minLat, c.lon + dLon, maxLat);
}

/**
 * Compiles the union of an alert's areas (all `<area>` blocks of one `<info>`, or of
 * several) into a shape that answers point and zone questions.
 * @example const shape = compileArea(alert.infos[0].areas); containsPoint(shape, 38.5, -119.9)
 */
export function compileArea(areas: readonly CapArea[], options: CompileAreaOptions = {}): AlertShape {
  const buffer = options.pointBufferKm ?? POINT_BUFFER_KM;
  const shape: AlertShape = { rings: [], circles: [], geocodes: new Set(), boxes: [], boxParts: [] };
  for (const area of areas) {
    for (const polygon of area.polygons) shape.rings.push(compileRing(polygon));
    for (const circle of area.circles) {
      shape.circles.push({ lat: circle.center.lat, lon: circle.center.lon, radiusKm: circle.radiusKm > 0 ? circle.radiusKm : buffer });
    }
    for (const geocode of area.geocodes) {
      shape.geocodes.add(zoneKey(geocode.valueName, geocode.value));
      for (const polygon of options.geocodePolygons?.(geocode) ?? []) shape.rings.push(compileRing(polygon));
    }
  }
  const parts = [
    ...shape.rings.map((r) => splitBox(r.minLon, Math.max(-90, r.minLat), r.maxLon, Math.min(90, r.maxLat))),
    ...shape.circles.map(circleBoxes),
  ];
  parts.forEach((boxes, part) => {
    for (const box of boxes) {
      shape.boxes.push(box);
      shape.boxParts.push(part);
    }
  });
  return shape;
}

/** Whether the point (degrees, WGS 84) is in any polygon or circle of the shape. */
export function containsPoint(shape: AlertShape, lat: number, lon: number): boolean {
  for (const ring of shape.rings) if (ringContains(ring, lat, lon)) return true;
  for (const c of shape.circles) if (distanceKm(c, { lat, lon }) <= c.radiusKm) return true;
  return false;
}

/** Whether any of the user's zone keys (zoneKey()) is one of the shape's geocodes. */
export function matchesZone(shape: AlertShape, zones: Iterable<string>): boolean {
  for (const z of zones) if (shape.geocodes.has(z)) return true;
  return false;
}
