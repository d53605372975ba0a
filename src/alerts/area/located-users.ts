/**
 * The located users of an app, indexed so an alert's area resolves to its people in
 * milliseconds: a flatbush packed R-tree over their points, and a map from zone key
 * (`SAME:006109`) to the users who picked that zone. Built once per resolution pass from
 * columns the store streams out; held in typed arrays (16 bytes a point) so a million
 * users cost ~40 MB, not a million objects.
 *
 * Users are named by their ordinal: the position at which the caller added them. The
 * caller keeps the ordinal → user id list, as it already has it from the scan.
 */
import Flatbush from 'flatbush';
import { containsPoint, matchesZone, type AlertShape } from '../../protocol/cap/area.ts';
import { preparedParts } from './prepared-shape.ts';

export class LocatedUserIndex {
  readonly size: number;
  private readonly lats: Float64Array;
  private readonly lons: Float64Array;
  /** Ordinals of users with a point, in index order (flatbush ids map through this). */
  private readonly located: Uint32Array;
  private readonly tree: Flatbush | undefined;
  private readonly zones: Map<string, number[]>;

  private constructor(lats: Float64Array, lons: Float64Array, zones: Map<string, number[]>) {
    this.size = lats.length;
    this.lats = lats;
    this.lons = lons;
    this.zones = zones;
    let count = 0;
    for (let i = 0; i < lats.length; i++) if (!Number.isNaN(lats[i]!)) count++;
    this.located = new Uint32Array(count);
    if (count === 0) return;
    const tree = new Flatbush(count);
    let k = 0;
    for (let i = 0; i < lats.length; i++) {
      if (Number.isNaN(lats[i]!)) continue;
      this.located[k++] = i;
      tree.add(lons[i]!, lats[i]!, lons[i]!, lats[i]!);
    }
    tree.finish();
    this.tree = tree;
  }

  /**
   * Builds the index from users given in order; a user without a location has `lat` and
   * `lon` undefined (or NaN) and is found only through zones.
   * @example LocatedUserIndex.build(rows.map((r) => ({ lat: r.latitude, lon: r.longitude, zones: r.zones })))
   */
  static build(users: Iterable<{ lat?: number | null; lon?: number | null; zones?: Iterable<string> }>): LocatedUserIndex {
    const lats: number[] = [];
    const lons: number[] = [];
    const zones = new Map<string, number[]>();
    let i = 0;
    for (const u of users) {
      const located = typeof u.lat === 'number' && typeof u.lon === 'number' && Number.isFinite(u.lat) && Number.isFinite(u.lon);
      lats.push(located ? u.lat! : Number.NaN);
      lons.push(located ? u.lon! : Number.NaN);
      for (const z of u.zones ?? []) {
        let list = zones.get(z);
        if (!list) zones.set(z, (list = []));
        list.push(i);
      }
      i++;
    }
    return new LocatedUserIndex(Float64Array.from(lats), Float64Array.from(lons), zones);
  }

  /** Builds the index from columns already in typed arrays (NaN for no location). */
  static fromColumns(lats: Float64Array, lons: Float64Array, zones: Map<string, number[]> = new Map()): LocatedUserIndex {
    if (lats.length !== lons.length) throw new RangeError('lats and lons differ in length');
    return new LocatedUserIndex(lats, lons, zones);
  }

  /**
   * The ordinals of every user in the shape: by point (in a polygon or circle) or by zone
   * (one of the shape's geocodes), each once, in ascending order.
   */
  resolve(shape: AlertShape): Uint32Array {
    // Bit sets, not a byte a user: 125 KB for a million users stays in cache while the tree
    // walk sets bits at random, and the passes over them skip 32 users at a time.
    const hit = new Int32Array((this.size + 31) >>> 5);
    if (this.tree && shape.boxes.length > 0) {
      const tree = this.tree;
      const parts = preparedParts(shape);
      // Marked by the tree's id (the order points were added) and read from the tree's own
      // boxes, which the walk passes in its order: random reads of the columns cost more
      // than the point tests over a million users.
      const inTree = new Int32Array((this.located.length + 31) >>> 5);
      shape.boxes.forEach(([x0, y0, x1, y1], k) => {
        const inside = parts[shape.boxParts[k]!]!;
        // The filter runs the part's test inside the tree walk: no candidate array is built.
        tree.search(x0, y0, x1, y1, (id, lon, lat) => {
          const w = id >>> 5;
          const bit = 1 << (id & 31);
          if ((inTree[w]! & bit) === 0 && inside(lat, lon)) inTree[w]! |= bit;
          return false;
        });
      });
      forEachBit(inTree, (id) => {
        const i = this.located[id]!;
        hit[i >>> 5]! |= 1 << (i & 31);
      });
    }
    for (const key of shape.geocodes) for (const i of this.zones.get(key) ?? []) hit[i >>> 5]! |= 1 << (i & 31);
    let count = 0;
    for (let w = 0; w < hit.length; w++) count += bitCount(hit[w]!);
    const out = new Uint32Array(count);
    let k = 0;
    forEachBit(hit, (i) => {
      out[k++] = i;
    });
    return out;
  }

  /** Whether one user (by ordinal) is in the shape; resolve() is the same question for all. */
  contains(shape: AlertShape, ordinal: number, zones: Iterable<string> = []): boolean {
    const lat = this.lats[ordinal]!;
    return (!Number.isNaN(lat) && containsPoint(shape, lat, this.lons[ordinal]!)) || matchesZone(shape, zones);
  }
}

/** Calls `f` with the index of every set bit, in ascending order. */
function forEachBit(words: Int32Array, f: (index: number) => void): void {
  for (let w = 0; w < words.length; w++) {
    for (let bits = words[w]!; bits !== 0; bits &= bits - 1) f((w << 5) | (31 - Math.clz32(bits & -bits)));
  }
}

/** The number of set bits of a 32-bit word (SWAR popcount). */
function bitCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
