import { DateTime, IANAZone } from 'luxon';
import { sql, type Kysely } from 'kysely';
import { ApiError } from '../errors/api-error.ts';
import { ACTION_CLICK_PREFIX, HOUR_MS } from '../store/activity-log.ts';
import type { Database } from '../store/schema.ts';
import { zoneStamps } from './zone-stamps.ts';
import { emptySums, METRICS, metricValue, RATE_METRICS, type Metric, type Sums } from './metrics.ts';

export const GROUP_BY = ['campaign', 'category', 'channel', 'variant'] as const;
export type GroupBy = (typeof GROUP_BY)[number];
export const INTERVALS = ['hour', 'day'] as const;
export type Interval = (typeof INTERVALS)[number];

/** Most buckets one answer holds: 83 days of hours, five years of days. */
export const MAX_BUCKETS = 2000;
/** d; the longest range one query covers. */
export const MAX_RANGE_DAYS = 400;
const DAY_MS = 86_400_000;

const COLUMN: Record<GroupBy, 'campaign_id' | 'category' | 'channel' | 'variant'> = { campaign: 'campaign_id', category: 'category', channel: 'channel', variant: 'variant' };

/** The query string of `GET .../analytics`, as strings: checked here, each refusal with its parameter. */
export interface SeriesParams {
  from?: string;
  to?: string;
  interval?: string;
  groupBy?: string;
  metrics?: string;
  timezone?: string;
}

/** A checked query. */
export interface SeriesQuery {
  appId: string;
  from: number;
  to: number;
  interval: Interval;
  groupBy: GroupBy | null;
  metrics: Metric[];
  timezone: string;
  /** A campaign's or a notification's own view. */
  campaignId?: string;
  notificationId?: string;
}

export interface SeriesPoint {
  start: string;
  values: Record<string, number | null>;
  /** A campaign's or a notification's own view: the clicks on each action button in the bucket, by action id. */
  clickedByAction?: Record<string, number>;
}

export interface Series {
  from: string;
  to: string;
  interval: Interval;
  timezone: string;
  groupBy: GroupBy | null;
  metrics: Metric[];
  /** A campaign's or a notification's own view: the action ids clicked in the range, each a `clickedByAction` key of every point. */
  actions?: string[];
  /** One per group (one with `group` null without groupBy), every bucket present, oldest first. */
  series: { group: string | null; points: SeriesPoint[]; totals: Record<string, number | null>; clickedByAction?: Record<string, number> }[];
}

function refuse(param: string, detail: string, extra: Record<string, unknown> = {}): never {
  throw new ApiError('invalid_analytics_query', `${param}: ${detail}`, { pointer: `#/${param}`, ...extra });
}

/**
 * Checks the query string. The defaults: the last 7 days to now, by day, in the app's
 * zone, every metric, no grouping. The range is widened to whole buckets (a day from
 * local midnight to local midnight, DST days 23 or 25 hours long).
 */
export function checkSeriesParams(p: SeriesParams, ctx: { appId: string; appTimezone: string | null; now: number }): SeriesQuery {
  const time = (name: 'from' | 'to', value: string | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const ms = Date.parse(value);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) refuse(name, `"${value.slice(0, 40)}" is not an RFC 3339 date-time`);
    return ms;
  };
  const to = time('to', p.to, ctx.now);
  const from = time('from', p.from, to - 7 * DAY_MS);
  if (to <= from) refuse('to', 'must be after from');
  if (to - from > MAX_RANGE_DAYS * DAY_MS) refuse('from', `the range is over ${MAX_RANGE_DAYS} days`, { limit: MAX_RANGE_DAYS });
  const interval = (p.interval ?? 'day') as Interval;
  if (!INTERVALS.includes(interval)) refuse('interval', `"${String(p.interval).slice(0, 40)}" is not hour or day`);
  const groupBy = p.groupBy === undefined || p.groupBy === '' ? null : (p.groupBy as GroupBy);
  if (groupBy !== null && !GROUP_BY.includes(groupBy)) refuse('groupBy', `"${String(p.groupBy).slice(0, 40)}" is not one of ${GROUP_BY.join(', ')}`);
  const timezone = p.timezone ?? ctx.appTimezone ?? 'UTC';
  if (!IANAZone.isValidZone(timezone)) refuse('timezone', `"${timezone.slice(0, 60)}" is not an IANA time zone`);
  let metrics: Metric[] = [...METRICS];
  if (p.metrics !== undefined) {
    metrics = [...new Set(p.metrics.split(',').map((m) => m.trim()))] as Metric[];
    const unknown = metrics.find((m) => !METRICS.includes(m));
    if (unknown !== undefined) refuse('metrics', `"${unknown.slice(0, 40)}" is not a metric; use ${METRICS.join(', ')}`);
  }
  const q: SeriesQuery = { appId: ctx.appId, from, to, interval, groupBy, metrics, timezone };
  const n = bucketStarts(q).length;
  if (n > MAX_BUCKETS) refuse('interval', `${n} buckets are over ${MAX_BUCKETS}; take a shorter range or a longer interval`, { limit: MAX_BUCKETS });
  return q;
}

/** The start of the bucket holding `ms`. */
function bucketOf(ms: number, interval: Interval, zone: string): number {
  if (interval === 'hour') return ms - (ms % HOUR_MS);
  return DateTime.fromMillis(ms, { zone }).startOf('day').toMillis();
}

/** Every bucket of the range, whole buckets from the one holding `from` to the one holding the last ms before `to`. */
function bucketStarts(q: Pick<SeriesQuery, 'from' | 'to' | 'interval' | 'timezone'>): number[] {
  const out: number[] = [];
  let t = bucketOf(q.from, q.interval, q.timezone);
  while (t < q.to && out.length <= MAX_BUCKETS) {
    out.push(t);
    // luxon adds a calendar day: 23 or 25 hours across a DST change.
    t = q.interval === 'hour' ? t + HOUR_MS : DateTime.fromMillis(t, { zone: q.timezone }).plus({ days: 1 }).toMillis();
  }
  return out;
}

/**
 * The time series from the hourly rollups: one SQL aggregate over the range's hours
 * (summed per hour, type and group in the store), bucketed into local days here.
 */
export async function querySeries(db: Kysely<Database>, q: SeriesQuery): Promise<Series> {
  const starts = bucketStarts(q);
  const first = starts[0]!;
  const last = q.interval === 'hour' ? starts.at(-1)! + HOUR_MS : DateTime.fromMillis(starts.at(-1)!, { zone: q.timezone }).plus({ days: 1 }).toMillis();
  const needed = neededTypes(q.metrics);
  // An app's overall series reads the per-app totals; a grouped or a campaign's one the rollups.
  const own = q.campaignId !== undefined || q.notificationId !== undefined;
  const overall = q.groupBy === null && !own;
  const rows = overall ? await totalsRows(db, q.appId, first, last, needed) : await rollupRows(db, q, first, last, needed);
  const wanted = new Set(needed);
  const index = new Map(starts.map((s, i) => [s, i]));
  const groups = new Map<string, { buckets: Sums[]; total: Sums }>();
  const groupOf = (g: string) => groups.get(g) ?? groups.set(g, { buckets: starts.map(() => emptySums()), total: emptySums() }).get(g)!;
  if (q.groupBy === null) groupOf('');
  const actions = new Set<string>();
  for (const r of rows) {
    const action = own && r.type.startsWith(ACTION_CLICK_PREFIX) ? r.type.slice(ACTION_CLICK_PREFIX.length) : undefined;
    if (action === undefined && !wanted.has(r.type)) continue;
    const i = index.get(q.interval === 'hour' ? Number(r.hour) : bucketOf(Number(r.hour), 'day', q.timezone));
    if (i === undefined) continue;
    const g = groupOf(String(r.grp));
    if (action !== undefined) {
      actions.add(action);
      for (const sums of [g.buckets[i]!, g.total]) sums.actions.set(action, (sums.actions.get(action) ?? 0) + Number(r.n));
      continue;
    }
    for (const sums of [g.buckets[i]!, g.total]) {
      sums.counts.set(r.type, (sums.counts.get(r.type) ?? 0) + Number(r.n));
      if (r.type === 'converted') sums.revenue += Number(r.v);
    }
  }
  const values = (s: Sums) => Object.fromEntries(q.metrics.map((m) => [m, metricValue(s, m)]));
  const actionIds = [...actions].sort();
  const byAction = (s: Sums) => Object.fromEntries(actionIds.map((a) => [a, s.actions.get(a) ?? 0]));
  // One stamp per bucket, shared by every group's points.
  const stamps = zoneStamps([...starts, last], q.timezone);
  const iso = (i: number) => stamps[i]!;
  const series = [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([g, { buckets, total }]) =>
      own
        ? { group: q.groupBy === null ? null : g, points: buckets.map((b, i) => ({ start: iso(i), values: values(b), clickedByAction: byAction(b) })), totals: values(total), clickedByAction: byAction(total) }
        : { group: q.groupBy === null ? null : g, points: buckets.map((b, i) => ({ start: iso(i), values: values(b) })), totals: values(total) },
    );
  return { from: iso(0), to: iso(starts.length), interval: q.interval, timezone: q.timezone, groupBy: q.groupBy, metrics: q.metrics, ...(own ? { actions: actionIds } : {}), series };
}

/** A few types narrow the rows read; many cost more to test than they save (the keys lead with app and hour): then the unneeded ones are skipped by the caller. */
const TYPE_FILTER_MAX = 4;

type SeriesRow = { hour: number; type: string; grp: string; n: number; v: number };

/**
 * An app's overall series: the per-app totals hold one row per hour and type already
 * (their primary key), so they are read as they are, one range of the key, without an
 * aggregate. On PostgreSQL the `group by` of the rollups' query cost a hash aggregate of
 * every row and a `numeric` sum per group, most of a 30-day series' time (bench section 9).
 */
async function totalsRows(db: Kysely<Database>, appId: string, first: number, last: number, needed: string[]): Promise<SeriesRow[]> {
  let query = db
    .selectFrom('activity_totals')
    .select(['hour', 'type', sql<string>`''`.as('grp'), 'count as n', 'value_sum as v'])
    .where('app_id', '=', appId)
    .where('hour', '>=', first)
    .where('hour', '<', last);
  if (needed.length <= TYPE_FILTER_MAX) query = query.where('type', 'in', needed);
  return query.execute();
}

/** A grouped series, or a campaign's or a notification's own: the rollups summed per hour, type and group in the store. */
async function rollupRows(db: Kysely<Database>, q: SeriesQuery, first: number, last: number, needed: string[]): Promise<SeriesRow[]> {
  const group = q.groupBy === null ? sql<string>`''` : sql.ref<string>(COLUMN[q.groupBy]);
  let query = db
    .selectFrom('activity_rollups')
    .select(['hour', 'type', group.as('grp'), sql<number>`sum(count)`.as('n'), sql<number>`sum(value_sum)`.as('v')])
    .where('app_id', '=', q.appId)
    .where('hour', '>=', first)
    .where('hour', '<', last);
  const own = q.campaignId !== undefined || q.notificationId !== undefined;
  // A campaign's or a notification's own view also counts each action button (`clicked:<action>`).
  if (needed.length <= TYPE_FILTER_MAX) query = own ? query.where((eb) => eb.or([eb('type', 'in', needed), eb('type', 'like', `${ACTION_CLICK_PREFIX}%`)])) : query.where('type', 'in', needed);
  if (q.campaignId !== undefined) query = query.where('campaign_id', '=', q.campaignId);
  if (q.notificationId !== undefined) query = query.where('notification_id', '=', q.notificationId);
  return query.groupBy(q.groupBy === null ? ['hour', 'type'] : ['hour', 'type', COLUMN[q.groupBy]]).execute();
}

/** The rollup types the metrics read. */
function neededTypes(metrics: readonly Metric[]): string[] {
  const types = new Set<string>();
  for (const m of metrics) {
    if (m === 'revenue') types.add('converted');
    else if (m in RATE_METRICS) for (const t of RATE_METRICS[m as keyof typeof RATE_METRICS]) types.add(t);
    else types.add(m);
  }
  return [...types];
}

/** A series as CSV (RFC 4180): one row per bucket and group, the columns `start`, `group`, the metrics, then (a campaign's or a notification's own view) `clicked:<action>` per button. */
export function seriesCsv(s: Series): string {
  const cell = (v: string | number | null) => {
    if (v === null) return '';
    // A cell a spreadsheet would run as a formula is quoted as text (OWASP "CSV injection").
    const text = typeof v === 'string' && /^[=+@\t\r-]/.test(v) ? `'${v}` : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  // A campaign's or a notification's own view: a column per action button, `clicked:<action>`.
  const actions = s.actions ?? [];
  const lines = [['start', 'group', ...s.metrics, ...actions.map((a) => `${ACTION_CLICK_PREFIX}${a}`)].map(cell).join(',')];
  for (const g of s.series) {
    for (const p of g.points) lines.push([p.start, g.group, ...s.metrics.map((m) => p.values[m] ?? null), ...actions.map((a) => p.clickedByAction?.[a] ?? 0)].map(cell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
