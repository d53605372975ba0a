/**
 * The circle test of containsPoint (src/protocol/cap/area.ts: haversine distance within
 * the radius), prepared once per circle so most points cost a few multiplications and no
 * trigonometry. The haversine term of a point is
 *
 *   h = sin²(Δφ/2) + cos φc · cos φ · sin²(Δλ/2),   inside ⇔ h ≤ sin²(r / 2R)
 *
 * and it is bounded without a sine: x - x³/6 ≤ sin x ≤ x for 0 ≤ x ≤ π/2 (both halved
 * angles are there once Δλ is taken the short way round), and cos φ lies between the
 * bounds of its latitude slot in a table built over the circle's latitude band. A point
 * whose upper bound is inside the radius, or whose lower bound is outside it, each by a
 * relative 1e-9 (far more than the rounding of either side), has its answer; only a point
 * near the rim is measured with distanceKm itself, so the answer is containsPoint's.
 *
 * prepared-circle.test.ts holds the answers to containsPoint's.
 */
import { distanceKm, EARTH_RADIUS_KM, type Circle } from '../../protocol/cap/area.ts';

const rad = Math.PI / 180;
/** Latitude slots of the cos φ table: a 300 km circle's slot spans ~2 km, where cos φ varies by ~0.003 %. */
const SLOTS = 256;
/** Relative margin on h beyond which a bound decides: rounding on either side is ~1e-15. */
const DECIDES = 1e-9;
/** Degrees by which a slot is widened, so a latitude rounded to the next slot still has its bounds. */
const SLOT_MARGIN = 1e-9;
/** Above this angular radius (radians, ~12,700 km) the bounds are not worth it: near-antipodal h rounds to 1. */
const MAX_ANGULAR = 2;

/**
 * A test equal to `distanceKm(circle, {lat, lon}) <= circle.radiusKm`.
 * @example const inside = preparedCircle({ lat: 38.58, lon: -121.49, radiusKm: 300 }); inside(38, -121)
 */
export function preparedCircle(c: Circle): (lat: number, lon: number) => boolean {
  const exact = (lat: number, lon: number) => distanceKm(c, { lat, lon }) <= c.radiusKm;
  const angular = c.radiusKm / EARTH_RADIUS_KM;
  if (!(angular > 0) || angular > MAX_ANGULAR) return exact;
  const hMax = Math.sin(angular / 2) ** 2;
  const hInside = hMax * (1 - DECIDES);
  const hOutside = hMax * (1 + DECIDES);
  const cosC = Math.max(0, Math.cos(c.lat * rad));
  const band0 = Math.max(-90, c.lat - angular / rad);
  const slot = (Math.min(90, c.lat + angular / rad) - band0) / SLOTS;
  const cosLow = new Float64Array(SLOTS);
  const cosHigh = new Float64Array(SLOTS);
  for (let s = 0; s < SLOTS; s++) {
    const a = Math.max(-90, band0 + s * slot - SLOT_MARGIN);
    const b = Math.min(90, band0 + (s + 1) * slot + SLOT_MARGIN);
    // cos is largest at the equator and falls away from it on both sides.
    const ca = Math.cos(a * rad);
    const cb = Math.cos(b * rad);
    cosLow[s] = Math.max(0, Math.min(ca, cb) * (1 - DECIDES));
    cosHigh[s] = (a <= 0 && b >= 0 ? 1 : Math.max(ca, cb)) * (1 + DECIDES);
  }
  return (lat, lon) => {
    const s = Math.floor((lat - band0) / slot);
    if (!(s >= 0 && s < SLOTS)) return exact(lat, lon);
    let dLon = lon - c.lon;
    if (dLon > 180) dLon -= 360;
    else if (dLon < -180) dLon += 360;
    // Beyond ±180 after one turn (a longitude out of range) the lower bound of sin fails.
    if (!(Math.abs(dLon) <= 180)) return exact(lat, lon);
    const x = (Math.abs(lat - c.lat) * rad) / 2;
    const y = (Math.abs(dLon) * rad) / 2;
    const k = cosC * y * y;
    if (x * x + k * cosHigh[s]! <= hInside) return true;
    const sx = x * (1 - (x * x) / 6);
    const sy = 1 - (y * y) / 6;
    if (sx * sx + k * sy * sy * cosLow[s]! >= hOutside) return false;
    return exact(lat, lon);
  };
}
