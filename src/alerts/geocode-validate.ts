/**
 * A geocode table as uploaded (pure): a GeoJSON FeatureCollection (RFC 7946) whose
 * features are the codes' polygons, the code in a named property. Checked whole before
 * anything is stored; the first fault is refused with a JSON pointer to it.
 *
 * - RFC 7946 §3.1.6: a Polygon is an array of linear rings, each of at least four
 *   positions, the first and last equal; a MultiPolygon an array of those.
 * - §3.1.1: a position is [longitude, latitude] (more members, an altitude, are allowed and
 *   ignored), within -180..180 and -90..90.
 * - The code: a string or a number in the named property, 1 to 64 characters, each code once.
 */
import { ApiError } from '../errors/api-error.ts';

export const GEOCODE_LIMITS = { maxFeatures: 20_000, maxPositions: 2_000_000, maxCodeLength: 64 } as const;

/** One code's polygons: the outer ring of each, as [lon, lat] pairs (holes are not kept: CAP polygons have none). */
export interface GeocodeEntry {
  code: string;
  /** The GeoJSON geometry as uploaded. */
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: unknown };
  rings: [number, number][][];
  bbox: [number, number, number, number];
}

function fault(pointer: string, detail: string): never {
  throw new ApiError('invalid_geocode_table', `${pointer.slice(2) || 'body'}: ${detail}`, { pointer, errors: [{ pointer, detail }] });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function ring(value: unknown, at: string, count: { positions: number }): [number, number][] {
  if (!Array.isArray(value) || value.length < 4) fault(at, 'a linear ring has at least four positions (RFC 7946 §3.1.6)');
  const out: [number, number][] = [];
  value.forEach((p: unknown, i: number) => {
    if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number' || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) fault(`${at}/${i}`, 'a position is [longitude, latitude], two numbers');
    const [lon, lat] = p as [number, number];
    if (lon < -180 || lon > 180 || lat < -90 || lat > 90) fault(`${at}/${i}`, 'longitude within -180..180 and latitude within -90..90 (RFC 7946 §3.1.1; [lon, lat] order)');
    out.push([lon, lat]);
  });
  count.positions += out.length;
  if (count.positions > GEOCODE_LIMITS.maxPositions) fault(at, `the table holds more than ${GEOCODE_LIMITS.maxPositions} positions`);
  const [first, last] = [out[0]!, out[out.length - 1]!];
  if (first[0] !== last[0] || first[1] !== last[1]) fault(at, 'the first and last positions of a linear ring are equal (RFC 7946 §3.1.6)');
  return out;
}

function polygon(value: unknown, at: string, count: { positions: number }): [number, number][] {
  if (!Array.isArray(value) || value.length === 0) fault(at, 'a Polygon is an array of linear rings, the outer one first');
  const rings = value.map((r: unknown, i: number) => ring(r, `${at}/${i}`, count));
  return rings[0]!;
}

/**
 * Checks an uploaded table and returns its codes.
 * @throws ApiError invalid_geocode_table
 */
export function validateGeocodeTable(body: unknown, codeProperty: string): GeocodeEntry[] {
  if (!isObject(body) || body.type !== 'FeatureCollection') fault('#/type', 'the table is a GeoJSON FeatureCollection');
  const features = body.features;
  if (!Array.isArray(features) || features.length === 0) fault('#/features', 'a FeatureCollection has an array of features, here at least one');
  if (features.length > GEOCODE_LIMITS.maxFeatures) fault('#/features', `at most ${GEOCODE_LIMITS.maxFeatures} features`);
  const seen = new Set<string>();
  const count = { positions: 0 };
  return features.map((f: unknown, i: number): GeocodeEntry => {
    const at = `#/features/${i}`;
    if (!isObject(f) || f.type !== 'Feature') fault(`${at}/type`, 'each member of features is a Feature');
    const raw = isObject(f.properties) ? f.properties[codeProperty] : undefined;
    const code = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : typeof raw === 'string' ? raw.trim() : undefined;
    if (code === undefined || code === '' || code.length > GEOCODE_LIMITS.maxCodeLength || /\s/.test(code)) fault(`${at}/properties/${codeProperty.replace(/~/g, '~0').replace(/\//g, '~1')}`, `the code is a string or number of 1 to ${GEOCODE_LIMITS.maxCodeLength} characters without spaces`);
    if (seen.has(code)) fault(`${at}/properties`, `the code ${code} is given twice`);
    seen.add(code);
    const geometry = f.geometry;
    if (!isObject(geometry) || (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon')) fault(`${at}/geometry/type`, 'a code’s geometry is a Polygon or a MultiPolygon');
    const coordinates = geometry.coordinates;
    let rings: [number, number][][];
    if (geometry.type === 'Polygon') rings = [polygon(coordinates, `${at}/geometry/coordinates`, count)];
    else {
      if (!Array.isArray(coordinates) || coordinates.length === 0) fault(`${at}/geometry/coordinates`, 'a MultiPolygon is an array of Polygons');
      rings = coordinates.map((p: unknown, j: number) => polygon(p, `${at}/geometry/coordinates/${j}`, count));
    }
    let [minLon, minLat, maxLon, maxLat] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const r of rings) for (const [lon, lat] of r) [minLon, minLat, maxLon, maxLat] = [Math.min(minLon, lon), Math.min(minLat, lat), Math.max(maxLon, lon), Math.max(maxLat, lat)];
    return { code, geometry: { type: geometry.type, coordinates }, rings, bbox: [minLon, minLat, maxLon, maxLat] };
  });
}
