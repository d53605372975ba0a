/**
 * Section 7: the audience. 1M users (--n scales it) with typed attributes, subscriptions
 * for most of them, and 10 events each over 30 days, seeded on SQLite and on PostgreSQL;
 * then, on each engine:
 *
 * - three exact audience sizes through Carillon's filter compiler, against the same count
 *   written as a full scan (goal under 1 s each);
 * - event ingestion through `POST /track` against the store's raw insert rate of the same
 *   rows, 1,000 events per request or transaction (goal ≥ 0.5× raw);
 *
 * and, on SQLite, a fan-out to a segment of 100k against `to: {all: true}` of the same
 * 100k subscriptions (goal ≥ 0.9×).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/store/database.ts';
import { EVENT_NAMES, FANOUT_FILTER } from '../lib/audience-seed.ts';
import { carillonSize, QUERIES, scannedSize, type Size } from '../lib/audience-queries.ts';
import type { BenchStore } from '../lib/carillon-config.ts';
import type { Harness } from '../lib/harness.ts';
import { browserKeys, p256KeyPool } from '../lib/keys.ts';
import { goal, type Row, type SectionResult } from '../lib/report.ts';
import { count, fixed, int, median, ms, times } from '../lib/stats.ts';
import { measureIngestion, type Ingestion } from '../lib/audience-ingest.ts';
import { carillonFanout, startServices, useGivenServices, type FanoutFigure, type Services } from './fanout.ts';

const SECTION = 7;
const DEFAULT_USERS = 1_000_000;
const QUICK_USERS = 2_000;
const EVENTS_PER_USER = 10;
const SEGMENT_AUDIENCE = 100_000;
const COUNT_GOAL_MS = 1_000;

type Engine = 'SQLite' | 'PostgreSQL';

interface Timed {
  engine: Engine;
  key: string;
  filter: unknown;
  carillon: Size;
  carillonMs: number[];
  scan: Size;
  scanMs: number[];
}

async function timedRuns(runs: number, f: () => Promise<Size>): Promise<{ size: Size; ms: number[] }> {
  const times: number[] = [];
  let size: Size = { subscriptions: Number.NaN, users: Number.NaN };
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    size = await f();
    times.push(performance.now() - t0);
  }
  return { size, ms: times };
}

function sizeText(s: Size): string {
  return `${int(s.subscriptions)} subscriptions, ${int(s.users)} users`;
}

export async function audienceSection(h: Harness): Promise<SectionResult> {
  const { quick } = h.flags;
  const users = h.flags.nSet ? h.flags.n : quick ? QUICK_USERS : DEFAULT_USERS;
  const runs = quick ? 2 : 5;
  // Whole minutes: the seeded times and the counts' `now` are one clock, never the machine's.
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const keys = browserKeys(p256KeyPool(1), 0);
  const seedArgs = { users, eventsPerUser: EVENTS_PER_USER, now, endpointBase: h.endpointBase, ...keys };
  const rows: Row[] = [];
  const data: { users: number; seeds: unknown[]; counts: Timed[]; ingestion: Ingestion[]; fanout: FanoutFigure[]; notMeasured: string[] } = {
    users,
    seeds: [],
    counts: [],
    ingestion: [],
    fanout: [],
    notMeasured: [],
  };

  const engines: { engine: Engine; store: BenchStore; services?: Services }[] = [{ engine: 'SQLite', store: h.store(mkdtempSync(join(h.tmp, 'audience-'))) }];
  if (!h.flags.noScaleOut) {
    const given = { databaseUrl: process.env.CARILLON_BENCH_DATABASE_URL, redisUrl: process.env.CARILLON_BENCH_REDIS_URL };
    const services = given.databaseUrl && given.redisUrl ? await useGivenServices(given.databaseUrl, given.redisUrl) : await startServices();
    engines.push({
      engine: 'PostgreSQL',
      services,
      store: h.store(mkdtempSync(join(h.tmp, 'audience-pg-')), { databaseUrl: services.databaseUrl, redisUrl: services.redisUrl, queuePrefix: `bench-${randomBytes(4).toString('hex')}` }),
    });
  }

  try {
    for (const { engine, store } of engines) {
      h.log(`audience on ${engine}: seeding ${int(users)} users and ${int(users * EVENTS_PER_USER)} events`);
      const { seeded } = await h.seed({ store, audience: seedArgs });
      const app = seeded.audience!;
      h.log(`  seeded in ${fixed(seeded.seconds)} s: ${int(app.subscriptions)} subscriptions (${Object.entries(app.seconds).map(([k, v]) => `${k} ${fixed(v)} s`).join(', ')})`);
      data.seeds.push({ engine, ...app, secretKey: undefined, publishableKey: undefined, totalSeconds: seeded.seconds });
      rows.push({
        section: SECTION,
        what: `Seed ${count(users)} users (4 typed attributes), ${int(app.subscriptions)} subscriptions, ${count(app.events)} events, ${engine}`,
        carillon: `${fixed(seeded.seconds)} s (users ${fixed(app.seconds.users)}, attributes ${fixed(app.seconds.attributes)}, subscriptions ${fixed(app.seconds.subscriptions)}, events with their indexes ${fixed(app.seconds.events)})`,
        peer: 'none: the seed is no goal',
        ratio: '',
        goal: '',
      });

      const db: Store = await openStore({ dataDir: store.dataDir, ...(store.databaseUrl ? { databaseUrl: store.databaseUrl } : {}) });
      try {
        for (const [i, q] of QUERIES.entries()) {
          const carillon = () => timedRuns(runs, () => carillonSize(db, app.id, q, now));
          const scan = () => timedRuns(runs, () => scannedSize(db, app.id, q, now));
          // Alternate who goes first, so the page cache favours neither.
          const [c, s] = i % 2 === 0 ? [await carillon(), await scan()] : await scan().then(async (sc) => [await carillon(), sc] as const);
          const t: Timed = { engine, key: q.key, filter: q.filter, carillon: c.size, carillonMs: c.ms, scan: s.size, scanMs: s.ms };
          data.counts.push(t);
          const cm = median(c.ms);
          const sm = median(s.ms);
          const agree = c.size.subscriptions === s.size.subscriptions && c.size.users === s.size.users;
          h.log(`  (${q.key}) ${engine}: Carillon ${ms(cm)}, scan ${ms(sm)}; ${sizeText(c.size)}${agree ? '' : ` — the scan says ${sizeText(s.size)}`}`);
          rows.push({
            section: SECTION,
            what: `Audience size (${q.key}) ${q.title}, ${count(users)} users, ${engine}: median of ${runs}; ${JSON.stringify(q.filter)}`,
            carillon: `${ms(cm)} (${sizeText(c.size)})`,
            peer: `full scan, ${q.scan}: ${ms(sm)}${agree ? ', same size' : `, SIZE DIFFERS: ${sizeText(s.size)}`}`,
            ratio: `scan takes ${times(sm / cm)}`,
            goal: goal('< 1 s', cm < COUNT_GOAL_MS),
          });
        }
      } finally {
        await db.close();
      }

      const ingestion = await measureIngestion(h, { store, app, users, now, engine, names: EVENT_NAMES });
      data.ingestion.push(ingestion);
      if (ingestion.track) {
        const ratio = ingestion.track.perSecond / ingestion.raw.perSecond;
        rows.push({
          section: SECTION,
          what: `Event ingestion, ${engine}: POST /track, ${int(ingestion.batch)} events per request, ${ingestion.concurrency} in flight, into ${count(users)} users`,
          carillon: `${int(ingestion.track.perSecond)} events/s (${int(ingestion.track.events)} events in ${fixed(ingestion.track.seconds)} s${ingestion.track.refused ? `, ${int(ingestion.track.refused)} refused` : ''}${ingestion.track.duplicates ? `, ${int(ingestion.track.duplicates)} duplicates` : ''})`,
          peer: `raw insert of the same rows, ${int(ingestion.batch)} per transaction: ${int(ingestion.raw.perSecond)} events/s`,
          ratio: times(ratio),
          goal: goal('≥ 0.5× raw', ratio >= 0.5),
        });
      } else {
        data.notMeasured.push(`/track on ${engine}: ${ingestion.missing}`);
        rows.push({
          section: SECTION,
          what: `Event ingestion, ${engine}: POST /track, ${int(ingestion.batch)} events per request`,
          carillon: `not measured: ${ingestion.missing}`,
          peer: `raw insert of the same rows, ${int(ingestion.batch)} per transaction: ${int(ingestion.raw.perSecond)} events/s`,
          ratio: '',
          goal: '≥ 0.5× raw',
        });
      }
    }
  } finally {
    for (const { services } of engines) await services?.stop();
  }

  rows.push(...(await segmentFanout(h, Math.min(SEGMENT_AUDIENCE, users), data)));
  return { name: 'audience', rows, data };
}

/** The same subscriptions twice: to a segment that holds all of them, and to all (SQLite, HTTP/1.1 sink). */
async function segmentFanout(h: Harness, n: number, data: { fanout: FanoutFigure[]; notMeasured: string[] }): Promise<Row[]> {
  h.log(`audience fan-out ${count(n)}: seeding ${int(n)} users with a subscription each`);
  const dir = mkdtempSync(join(h.tmp, 'segment-'));
  const { seeded } = await h.seed({ webpush: { n, endpointBase: h.endpointBase, probes: 0, users: true } }, dir);
  const segmentId = seeded.webpush!.segmentId;
  const what = `Fan-out to a segment of ${count(n)} (${segmentId ? 'saved, ' : ''}${JSON.stringify(FANOUT_FILTER)}), SQLite, HTTP/1.1 sink: msg/s from 202 to last 201`;
  const run = async (label: string, to: unknown) => {
    h.log(`  ${label}`);
    const f = await carillonFanout(h, { n, mode: 'h1', store: h.store(h.copyTemplate({ dir, seeded })), seeded, label, to });
    h.log(`    ${int(f.perSecond)} msg/s (${fixed(f.seconds)} s)`);
    data.fanout.push(f);
    return f;
  };
  const all = await run(`Carillon to all ${count(n)}`, { all: true });
  const notMeasured = (missing: string): Row[] => {
    data.notMeasured.push(missing);
    return [{ section: SECTION, what, carillon: `not measured: ${missing}`, peer: `to: {all: true}, same subscriptions: ${int(all.perSecond)} msg/s`, ratio: '', goal: '≥ 0.9× all' }];
  };
  if (!segmentId) return notMeasured('segment targeting not built (POST /segments answered 404)');
  let segment: FanoutFigure;
  try {
    segment = await run(`Carillon to a segment of ${count(n)}`, { segment: segmentId });
  } catch (err) {
    const message = (err as Error).message;
    // The route answers 400 to an audience selector it does not know yet.
    if (!/^broadcast: 4\d\d/.test(message)) throw err;
    return notMeasured(`segment targeting not built (to: {segment} answered ${message.slice('broadcast: '.length, 'broadcast: '.length + 3)})`);
  }
  const ratio = segment.perSecond / all.perSecond;
  return [
    {
      section: SECTION,
      what,
      carillon: `${int(segment.perSecond)} msg/s (${fixed(segment.seconds)} s)`,
      peer: `to: {all: true}, same subscriptions: ${int(all.perSecond)} msg/s (${fixed(all.seconds)} s)`,
      ratio: times(ratio),
      goal: goal('≥ 0.9× all', ratio >= 0.9),
    },
  ];
}
