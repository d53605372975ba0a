/**
 * Section 9: analytics. 10M activity rows over 30 days (--n scales it; --quick 20k) seeded
 * by bulk SQL on SQLite and on PostgreSQL, their hourly rollups counted by the same SQL
 * `carillon analytics rebuild` runs; then, on each engine, a 30-day hourly series through
 * `GET /v1/apps/{appId}/analytics` (in-process, `inject()`: the route, the rollup query,
 * the bucketing and the JSON), overall and grouped by campaign, against the same series
 * summed from the raw log by one SQL aggregate (goal: the API under 200 ms).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { sql, type Kysely } from 'kysely';
import { defaults, type Config } from '../../src/config/defaults.ts';
import { createRuntime } from '../../src/runtime.ts';
import { rebuildRollups } from '../../src/analytics/rebuild.ts';
import type { Harness } from '../lib/harness.ts';
import { goal, type Row, type SectionResult } from '../lib/report.ts';
import { count, fixed, int, median, ms, times } from '../lib/stats.ts';
import { startServices, useGivenServices, type Services } from './fanout.ts';

const SECTION = 9;
const DEFAULT_EVENTS = 10_000_000;
const QUICK_EVENTS = 20_000;
const GOAL_MS = 200;
const DAY = 86_400_000;
const HOUR = 3_600_000;

type Engine = 'SQLite' | 'PostgreSQL';

/**
 * The mix of a marketing app's month: per 100 rows, 30 sent, 30 delivered, 20 displayed, 5
 * clicked, 3 dismissed, 3 failed, 2 capped, 2 suppressed, 2 opted_in, 1 opted_out, 1
 * converted (with revenue), 1 pruned; 20 campaigns of one notification each, 3 channels,
 * 4 categories, 2 variants; times spread over the 30 days.
 */
const TYPE_CASE = sql.raw(`case
  when k < 30 then 'sent' when k < 60 then 'delivered' when k < 80 then 'displayed' when k < 85 then 'clicked'
  when k < 88 then 'dismissed' when k < 91 then 'failed' when k < 93 then 'capped' when k < 95 then 'suppressed'
  when k < 97 then 'opted_in' when k < 98 then 'opted_out' when k < 99 then 'converted' else 'pruned' end`);

export async function seedActivity(db: Kysely<any>, engine: Engine, appId: string, n: number, start: number): Promise<void> {
  const span = 30 * DAY;
  const chunk = 1_000_000;
  for (let from = 0; from < n; from += chunk) {
    const to = Math.min(n, from + chunk);
    const series = engine === 'SQLite' ? sql`with recursive s(i) as (select ${from} union all select i + 1 from s where i + 1 < ${to}) select i from s` : sql`select generate_series(${from}::bigint, ${to - 1}::bigint) as i`;
    await sql`insert into activity (app_id, type, at, notification_id, campaign_id, variant, category, channel, subscription_id, user_id, action, value, data)
      select ${appId}, ${TYPE_CASE}, ${start} + (i * 7919) % ${span}, 'ntf_' || (i % 20), 'cmp_' || (i % 20), case when i % 2 = 0 then 'A' else 'B' end,
        case i % 4 when 0 then 'promotions' when 1 then 'orders' when 2 then 'news' else 'tips' end,
        case i % 3 when 0 then 'webpush' when 1 then 'apns' else 'fcm' end,
        'sub_' || (i % 100000), 'u' || (i % 100000), null, case when k = 98 then (i % 50) + 0.99 else null end, null
      from (select i, (i * 37) % 100 as k from (${series}) as s0) as s1`.execute(db);
  }
}

interface Figure {
  engine: Engine;
  events: number;
  seedSeconds: number;
  rollupSeconds: number;
  rollupRows: number;
  apiMs: number[];
  groupedMs: number[];
  rawMs: number[];
  agree: boolean;
}

export async function analyticsSection(h: Harness): Promise<SectionResult> {
  const events = h.flags.nSet ? h.flags.n : h.flags.quick ? QUICK_EVENTS : DEFAULT_EVENTS;
  const runs = h.flags.quick ? 2 : 7;
  const end = Math.floor(Date.now() / HOUR) * HOUR;
  const start = end - 30 * DAY;
  const rows: Row[] = [];
  const figures: Figure[] = [];
  const engines: { engine: Engine; databaseUrl: string; services?: Services }[] = [{ engine: 'SQLite', databaseUrl: '' }];
  if (!h.flags.noScaleOut) {
    const given = { databaseUrl: process.env.CARILLON_BENCH_DATABASE_URL, redisUrl: process.env.CARILLON_BENCH_REDIS_URL };
    const services = given.databaseUrl && given.redisUrl ? await useGivenServices(given.databaseUrl, given.redisUrl) : await startServices();
    engines.push({ engine: 'PostgreSQL', databaseUrl: services.databaseUrl, services });
  }
  try {
    for (const { engine, databaseUrl } of engines) {
      const adminKey = `crl_ak_bench_${randomBytes(8).toString('hex')}`;
      const config: Config = { ...defaults, dataDir: mkdtempSync(join(h.tmp, 'analytics-')), adminKey, databaseUrl, redisUrl: '', logLevel: 'silent' };
      const runtime = await createRuntime(config, { logger: pino({ level: 'silent' }) });
      try {
        const db = runtime.ctx.store.db;
        const made = await runtime.app.inject({ method: 'POST', url: '/v1/apps', headers: { authorization: `Bearer ${adminKey}` }, payload: { name: 'analytics bench' } });
        const app = made.json() as { id: string; secretKey: string };
        h.log(`analytics on ${engine}: seeding ${int(events)} activity rows over 30 days`);
        let t0 = performance.now();
        await seedActivity(db, engine, app.id, events, start);
        if (engine === 'PostgreSQL') await sql`analyze activity`.execute(db);
        const seedSeconds = (performance.now() - t0) / 1000;
        t0 = performance.now();
        const { rows: rollupRows } = await rebuildRollups(db, runtime.ctx.store.caps.dialect, { since: start });
        if (engine === 'PostgreSQL') await sql`analyze activity_rollups`.execute(db);
        const rollupSeconds = (performance.now() - t0) / 1000;
        h.log(`  seeded in ${fixed(seedSeconds)} s; ${int(rollupRows)} rollup rows counted in ${fixed(rollupSeconds)} s`);

        const range = `from=${new Date(start).toISOString()}&to=${new Date(end).toISOString()}&interval=hour&timezone=UTC`;
        const api = async (q: string) => {
          const t = performance.now();
          const res = await runtime.app.inject({ method: 'GET', url: `/v1/apps/${app.id}/analytics?${q}`, headers: { authorization: `Bearer ${app.secretKey}` } });
          if (res.statusCode !== 200) throw new Error(`analytics: ${res.statusCode} ${res.body.slice(0, 200)}`);
          return { ms: performance.now() - t, body: res.json() as { series: { points: { values: Record<string, number | null> }[] }[] } };
        };
        const raw = async () => {
          const t = performance.now();
          const r = await sql<{ hour: number; type: string; n: number }>`select at - (at % ${sql.lit(HOUR)}) as hour, type, count(*) as n from activity where app_id = ${app.id} and at >= ${start} and at < ${end} group by 1, 2`.execute(db);
          return { ms: performance.now() - t, rows: r.rows };
        };
        const apiMs: number[] = [];
        const groupedMs: number[] = [];
        const rawMs: number[] = [];
        let agree = true;
        for (let i = 0; i < runs; i++) {
          const a = await api(range);
          apiMs.push(a.ms);
          groupedMs.push((await api(`${range}&groupBy=campaign&metrics=delivered,clicked,click_rate,converted,revenue`)).ms);
          // The raw aggregate reads every row: three runs are enough to see it, and a full run's seconds each.
          if (i >= 3) continue;
          const r = await raw();
          rawMs.push(r.ms);
          if (i === 0) {
            const delivered = a.body.series[0]!.points.reduce((s, p) => s + Number(p.values.delivered ?? 0), 0);
            agree = delivered === r.rows.filter((x) => x.type === 'delivered').reduce((s, x) => s + Number(x.n), 0);
          }
        }
        const f: Figure = { engine, events, seedSeconds, rollupSeconds, rollupRows, apiMs, groupedMs, rawMs, agree };
        figures.push(f);
        h.log(`  30-day hourly series: API ${ms(median(apiMs))} (by campaign ${ms(median(groupedMs))}), raw aggregate ${ms(median(rawMs))}${agree ? '' : ' — COUNTS DIFFER'}`);
        rows.push({
          section: SECTION,
          what: `Seed ${count(events)} activity rows (bulk SQL), then count their hourly rollups (the rebuild's SQL), ${engine}`,
          carillon: `${fixed(seedSeconds)} s seed; rollups ${fixed(rollupSeconds)} s (${int(rollupRows)} rows)`,
          peer: 'none: the seed is no goal',
          ratio: '',
          goal: '',
        });
        rows.push({
          section: SECTION,
          what: `30-day hourly series over ${count(events)} events, GET .../analytics (all metrics), ${engine}: median of ${runs}`,
          carillon: `${ms(median(apiMs))}; by campaign (20 series, 5 metrics) ${ms(median(groupedMs))}`,
          peer: `the same counts from the raw log, one SQL aggregate (median of ${rawMs.length}): ${ms(median(rawMs))}${agree ? ', same delivered total' : ', COUNTS DIFFER'}`,
          ratio: `raw takes ${times(median(rawMs) / median(apiMs))}`,
          goal: goal('< 200 ms (the overall series)', median(apiMs) < GOAL_MS),
        });
      } finally {
        await runtime.close();
      }
    }
  } finally {
    for (const { services } of engines) await services?.stop();
  }
  return { name: 'analytics', rows, data: figures };
}
