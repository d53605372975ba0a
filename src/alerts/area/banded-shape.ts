/**
 * The same point test as containsPoint (src/protocol/cap/area.ts), made fast for polygons
 * of many vertices (a county outline from a geocode table has thousands, a hand-drawn
 * state hundreds): each ring is cut into thin latitude rows, and each row knows
 *
 * - its edges: those whose latitude span meets the row. The even-odd crossing and the
 *   on-edge test only ever count an edge whose span holds the point's latitude, so testing
 *   a point against its row's edges alone changes no answer;
 * - where along it those edges lie: the longitude extent of each edge within the row,
 *   widened by MARGIN and merged into intervals, each with its own edges. Between two
 *   intervals (and beyond the first and the last) no edge passes, so every point there has
 *   the same answer, worked out once when the row is built. A point is then answered by a
 *   binary search in its row; only a point inside an interval (within a hair of an edge's
 *   piece of the row) is tested, against that interval's edges alone, with the arithmetic
 *   of area.ts, term for term, and the answer of the gap after the interval.
 *
 * banded-shape.test.ts holds the answers to containsPoint's and to turf's.
 */
import type { Ring } from '../../protocol/cap/area.ts';

/** Below this many edges a ring is walked whole: the rows would cost more than they save. */
const MIN_EDGES = 32;
/**
 * Rows per edge of the ring, at most MAX_ROWS. More rows make each edge's piece of a row
 * shorter (fewer points fall in an interval) but cost more pieces to prepare; as a point in
 * an interval is tested against that interval's few edges only, two rows an edge is enough.
 */
const ROWS_PER_EDGE = 2;
const MAX_ROWS = 4096;
/** Pieces in a row up to which they are put in order by insertion. */
const INSERTION_SORT_MAX = 24;
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
  /** Row r's merged intervals are k in intervalStart[r] .. intervalStart[r + 1]: [lo[k], hi[k]], ascending. */
  intervalStart: Uint32Array;
  lo: Float64Array;
  hi: Float64Array;
  /** Interval k's edges are edges[edgeStart[k] .. edgeStart[k + 1]) (i; the edge is i-1 → i, the last closing to 0). */
  edgeStart: Uint32Array;
  edges: Uint32Array;
  /** 1 where the gap before interval k is inside; gap k + r of row r, and one more after its last interval. */
  gapInside: Uint8Array;
}

function rowsFor(ring: Ring): RowedRing | undefined {
  const { lons, lats } = ring;
  const n = lons.length;
  const height = ring.maxLat - ring.minLat;
  if (n < MIN_EDGES || !(height > 0)) return undefined;
  let span = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) span += Math.abs(lats[i]! - lats[j]!) / height;
  const rows = Math.max(1, Math.min(MAX_ROWS, ROWS_PER_EDGE * n, Math.floor(MAX_PIECES / Math.max(1, span + 2))));
  const rowHeight = height / rows;
  // Each edge's rows, one either side more than the arithmetic needs (a row holding an edge
  // it need not is harmless), counted first so the pieces go in flat typed arrays.
  const firstRow = new Int32Array(n);
  const lastRow = new Int32Array(n);
  const slotStart = new Uint32Array(rows + 1);
  for (let i = 0, j = n - 1; i < n; j = i++) {
    firstRow[i] = Math.max(0, Math.floor((Math.min(lats[i]!, lats[j]!) - ring.minLat) / rowHeight) - 1);
    lastRow[i] = Math.min(rows - 1, Math.floor((Math.max(lats[i]!, lats[j]!) - ring.minLat) / rowHeight) + 1);
    for (let r = firstRow[i]!; r <= lastRow[i]!; r++) slotStart[r + 1]!++;
  }
  for (let r = 0; r < rows; r++) slotStart[r + 1]! += slotStart[r]!;
  const slots = slotStart[rows]!;
  const pieceEdge = new Uint32Array(slots);
  const pieceLo = new Float64Array(slots);
  const pieceHi = new Float64Array(slots);
  const pieceCrossesMid = new Uint8Array(slots);
  const filled = slotStart.slice(0, rows);
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = lons[i]!, yi = lats[i]!, xj = lons[j]!, yj = lats[j]!;
    for (let r = firstRow[i]!; r <= lastRow[i]!; r++) {
      // The row as points are put in it (floor of the offset over the height), widened by MARGIN.
      const y0 = ring.minLat + r * rowHeight - MARGIN;
      const y1 = ring.minLat + (r + 1) * rowHeight + MARGIN;
      const bottom = Math.max(Math.min(yi, yj), y0);
      const top = Math.min(Math.max(yi, yj), y1);
      if (bottom > top) continue;
      // The edge's longitude extent within the row.
      let a = Math.min(xi, xj), b = Math.max(xi, xj);
      if (yi !== yj) {
        const xa = xj + ((xi - xj) * (bottom - yj)) / (yi - yj);
        const xb = xj + ((xi - xj) * (top - yj)) / (yi - yj);
        a = Math.min(xa, xb);
        b = Math.max(xa, xb);
      }
      const mid = ring.minLat + (r + 0.5) * rowHeight;
      const s = filled[r]!++;
      pieceEdge[s] = i;
      pieceLo[s] = a - MARGIN;
      pieceHi[s] = b + MARGIN;
      pieceCrossesMid[s] = yi > mid !== yj > mid ? 1 : 0;
    }
  }
  // Each row's pieces in the order of their west ends: by insertion where a row holds few
  // (most rows of a county outline hold a handful), by the engine's sort where it holds many.
  const order = new Uint32Array(slots);
  const byLo = (p: number, q: number) => pieceLo[p]! - pieceLo[q]!;
  // At most one interval a piece, and one gap more than its intervals a row.
  const intervalStart = new Uint32Array(rows + 1);
  const lo = new Float64Array(slots);
  const hi = new Float64Array(slots);
  const crossingMid = new Uint32Array(slots);
  const edgeStart = new Uint32Array(slots + 1);
  const edges = new Uint32Array(slots);
  const gapInside = new Uint8Array(slots + rows);
  let intervals = 0;
  let kept = 0;
  for (let r = 0; r < rows; r++) {
    const first = intervals;
    intervalStart[r] = first;
    const from = slotStart[r]!;
    const to = filled[r]!;
    for (let s = from; s < to; s++) order[s] = s;
    if (to - from > INSERTION_SORT_MAX) order.subarray(from, to).sort(byLo);
    else {
      for (let s = from + 1; s < to; s++) {
        const p = order[s]!;
        let t = s;
        for (; t > from && pieceLo[order[t - 1]!]! > pieceLo[p]!; t--) order[t] = order[t - 1]!;
        order[t] = p;
      }
    }
    // Merge, keeping each interval's edges and counting those that cross the row's middle latitude.
    for (let s = from; s < to; s++) {
      const p = order[s]!;
      const k = intervals - 1;
      if (k >= first && pieceLo[p]! <= hi[k]!) {
        hi[k] = Math.max(hi[k]!, pieceHi[p]!);
        crossingMid[k]! += pieceCrossesMid[p]!;
      } else {
        lo[intervals] = pieceLo[p]!;
        hi[intervals] = pieceHi[p]!;
        crossingMid[intervals] = pieceCrossesMid[p]!;
        edgeStart[intervals++] = kept;
      }
      edges[kept++] = pieceEdge[p]!;
    }
    // A gap is inside when an odd number of edges cross the middle latitude east of it
    // (the even-odd rule, its ray cast east as in area.ts); no edge passes through a gap,
    // so its middle stands for all of it. Row r's gaps are first + r .. intervals + r.
    let east = 0;
    gapInside[intervals + r] = 0;
    for (let k = intervals - 1; k >= first; k--) {
      east += crossingMid[k]!;
      gapInside[k + r] = east & 1;
    }
  }
  intervalStart[rows] = intervals;
  edgeStart[intervals] = kept;
  return {
    ring,
    rows,
    rowHeight,
    intervalStart,
    lo: lo.slice(0, intervals),
    hi: hi.slice(0, intervals),
    edgeStart: edgeStart.slice(0, intervals + 1),
    edges: edges.slice(0, kept),
    gapInside: gapInside.slice(0, intervals + rows),
  };
}

/**
 * inRing's arithmetic of area.ts over the edges given (`i` the edge's end, `j = i - 1`
 * wrapping), or every edge: -1 when the point is on one of them, else the parity of the
 * edges crossed by its ray east.
 */
function crossings(ring: Ring, edges: Uint32Array | undefined, from: number, to: number, lon: number, lat: number): number {
  const { lons, lats } = ring;
  const n = lons.length;
  let inside = 0;
  for (let e = from; e < to; e++) {
    const i = edges ? edges[e]! : e;
    const j = i === 0 ? n - 1 : i - 1;
    const xi = lons[i]!, yi = lats[i]!, xj = lons[j]!, yj = lats[j]!;
    const cross = (xj - xi) * (lat - yi) - (yj - yi) * (lon - xi);
    if (cross === 0 && lon >= Math.min(xi, xj) && lon <= Math.max(xi, xj) && lat >= Math.min(yi, yj) && lat <= Math.max(yi, yj)) return -1;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside ^= 1;
  }
  return inside;
}

/**
 * The answer for one copy of the point (its longitude unwrapped into the ring's span). In
 * an interval, the point's ray east crosses the interval's own edges (tested exactly) and
 * then, beyond the interval, the same edges as the ray from the gap after it: that gap's
 * answer, flipped by each of the interval's edges crossed.
 */
function inRow(b: RowedRing, r: number, lon: number, lat: number): boolean {
  const first = b.intervalStart[r]!;
  // The first interval starting east of lon.
  let low = first;
  let high = b.intervalStart[r + 1]!;
  while (low < high) {
    const m = (low + high) >>> 1;
    if (b.lo[m]! <= lon) low = m + 1;
    else high = m;
  }
  const after = b.gapInside[low + r]!;
  if (low === first || lon > b.hi[low - 1]!) return after === 1;
  const own = crossings(b.ring, b.edges, b.edgeStart[low - 1]!, b.edgeStart[low]!, lon, lat);
  return own < 0 || (own ^ after) === 1;
}

/**
 * A test equal to containsPoint's for one ring, prepared once.
 * @example const inside = bandedRing(shape.rings[0]); inside(38.5, -120)
 */
export function bandedRing(ring: Ring): (lat: number, lon: number) => boolean {
  const b = rowsFor(ring);
  return (lat, lon) => {
    if (lat < ring.minLat || lat > ring.maxLat) return false;
    const r = b ? Math.min(b.rows - 1, Math.floor((lat - ring.minLat) / b.rowHeight)) : 0;
    // The ring lives in unwrapped longitudes: try every copy of the point that lands in its span.
    for (let k = Math.ceil((ring.minLon - lon) / 360); lon + 360 * k <= ring.maxLon; k++) {
      const x = lon + 360 * k;
      if (b ? inRow(b, r, x, lat) : crossings(ring, undefined, 0, ring.lons.length, x, lat) !== 0) return true;
    }
    return false;
  };
}
