/**
 * The same point test as containsPoint (src/protocol/cap/area.ts), made fast for polygons
 * of many vertices (a county outline from a geocode table has thousands, a hand-drawn
 * state hundreds): each ring is cut into thin latitude rows, and each row knows
 *
 * - its edges: those whose latitude span meets the row. The even-odd crossing and the
 *   on-edge test only ever count an edge whose span holds the point's latitude, so testing
 *   a point against its row's edges alone changes no answer;
 * - where along it those edges lie: the longitude extent of each edge within the row,
 *   widened by MARGIN and merged into intervals. Between two intervals (and beyond the
 *   first and the last) no edge passes, so every point there has the same answer, worked
 *   out once when the row is built. A point is then answered by a binary search in its
 *   row; only a point inside an interval (within a hair of an edge's piece of the row) is
 *   tested against the row's edges, with the arithmetic of area.ts, term for term.
 *
 * banded-shape.test.ts holds the answers to containsPoint's and to turf's.
 */
import { distanceKm, type AlertShape } from '../../protocol/cap/area.ts';

type Ring = AlertShape['rings'][number];

/** Below this many edges a ring is walked whole: the rows would cost more than they save. */
const MIN_EDGES = 32;
/** Rows per edge of the ring, at most MAX_ROWS: thin rows leave few edges in each. */
const ROWS_PER_EDGE = 4;
const MAX_ROWS = 4096;
/** Edge pieces kept over all rows, at most: bounds the memory of long, crossing edges. */
const MAX_PIECES = 2_000_000;
/**
 * Degrees (about 0.1 mm) by which an edge's piece of a row is widened: far more than the
 * rounding of the crossing arithmetic on longitudes up to ±540, so a point outside every
 * widened piece is on the same side of each edge in exact and in floating arithmetic.
 */
const MARGIN = 1e-9;

interface RowedRing {
  ring: Ring;
  rows: number;
  rowHeight: number;
  /** Row r's edges are edges[edgeStart[r] .. edgeStart[r + 1]) (i; the edge is i-1 → i, the last closing to 0). */
  edgeStart: Uint32Array;
  edges: Uint32Array;
  /** Row r's merged intervals are k in intervalStart[r] .. intervalStart[r + 1]: [lo[k], hi[k]], ascending. */
  intervalStart: Uint32Array;
  lo: Float64Array;
  hi: Float64Array;
  /** 1 where the gap before interval k is inside; gap k + r of row r, and one more after its last interval. */
  gapInside: Uint8Array;
}

/** The longitude extent of edge (j → i) between latitudes y0 and y1, or undefined when it does not reach them. */
function pieceOf(ring: Ring, i: number, j: number, y0: number, y1: number): [number, number] | undefined {
  const xi = ring.lons[i]!, yi = ring.lats[i]!, xj = ring.lons[j]!, yj = ring.lats[j]!;
  const bottom = Math.max(Math.min(yi, yj), y0);
  const top = Math.min(Math.max(yi, yj), y1);
  if (bottom > top) return undefined;
  if (yi === yj) return [Math.min(xi, xj) - MARGIN, Math.max(xi, xj) + MARGIN];
  const xa = xj + ((xi - xj) * (bottom - yj)) / (yi - yj);
  const xb = xj + ((xi - xj) * (top - yj)) / (yi - yj);
  return [Math.min(xa, xb) - MARGIN, Math.max(xa, xb) + MARGIN];
}

function rowsFor(ring: Ring): RowedRing | undefined {
  const n = ring.lons.length;
  const height = ring.maxLat - ring.minLat;
  if (n < MIN_EDGES || !(height > 0)) return undefined;
  let span = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) span += Math.abs(ring.lats[i]! - ring.lats[j]!) / height;
  const rows = Math.max(1, Math.min(MAX_ROWS, ROWS_PER_EDGE * n, Math.floor(MAX_PIECES / Math.max(1, span + 2))));
  const rowHeight = height / rows;
  const byRow: number[][] = Array.from({ length: rows }, () => []);
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const lo = Math.min(ring.lats[i]!, ring.lats[j]!) - ring.minLat;
    const hi = Math.max(ring.lats[i]!, ring.lats[j]!) - ring.minLat;
    // One row either side more than the arithmetic needs: a row holding an edge it need not is harmless.
    const first = Math.max(0, Math.floor(lo / rowHeight) - 1);
    const last = Math.min(rows - 1, Math.floor(hi / rowHeight) + 1);
    for (let r = first; r <= last; r++) byRow[r]!.push(i);
  }
  const edgeStart = new Uint32Array(rows + 1);
  const edges: number[] = [];
  const intervalStart = new Uint32Array(rows + 1);
  const lo: number[] = [];
  const hi: number[] = [];
  const gaps: number[] = [];
  for (let r = 0; r < rows; r++) {
    edgeStart[r] = edges.length;
    intervalStart[r] = lo.length;
    // The row as points are put in it (floor of the offset over the height), widened by MARGIN.
    const y0 = ring.minLat + r * rowHeight - MARGIN;
    const y1 = ring.minLat + (r + 1) * rowHeight + MARGIN;
    const mid = ring.minLat + (r + 0.5) * rowHeight;
    const pieces: { lo: number; hi: number; crossesMid: boolean }[] = [];
    for (const i of byRow[r]!) {
      const j = i === 0 ? n - 1 : i - 1;
      const piece = pieceOf(ring, i, j, y0, y1);
      if (!piece) continue;
      edges.push(i);
      pieces.push({ lo: piece[0], hi: piece[1], crossesMid: ring.lats[i]! > mid !== ring.lats[j]! > mid });
    }
    pieces.sort((a, b) => a.lo - b.lo);
    // Merge, counting per interval the edges that cross the row's middle latitude.
    const counts: number[] = [];
    for (const p of pieces) {
      const k = lo.length - 1;
      if (k >= intervalStart[r]! && p.lo <= hi[k]!) {
        hi[k] = Math.max(hi[k]!, p.hi);
        if (p.crossesMid) counts[counts.length - 1]!++;
      } else {
        lo.push(p.lo);
        hi.push(p.hi);
        counts.push(p.crossesMid ? 1 : 0);
      }
    }
    // A gap is inside when an odd number of edges cross the middle latitude east of it
    // (the even-odd rule, its ray cast east as in area.ts); no edge passes through a gap,
    // so its middle stands for all of it.
    const rowGaps = new Array<number>(counts.length + 1);
    let east = 0;
    rowGaps[counts.length] = 0;
    for (let k = counts.length - 1; k >= 0; k--) {
      east += counts[k]!;
      rowGaps[k] = east % 2;
    }
    gaps.push(...rowGaps);
  }
  edgeStart[rows] = edges.length;
  intervalStart[rows] = lo.length;
  return {
    ring,
    rows,
    rowHeight,
    edgeStart,
    edges: Uint32Array.from(edges),
    intervalStart,
    lo: Float64Array.from(lo),
    hi: Float64Array.from(hi),
    gapInside: Uint8Array.from(gaps),
  };
}

/** inRing of area.ts over the edges given (`i` the edge's end, `j = i - 1` wrapping), or every edge. */
function inEdges(ring: Ring, edges: Uint32Array | undefined, from: number, to: number, lon: number, lat: number): boolean {
  const { lons, lats } = ring;
  const n = lons.length;
  let inside = false;
  for (let e = from; e < to; e++) {
    const i = edges ? edges[e]! : e;
    const j = i === 0 ? n - 1 : i - 1;
    const xi = lons[i]!, yi = lats[i]!, xj = lons[j]!, yj = lats[j]!;
    const cross = (xj - xi) * (lat - yi) - (yj - yi) * (lon - xi);
    if (cross === 0 && lon >= Math.min(xi, xj) && lon <= Math.max(xi, xj) && lat >= Math.min(yi, yj) && lat <= Math.max(yi, yj)) return true;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The answer for one copy of the point (its longitude unwrapped into the ring's span). */
function inRow(b: RowedRing, r: number, lon: number, lat: number): boolean {
  const first = b.intervalStart[r]!;
  const end = b.intervalStart[r + 1]!;
  // The first interval starting east of lon.
  let low = first;
  let high = end;
  while (low < high) {
    const m = (low + high) >>> 1;
    if (b.lo[m]! <= lon) low = m + 1;
    else high = m;
  }
  if (low > first && lon <= b.hi[low - 1]!) return inEdges(b.ring, b.edges, b.edgeStart[r]!, b.edgeStart[r + 1]!, lon, lat);
  return b.gapInside[low + r]! === 1;
}

function ringTest(ring: Ring): (lat: number, lon: number) => boolean {
  const b = rowsFor(ring);
  return (lat, lon) => {
    if (lat < ring.minLat || lat > ring.maxLat) return false;
    const r = b ? Math.min(b.rows - 1, Math.floor((lat - ring.minLat) / b.rowHeight)) : 0;
    // The ring lives in unwrapped longitudes: try every copy of the point that lands in its span.
    for (let k = Math.ceil((ring.minLon - lon) / 360); lon + 360 * k <= ring.maxLon; k++) {
      const x = lon + 360 * k;
      if (b ? inRow(b, r, x, lat) : inEdges(ring, undefined, 0, ring.lons.length, x, lat)) return true;
    }
    return false;
  };
}

/**
 * A point test equal to containsPoint(shape, lat, lon), prepared once per shape.
 * @example const inside = bandedContains(shape); inside(38.5, -120)
 */
export function bandedContains(shape: AlertShape): (lat: number, lon: number) => boolean {
  const rings = shape.rings.map(ringTest);
  const circles = shape.circles;
  return (lat, lon) => {
    for (const inRing of rings) if (inRing(lat, lon)) return true;
    for (const c of circles) if (distanceKm(c, { lat, lon }) <= c.radiusKm) return true;
    return false;
  };
}
