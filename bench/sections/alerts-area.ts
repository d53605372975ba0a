/**
 * Section 12: an alert's area resolved over 1M located users (--n scales it; --quick 2k):
 * the users' points in the flatbush index (src/alerts/area/located-users.ts), then five
 * real-sized areas resolved to their users, each against the same answer found by testing
 * every user (the scan the index replaces). Goal: each area resolved in under 1 s, every
 * time: the slowest of RUNS resolutions (the first, with the code not yet optimised by the
 * engine) is held to it. Each resolution prepares the area's polygons and circles again.
 * The median is compared with the scan; the process's CPU time (its own threads, GC among
 * them) is given beside it, as the wall time of a shared machine includes other work.
 *
 * Users are spread like an app's audience: most round a few cities of the western US, the
 * rest over the world; one in ten reached by a chosen zone (SAME code) instead of a point.
 */
import { compileArea, containsPoint, zoneKey, type AlertShape, type CompileAreaOptions } from '../../src/protocol/cap/area.ts';
import { parseCap } from '../../src/protocol/cap/parse.ts';
import type { CapArea, CapPolygon } from '../../src/protocol/cap/types.ts';
import { LocatedUserIndex } from '../../src/alerts/area/located-users.ts';
import { capSample } from '../../test/alerts/cap-vectors.ts';
import type { Harness } from '../lib/harness.ts';
import { goal, type Row, type SectionResult } from '../lib/report.ts';
import { int, median, ms, times } from '../lib/stats.ts';

const SECTION = 12;
const DEFAULT_USERS = 1_000_000;
const QUICK_USERS = 2_000;
const GOAL_MS = 1_000;
const RUNS = 5;

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES = [
  { lat: 38.58, lon: -121.49, spread: 3 }, // Sacramento
  { lat: 37.77, lon: -122.42, spread: 2 },
  { lat: 34.05, lon: -118.24, spread: 3 },
  { lat: 47.61, lon: -122.33, spread: 2 },
];

function users(n: number) {
  const r = rng(11);
  const lats = new Float64Array(n);
  const lons = new Float64Array(n);
  const zones = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    if (i % 10 === 9) {
      lats[i] = Number.NaN;
      lons[i] = Number.NaN;
      const key = zoneKey('SAME', r() < 0.3 ? '006109' : `0060${String(i % 90).padStart(2, '0')}`);
      (zones.get(key) ?? zones.set(key, []).get(key)!).push(i);
      continue;
    }
    const c = CITIES[i % CITIES.length]!;
    const world = r() < 0.25;
    lats[i] = world ? r() * 170 - 85 : c.lat + (r() - 0.5) * c.spread;
    lons[i] = world ? r() * 360 - 180 : c.lon + (r() - 0.5) * c.spread;
  }
  return { lats, lons, zones };
}

/** A concave, state-sized polygon of 400 vertices round northern California (a star). */
function starArea(): CapArea {
  const points = Array.from({ length: 400 }, (_, k) => {
    const a = (2 * Math.PI * k) / 400;
    const radius = k % 2 === 0 ? 3 : 1.6;
    return { lat: 38.5 + radius * Math.sin(a), lon: -121 + radius * 1.3 * Math.cos(a) };
  });
  return { areaDesc: 'star', polygons: [{ points: [...points, points[0]!] }], circles: [], geocodes: [] };
}

/**
 * A county-sized ring of `vertices` vertices round (lat, lon), its radius wandering like a
 * surveyed boundary: what an app's geocode table gives for a SAME code.
 */
function countyRing(lat: number, lon: number, vertices: number, seed: number): CapPolygon {
  const r = rng(seed);
  let wobble = 0;
  const points = Array.from({ length: vertices }, (_, k) => {
    wobble = Math.max(-0.15, Math.min(0.15, wobble + (r() - 0.5) * 0.04));
    const a = (2 * Math.PI * k) / vertices;
    return { lat: lat + (0.45 + wobble) * Math.sin(a), lon: lon + (0.55 + wobble) * Math.cos(a) };
  });
  return { points: [...points, points[0]!] };
}

/** An NWS-style warning by county: 12 SAME codes round Sacramento, each outline of 1,000 vertices from the geocode table. */
function countyWarning(): { areas: CapArea[]; options: CompileAreaOptions } {
  const outlines = new Map<string, CapPolygon>();
  const geocodes = Array.from({ length: 12 }, (_, k) => {
    const value = `0060${String(k).padStart(2, '0')}`;
    outlines.set(value, countyRing(37.4 + 0.9 * Math.floor(k / 4), -122.6 + 1.1 * (k % 4), 1_000, 100 + k));
    return { valueName: 'SAME', value };
  });
  const polygon = (g: { value: string }) => {
    const p = outlines.get(g.value);
    return p ? [p] : undefined;
  };
  return { areas: [{ areaDesc: '12 counties', polygons: [], circles: [], geocodes }], options: { geocodePolygons: polygon } };
}

function scan(shape: AlertShape, u: ReturnType<typeof users>): number {
  let n = 0;
  for (let i = 0; i < u.lats.length; i++) if (!Number.isNaN(u.lats[i]!) && containsPoint(shape, u.lats[i]!, u.lons[i]!)) n++;
  for (const key of shape.geocodes) n += u.zones.get(key)?.length ?? 0;
  return n;
}

export async function alertsAreaSection(h: Harness): Promise<SectionResult> {
  const n = h.flags.quick ? (h.flags.nSet ? h.flags.n : QUICK_USERS) : h.flags.nSet ? h.flags.n : DEFAULT_USERS;
  h.log(`  ${int(n)} located users`);
  const u = users(n);
  const t0 = performance.now();
  const index = LocatedUserIndex.fromColumns(u.lats, u.lons, u.zones);
  const buildMs = performance.now() - t0;
  const circle = (radiusKm: number): CapArea[] => [{ areaDesc: 'circle', polygons: [], circles: [{ center: { lat: 38.58, lon: -121.49 }, radiusKm }], geocodes: [] }];
  const areas: { what: string; areas: CapArea[]; options?: CompileAreaOptions }[] = [
    { what: 'a 300 km circle round Sacramento', areas: circle(300) },
    { what: 'a 1,200 km circle (the western US)', areas: circle(1_200) },
    { what: 'the CAP A.2 thunderstorm (polygon and 3 SAME codes)', areas: parseCap(capSample('02')).infos[0]!.areas },
    { what: 'a concave 400-vertex polygon the size of a state', areas: [starArea()] },
    { what: '12 counties by SAME code, each a 1,000-vertex outline from the geocode table', ...countyWarning() },
  ];
  const rows: Row[] = [{ section: SECTION, what: `Alert area: index of ${int(n)} located users built`, carillon: ms(buildMs), peer: '', ratio: '', goal: '' }];
  const data: unknown[] = [];
  for (const a of areas) {
    const shape = compileArea(a.areas, a.options);
    const runs: number[] = [];
    const cpu: number[] = [];
    let found = 0;
    for (let i = 0; i < (h.flags.quick ? 1 : RUNS); i++) {
      const c = process.cpuUsage();
      const s = performance.now();
      found = index.resolve(shape).length;
      runs.push(performance.now() - s);
      const used = process.cpuUsage(c);
      cpu.push((used.user + used.system) / 1000);
    }
    const s = performance.now();
    const scanned = scan(shape, u);
    const scanMs = performance.now() - s;
    if (scanned !== found) throw new Error(`${a.what}: the index found ${found} users, the scan ${scanned}`);
    const med = median(runs);
    const slowest = Math.max(...runs);
    rows.push({
      section: SECTION,
      what: `Alert area over ${int(n)} users: ${a.what} (${int(found)} users)`,
      carillon: `${ms(med)} (slowest ${ms(slowest)}; CPU ${ms(median(cpu))})`,
      peer: `scan of every user: ${ms(scanMs)}`,
      ratio: times(scanMs / med),
      goal: goal(`slowest < ${ms(GOAL_MS)}`, slowest < GOAL_MS),
    });
    data.push({ what: a.what, users: n, found, resolveMs: runs, resolveCpuMs: cpu, scanMs });
  }
  return { name: 'alerts-area', rows, data: { buildMs, areas: data } };
}
