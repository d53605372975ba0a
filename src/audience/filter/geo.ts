/**
 * Great-circle distance on a sphere, shared by the SQL compiler and the in-memory
 * evaluator so that both decide "within the radius" with the same arithmetic.
 *
 * The test is the haversine one without its inverse: the distance d between two points is
 * 2R·asin(√h) with h = sin²(Δφ/2) + cos φ1·cos φ2·sin²(Δλ/2), and d ≤ r ⟺ h ≤ sin²(r/2R)
 * for r ≤ πR. The threshold is computed once in JavaScript; per user the SQL needs only sin
 * and cos, which PostgreSQL has and SQLite has when built with its math functions
 * (better-sqlite3's bundled SQLite is; sql/capabilities.ts checks with `select sin(1)`).
 */

/** Mean Earth radius in km (IUGG R1): the sphere's error against the ellipsoid is under 0.5%. */
export const EARTH_RADIUS_KM = 6371.0088;

export const DEG = Math.PI / 180;

export interface Circle {
  lat: number;
  lon: number;
  radiusKm: number;
}

/** What the SQL and the evaluator both need, computed once per filter. */
export interface CircleTest {
  lat: number;
  lon: number;
  /** cos of the centre's latitude. */
  cosLat: number;
  /** sin²(r/2R): h at most this is inside. */
  threshold: number;
  /** A box that holds the whole circle, for the index on (app_id, lat, lon). */
  box: { minLat: number; maxLat: number; lon: { min: number; max: number }[] | undefined };
}

// A bounding box a little larger than the circle: it only narrows, the exact test decides.
const PAD_DEG = 1e-6;

export function circleTest(c: Circle): CircleTest {
  const angle = c.radiusKm / EARTH_RADIUS_KM;
  const s = Math.sin(angle / 2);
  const dLat = angle / DEG + PAD_DEG;
  const minLat = c.lat - dLat;
  const maxLat = c.lat + dLat;
  let lon: { min: number; max: number }[] | undefined;
  // Near a pole the circle spans every longitude: no bound on lon.
  if (minLat > -90 && maxLat < 90) {
    const ratio = Math.sin(angle) / Math.cos(c.lat * DEG);
    if (ratio < 1) {
      const dLon = Math.asin(ratio) / DEG + PAD_DEG;
      const lo = c.lon - dLon;
      const hi = c.lon + dLon;
      // Across the antimeridian the range is two.
      if (lo < -180) lon = [{ min: lo + 360, max: 180 }, { min: -180, max: hi }];
      else if (hi > 180) lon = [{ min: lo, max: 180 }, { min: -180, max: hi - 360 }];
      else lon = [{ min: lo, max: hi }];
    }
  }
  return { lat: c.lat, lon: c.lon, cosLat: Math.cos(c.lat * DEG), threshold: s * s, box: { minLat, maxLat, lon } };
}

/**
 * h for a point, in the exact order of operations the SQL uses (sql/compile-leaf.ts):
 * sin((lat - c.lat) * DEG / 2)² + cos(lat * DEG) * cosLat * sin((lon - c.lon) * DEG / 2)².
 */
export function haversineH(t: CircleTest, lat: number, lon: number): number {
  const a = Math.sin(((lat - t.lat) * DEG) / 2);
  const b = Math.sin(((lon - t.lon) * DEG) / 2);
  return a * a + Math.cos(lat * DEG) * t.cosLat * b * b;
}

export function withinCircle(t: CircleTest, lat: number | null | undefined, lon: number | null | undefined): boolean {
  if (lat == null || lon == null) return false;
  return haversineH(t, lat, lon) <= t.threshold;
}
