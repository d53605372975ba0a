/**
 * Seeds the audience tables for section 7: users with typed attributes, their
 * subscriptions, and their events, computed by the database itself (`insert ... select`
 * over a series of integers) rather than sent row by row, so that 1M users and 10M events
 * load in minutes on either engine. Every value is a function of the row's number through a
 * multiplicative hash (the top bits of x·a mod 2³², Knuth's Fibonacci hashing), so both
 * engines hold the same rows and the same query sizes the same audience on both.
 *
 * The secondary indexes of `user_events` are dropped before its rows go in and built again
 * after (from the store's own definitions), as a bulk load does: building a B-tree from
 * sorted keys is several times faster than growing it row by row.
 */
import { sql, type Kysely } from 'kysely';
import type { Store } from '../../src/store/database.ts';

export interface AudienceSeedArgs {
  users: number;
  /** Events per user on average. */
  eventsPerUser: number;
  /** The clock the rows are laid out from (unix ms); the counts use the same `now`. */
  now: number;
  /** Endpoints are <base>/a/<user>/<k>; nothing is ever sent to them. */
  endpointBase: string;
  p256dh: string;
  auth: string;
  /**
   * The users' time zones, in place of the eight that go with their language and country
   * (section 8 plans over many zones); `noZonePercent` of them get none (the app's zone).
   */
  zones?: { names: readonly string[]; noZonePercent: number };
  /** Subscriptions for the users (default true); section 8's plan reads only the users. */
  subscriptions?: boolean;
  /** The typed attribute rows to write (default all four); a filter on one needs only its own. */
  typedAttributes?: readonly ('plan' | 'score' | 'vip' | 'signedUpAt')[];
}

export interface AudienceSeeded {
  users: number;
  subscriptions: number;
  events: number;
  /** Seconds per table, the index builds counted with their table. */
  seconds: { users: number; attributes: number; subscriptions: number; events: number };
}

/** The segment of the fan-out figure: every user of its app (seed.ts `insertUsers`), cohort = "fanout". */
export const FANOUT_FILTER = { attribute: 'cohort', op: 'eq', value: 'fanout' };

export const EVENT_NAMES = ['viewed_item', 'opened_app', 'searched', 'added_to_cart', 'purchase'] as const;
/** Share of each name, in percent, in the order above. */
const EVENT_WEIGHTS = [50, 15, 10, 20, 5];
export const PLANS = ['free', 'pro', 'team', 'enterprise'] as const;
const PLAN_WEIGHTS = [70, 20, 8, 2];
const LANGUAGES = ['en-US', 'en-GB', 'fr-FR', 'fr-CA', 'de-DE', 'es-ES', 'pt-BR', 'ja-JP'];
const COUNTRIES = ['US', 'GB', 'FR', 'CA', 'DE', 'ES', 'BR', 'JP'];
const TIMEZONES = ['America/New_York', 'Europe/London', 'Europe/Paris', 'America/Toronto', 'Europe/Berlin', 'Europe/Madrid', 'America/Sao_Paulo', 'Asia/Tokyo'];
const DAY = 86_400_000;
/** Share of users with a subscription, and (among all users) with a second one, in percent. */
const SUBSCRIBED = 60;
const TWO_SUBSCRIPTIONS = 15;
const SKUS = 50;

type Dialect = Store['caps']['dialect'];

/**
 * One odd multiplier per draw, unrelated to each other: two close multipliers would draw
 * nearly the same number for the same row (language, time zone and country share one on
 * purpose, so they agree). A second subscription goes to users below a lower bound of the
 * same draw as the first, so only subscribed users have two.
 */
const M = {
  plan: 2654435761,
  score: 2246822519,
  vip: 3266489917,
  signedUpAt: 668265263,
  place: 374761393,
  lastSeen: 1597334677,
  sessions: 3812015801,
  subscribed: 2869860233,
  // Events draw from a mixed number (`mixed`) below 2³², so these stay below 2³¹: no product passes 2⁶³.
  eventUser: 1103515245,
  eventName: 1664525,
  eventAt: 1013904223,
  sku: 134775813,
  noZone: 2166136261,
};

/** a xor (a >> k), spelled with | and & because SQLite has no xor operator. */
function xorShift(a: string, k: number): string {
  return `((${a} | (${a} >> ${k})) - (${a} & (${a} >> ${k})))`;
}

/**
 * Rows of `s(x)` with `h`, a 32-bit mix of x (multiply, xor-shift, twice: the finaliser of
 * a 32-bit hash). Events need it: with a bare multiplication, the events of one user would
 * be rows at regular steps, whose other draws (name, time) are not independent of the user.
 */
function mixed(): string {
  const h1 = `(select x, (cast(x as bigint) * 2654435761) % 4294967296 as h1 from s) t1`;
  const h2 = `(select x, (${xorShift('h1', 16)} * 73244475) % 4294967296 as h2 from ${h1}) t2`;
  return `(select x, ${xorShift('h2', 16)} as h from ${h2}) m`;
}

/** 0..m-1 from row number `x`, a different draw for each odd multiplier `a`. */
function pick(x: string, a: number, m: number): string {
  return `(((((cast(${x} as bigint) * ${a}) % 4294967296) / 256) * ${m}) / 16777216)`;
}

function weighted(x: string, a: number, values: readonly string[], weights: number[]): string {
  let acc = 0;
  const p = pick(x, a, 100);
  const arms = values.slice(0, -1).map((v, i) => `when ${p} < ${(acc += weights[i]!)} then '${v}'`);
  return `(case ${arms.join(' ')} else '${values.at(-1)}' end)`;
}

function oneOf(x: string, a: number, values: string[]): string {
  return `(case ${pick(x, a, values.length)} ${values.map((v, i) => `when ${i} then '${v}'`).join(' ')} end)`;
}

/** The custom attributes of user x, as SQL expressions. */
function attributes(x: string, now: number) {
  return {
    plan: weighted(x, M.plan, PLANS, PLAN_WEIGHTS),
    score: pick(x, M.score, 1000),
    vip: `(case when ${pick(x, M.vip, 100)} < 5 then 1 else 0 end)`,
    signedUpAt: `(${now - 730 * DAY} + ${pick(x, M.signedUpAt, 700)} * ${DAY})`,
  };
}

/** Rows 0..n-1 as `s(x)`: generate_series on PostgreSQL, a recursive CTE on SQLite (its series extension is not built in). */
function withSeries(dialect: Dialect, n: number, select: string): string {
  if (dialect === 'postgres') return select.replace(/\bfrom s\b/, `from generate_series(0, ${n - 1}) as s(x)`);
  return `with recursive s(x) as (select 0 union all select x + 1 from s where x < ${n - 1}) ${select}`;
}

function isoTime(dialect: Dialect, ms: string): string {
  return dialect === 'postgres'
    ? `to_char(to_timestamp((${ms}) / 1000.0) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : `strftime('%Y-%m-%dT%H:%M:%fZ', (${ms}) / 1000.0, 'unixepoch')`;
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

export async function seedAudience(store: Store, appId: string, args: AudienceSeedArgs): Promise<AudienceSeeded> {
  const { db } = store;
  const dialect = store.caps.dialect;
  const { users: n, now } = args;
  const run = (text: string) => sql.raw<unknown>(text).execute(db);
  if (dialect === 'sqlite') {
    // One bulk load into a throwaway file: a big page cache, the rollback journal in
    // memory rather than a WAL of every new page, and no fsync.
    await sql`pragma cache_size = -1000000`.execute(db);
    await sql`pragma journal_mode = memory`.execute(db);
    await sql`pragma synchronous = off`.execute(db);
  } else {
    await sql`set maintenance_work_mem = '512MB'`.execute(db);
  }
  const app = quote(appId);
  const seconds = { users: 0, attributes: 0, subscriptions: 0, events: 0 };

  const a = attributes('x', now);
  const zone = args.zones
    ? `(case when ${pick('x', M.noZone, 100)} < ${args.zones.noZonePercent} then null else ${oneOf('x', M.place, [...args.zones.names])} end)`
    : oneOf('x', M.place, TIMEZONES);
  const json = `'{"plan":"' || ${a.plan} || '","score":' || ${a.score} || ',"vip":' || (case when ${a.vip} = 1 then 'true' else 'false' end) || ',"signedUpAt":"' || ${isoTime(dialect, a.signedUpAt)} || '"}'`;
  seconds.users = await timed(() =>
    run(
      withSeries(
        dialect,
        n,
        `insert into users (app_id, external_id, language, timezone, country, attributes, created_at, updated_at, last_seen_at, session_count)
         select ${app}, 'u' || x, ${oneOf('x', M.place, LANGUAGES)}, ${zone}, ${oneOf('x', M.place, COUNTRIES)},
           ${json}, ${a.signedUpAt}, ${now}, ${now} - ${pick('x', M.lastSeen, 60 * 24)} * 3600000, ${pick('x', M.sessions, 200)}
         from s`,
      ),
    ),
  );
  // One statement numbered the users in order: user x is seq base + x, which the other tables use.
  const range = await sql<{ lo: number; hi: number; n: number }>`select min(seq) as lo, max(seq) as hi, count(*) as n from users where app_id = ${appId}`.execute(db);
  const { lo, hi } = range.rows[0]!;
  if (Number(hi) - Number(lo) + 1 !== n || Number(range.rows[0]!.n) !== n) throw new Error(`users are not numbered in one run: ${JSON.stringify(range.rows[0])}`);
  const base = Number(lo);

  const u = attributes(`(seq - ${base})`, now);
  seconds.attributes = await timed(async () => {
    const typed: [string, string, string, string][] = [
      ['plan', 'string', u.plan, 'null'],
      ['score', 'number', 'null', u.score],
      ['vip', 'boolean', 'null', u.vip],
      ['signedUpAt', 'time', 'null', u.signedUpAt],
    ];
    for (const [key, type, str, num] of typed.filter(([key]) => !args.typedAttributes || (args.typedAttributes as readonly string[]).includes(key))) {
      await run(`insert into user_attributes (user_seq, app_id, key, type, str, num) select seq, app_id, '${key}', '${type}', ${str}, ${num} from users where app_id = ${app}`);
    }
  });

  seconds.subscriptions = await timed(async () => {
    if (args.subscriptions === false) return;
    for (const [k, share] of [
      [1, SUBSCRIBED],
      [2, TWO_SUBSCRIPTIONS],
    ] as const) {
      await run(
        withSeries(
          dialect,
          n,
          `insert into subscriptions (id, app_id, channel, address, p256dh, auth, user_id, tags, created_at, updated_at)
           select 'sub_a' || x || '_${k}', ${app}, 'webpush', ${quote(`${args.endpointBase}/a/`)} || x || '/${k}', ${quote(args.p256dh)}, ${quote(args.auth)}, 'u' || x, '{}', ${now}, ${now}
           from s where ${pick('x', M.subscribed, 100)} < ${share}`,
        ),
      );
    }
  });

  const events = n * args.eventsPerUser;
  seconds.events = await timed(async () => {
    // A series of no rows would still make one on SQLite (its recursive CTE starts at 0).
    if (events === 0) return;
    const indexes = await dropIndexes(db, dialect, 'user_events');
    const name = weighted('h', M.eventName, EVENT_NAMES, EVENT_WEIGHTS);
    const at = `${now} - ${pick('h', M.eventAt, (30 * DAY) / 1000)} * 1000`;
    await run(
      withSeries(
        dialect,
        events,
        `insert into user_events (app_id, user_seq, name, at, properties, received_at)
         select ${app}, ${base} + ${pick('h', M.eventUser, n)}, ${name}, ${at}, '{"sku":"A' || ${pick('h', M.sku, SKUS)} || '"}', ${now}
         from ${mixed()}`,
      ),
    );
    for (const definition of indexes) await sql.raw(definition).execute(db);
  });
  // On PostgreSQL also what autovacuum would do soon after: the visibility map of the new
  // pages, without which an index-only scan reads the table too (the sizes' plans use them).
  await sql.raw(dialect === 'postgres' ? 'vacuum analyze' : 'analyze').execute(db);

  const subs = await sql<{ n: number }>`select count(*) as n from subscriptions where app_id = ${appId}`.execute(db);
  if (dialect === 'sqlite') {
    await sql`pragma journal_mode = wal`.execute(db);
    await sql`pragma synchronous = normal`.execute(db);
  }
  return { users: n, subscriptions: Number(subs.rows[0]!.n), events, seconds };
}

/** Drops a table's secondary indexes and returns the statements that make them again. */
async function dropIndexes(db: Kysely<any>, dialect: Dialect, table: string): Promise<string[]> {
  const rows =
    dialect === 'postgres'
      ? (await sql<{ name: string; definition: string }>`select indexname as name, indexdef as definition from pg_indexes where tablename = ${table} and indexname not like '%_pkey'`.execute(db)).rows
      : (await sql<{ name: string; definition: string }>`select name, sql as definition from sqlite_master where type = 'index' and tbl_name = ${table} and sql is not null`.execute(db)).rows;
  for (const r of rows) await sql`drop index ${sql.ref(r.name)}`.execute(db);
  return rows.map((r) => r.definition);
}

/** Only the bench's own constants and ids go through here, never input from outside. */
function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
