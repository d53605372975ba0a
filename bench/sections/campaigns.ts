/**
 * Section 8: campaigns.
 *
 * - Personalised fan-out: a campaign whose title uses two Liquid variables (the user's
 *   first name and city) in three languages (en, fr, de; a quarter of the users have no
 *   language and get the default, en), launched to N users with a subscription each,
 *   against the plain fan-out `to: {all: true}` of the same subscriptions on the same
 *   HTTP/1.1 sink (goal ≥ 0.9×). A few subscriptions carry keys the bench holds: the sink
 *   keeps what they got, and the bench decrypts it and checks each title is the one that
 *   user's language, name and city make.
 * - Planning a local-time campaign (09:00 on each user's clock, a month ahead) for 1M
 *   users over 40 IANA zones: the wall time of `POST .../launch`, which groups the audience
 *   by zone once and stores a notification per send instant (goal under 10 s), on SQLite
 *   and on PostgreSQL, beside the bare group-by of the same audience.
 */
import { createECDH, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { decryptWebPush } from '../../src/protocol/webpush/ece.ts';
import { openStore } from '../../src/store/database.ts';
import { FANOUT_FILTER, PLANS } from '../lib/audience-seed.ts';
import type { BenchStore } from '../lib/carillon-config.ts';
import type { Harness, Server } from '../lib/harness.ts';
import { callApi } from '../lib/http.ts';
import { browserKeys, p256KeyPool, type BrowserKeys } from '../lib/keys.ts';
import { goal, type Row, type SectionResult } from '../lib/report.ts';
import { personalUser } from '../lib/seed.ts';
import { count, fixed, int, median, ms, times } from '../lib/stats.ts';
import { carillonFanout, startServices, useGivenServices, type FanoutFigure, type Services } from './fanout.ts';

const SECTION = 8;
/** Audience of the fan-out and users of the plan under --quick without --n. */
const QUICK_N = 2_000;
const PLAN_USERS = 1_000_000;
const PLAN_GOAL_MS = 10_000;
const FANOUT_GOAL = 0.9;
/** Share of the plan's users without a zone (the app's zone, Europe/Paris, is theirs). */
const NO_ZONE_PERCENT = 5;

/**
 * 40 zones: whole, half- and quarter-hour offsets from -11 to +14, both hemispheres' DST
 * rules, and zones that share an offset (they share a wave).
 */
export const PLAN_ZONES = [
  'Pacific/Pago_Pago', 'Pacific/Honolulu', 'America/Anchorage', 'America/Los_Angeles', 'America/Denver', 'America/Phoenix', 'America/Chicago', 'America/Mexico_City',
  'America/New_York', 'America/Toronto', 'America/Bogota', 'America/Halifax', 'America/St_Johns', 'America/Sao_Paulo', 'America/Argentina/Buenos_Aires', 'Atlantic/Azores',
  'Atlantic/Reykjavik', 'Europe/London', 'Europe/Lisbon', 'Europe/Paris', 'Europe/Berlin', 'Africa/Lagos', 'Europe/Athens', 'Africa/Cairo',
  'Europe/Istanbul', 'Asia/Tehran', 'Asia/Dubai', 'Asia/Kabul', 'Asia/Karachi', 'Asia/Kolkata', 'Asia/Kathmandu', 'Asia/Dhaka',
  'Asia/Bangkok', 'Asia/Shanghai', 'Asia/Tokyo', 'Australia/Adelaide', 'Australia/Sydney', 'Pacific/Auckland', 'Pacific/Tongatapu', 'Pacific/Kiritimati',
] as const;

/** The personalised campaign's versions; `expectedTitle` is the bench's own reading of them. */
const VERSIONS = {
  en: { title: 'Hi {{ user.attributes.firstName }}, new in {{ user.attributes.city }}', body: 'Everything 20% off until midnight. Tap to see what is left in your size.' },
  fr: { title: 'Bonjour {{ user.attributes.firstName }}, nouveau à {{ user.attributes.city }}', body: 'Tout à -20 % jusqu’à minuit. Touchez pour voir ce qui reste à votre taille.' },
  de: { title: 'Hallo {{ user.attributes.firstName }}, neu in {{ user.attributes.city }}', body: 'Alles 20 % günstiger bis Mitternacht. Tippen Sie, um Ihre Größe zu sehen.' },
} as const;

function expectedTitle(i: number): string {
  const u = personalUser(i);
  const version = u.language === null ? 'en' : (u.language.slice(0, 2) as keyof typeof VERSIONS);
  const [greeting, rest] = { en: ['Hi', 'new in'], fr: ['Bonjour', 'nouveau à'], de: ['Hallo', 'neu in'] }[version];
  return `${greeting} ${u.firstName}, ${rest} ${u.city}`;
}

function personalCampaign(): Record<string, unknown> {
  const content = Object.fromEntries(Object.entries(VERSIONS).map(([lang, v]) => [lang, { ...v, url: 'https://shop.example/sale', icon: 'https://shop.example/icon-192.png' }]));
  return { name: 'bench personalised', audience: { filter: FANOUT_FILTER }, content, defaultLanguage: 'en' };
}

function describe(f: FanoutFigure): string {
  return `${int(f.perSecond)} msg/s (${fixed(f.seconds)} s, peak RSS ${Math.round(f.peakRssKb / 1024)} MB, CPU ${fixed(f.cpuMsPerMessage, 2)} ms/msg)`;
}

export async function campaignsSection(h: Harness): Promise<SectionResult> {
  const { quick, nSet, n } = h.flags;
  const fanoutN = quick && !nSet ? QUICK_N : n;
  // The plan is of 1M users unless --quick; --n raises it, never lowers it outside --quick.
  const planUsers = quick ? (nSet ? n : QUICK_N) : Math.max(PLAN_USERS, nSet ? n : 0);
  const data: { fanout: unknown; plans: PlanFigure[] } = { fanout: null, plans: [] };
  const rows: Row[] = [];
  rows.push(...(await personalisedFanout(h, fanoutN, data)));
  rows.push(...(await planFigures(h, planUsers, quick ? 2 : 3, data.plans)));
  return { name: 'campaigns', rows, data };
}

interface Sampled {
  /** The personalised run (1 or 2). */
  run: number;
  i: number;
  expected: string;
  got: string | null;
  error?: string;
}

async function personalisedFanout(h: Harness, n: number, data: { fanout: unknown }): Promise<Row[]> {
  // Two subscriptions of each language (and of none), at both ends of the audience.
  const indices = [...new Set([0, 1, 2, 3, n - 4, n - 3, n - 2, n - 1].filter((i) => i >= 0 && i < n))];
  const held = new Map<number, BrowserKeys & { privateKey: Buffer }>();
  for (const i of indices) {
    const ecdh = createECDH('prime256v1');
    const p256dh = ecdh.generateKeys().toString('base64url');
    held.set(i, { p256dh, auth: randomBytes(16).toString('base64url'), privateKey: ecdh.getPrivateKey() });
  }
  h.log(`personalised fan-out ${count(n)}: seeding ${int(n)} users (language, firstName, city) with a subscription each`);
  const dir = mkdtempSync(join(h.tmp, 'campaign-fanout-'));
  const { seeded } = await h.seed({ webpush: { n, endpointBase: h.endpointBase, probes: 0, users: true, personal: true, keysOf: (i) => held.get(i) } }, dir);
  h.log(`  seeded in ${fixed(seeded.seconds)} s`);
  const run = async (label: string, extra: { to?: unknown; campaign?: Record<string, unknown>; sample?: string[] }) => {
    h.log(`  ${label}`);
    const f = await carillonFanout(h, { n, mode: 'h1', store: h.store(h.copyTemplate({ dir, seeded })), seeded, label, profile: h.flags.profile, ...extra });
    h.log(`    ${describe(f)}`);
    return f;
  };
  // Outside --quick, plain, personal, personal, plain: a load that drifts during the runs favours neither.
  const rounds = h.flags.quick ? 1 : 2;
  const plains: FanoutFigure[] = [];
  const personals: FanoutFigure[] = [];
  const runPlain = async (k: number) => plains.push(await run(`Carillon to all ${count(n)} (plain${rounds > 1 ? `, run ${k}` : ''})`, { to: { all: true } }));
  const runPersonal = async (k: number) =>
    personals.push(await run(`Carillon personalised campaign to ${count(n)}${rounds > 1 ? ` (run ${k})` : ''}`, { campaign: personalCampaign(), sample: indices.map((i) => `/push/b/${i}`) }));
  await runPlain(1);
  await runPersonal(1);
  if (rounds > 1) {
    await runPersonal(2);
    await runPlain(2);
  }

  // Every personalised run's samples: a run whose titles were wrong makes the figure one of wrong messages.
  const sampled: Sampled[] = personals.flatMap((personal, run) =>
    indices.map((i): Sampled => {
      const keys = held.get(i)!;
      const body = personal.samples?.[`/push/b/${i}`];
      if (body === undefined) return { run: run + 1, i, expected: expectedTitle(i), got: null, error: 'the sink kept nothing' };
      try {
        const plaintext = decryptWebPush({ body: Buffer.from(body, 'base64'), uaPrivate: keys.privateKey, uaPublic: Buffer.from(keys.p256dh, 'base64url'), authSecret: Buffer.from(keys.auth, 'base64url') });
        return { run: run + 1, i, expected: expectedTitle(i), got: String(JSON.parse(plaintext.toString('utf8'))?.notification?.title) };
      } catch (err) {
        return { run: run + 1, i, expected: expectedTitle(i), got: null, error: (err as Error).message };
      }
    }),
  );
  const wrong = sampled.filter((s) => s.got !== s.expected);
  for (const s of sampled) h.log(`    run ${s.run}, f${s.i}: "${s.got}"${s.got === s.expected ? '' : ` — expected "${s.expected}"${s.error ? ` (${s.error})` : ''}`}`);
  const plain = overall(plains);
  const personal = overall(personals);
  const sent = personals.reduce((sum, f) => sum + Number(f.counts?.sent ?? Number.NaN), 0);
  data.fanout = { n, plains, personals: personals.map((f) => ({ ...f, samples: undefined })), sampled, sent };

  const ratio = personal.perSecond / plain.perSecond;
  // Recipients left out (a render cut by its limit, say) are not pushes: the rate counts what the sink got, and the row says who was left out.
  const left = new Map<string, number>();
  for (const f of personals) for (const [reason, k] of Object.entries(f.counts ?? {})) if (!['sent', 'delivered', 'failed'].includes(reason) && k > 0) left.set(reason, (left.get(reason) ?? 0) + k);
  const audience = n * personals.length;
  const valid = wrong.length === 0 && sent === personal.n;
  const leftOut = left.size > 0 ? `; ${int(audience - sent)} of ${int(audience)} recipients not sent: ${[...left].map(([reason, k]) => `${reason} ${int(k)}`).join(', ')}` : '';
  const check = valid
    ? `; ${sampled.length}/${sampled.length} sampled titles decrypted as rendered, e.g. "${sampled.find((s) => s.i === 2)?.got ?? sampled[0]?.got}"${leftOut}`
    : `; NOT PERSONALISED AS EXPECTED: ${wrong.length} of ${sampled.length} sampled titles wrong${wrong[0] ? ` (f${wrong[0].i}: "${wrong[0].got}", expected "${wrong[0].expected}")` : ''}, ${int(sent)} recorded sent, ${int(personal.n)} at the sink${leftOut}`;
  return [
    {
      section: SECTION,
      what: `Personalised fan-out ${count(n)}: a campaign with 2 Liquid variables in 3 languages (+ the default for users with none), Web Push, HTTP/1.1 sink, SQLite: msg/s from launch to last 201${rounds > 1 ? ', runs in the order plain, personal, personal, plain' : ''}`,
      carillon: `${describe(personal)}${runsOf(personals)}${check}`,
      peer: `plain to: {all: true}, same ${count(n)} subscriptions and sink: ${describe(plain)}${runsOf(plains)}`,
      ratio: times(ratio),
      goal: goal(`≥ ${FANOUT_GOAL}× plain`, valid ? ratio >= FANOUT_GOAL : false),
    },
  ];
}

/** Runs of one contender as one figure: pushes over seconds, the peak of RSS, CPU per message over all of them. */
function overall(runs: FanoutFigure[]): FanoutFigure {
  if (runs.length === 1) return runs[0]!;
  const n = runs.reduce((s, f) => s + f.n, 0);
  const seconds = runs.reduce((s, f) => s + f.seconds, 0);
  return {
    ...runs[0]!,
    n,
    seconds,
    perSecond: n / seconds,
    peakRssKb: Math.max(...runs.map((f) => f.peakRssKb)),
    cpuMsPerMessage: runs.reduce((s, f) => s + f.cpuMsPerMessage * f.n, 0) / n,
    sinkCpuMsPerMessage: runs.reduce((s, f) => s + f.sinkCpuMsPerMessage * f.n, 0) / n,
  };
}

function runsOf(runs: FanoutFigure[]): string {
  return runs.length > 1 ? ` [runs: ${runs.map((f) => `${int(f.perSecond)}`).join(', ')} msg/s]` : '';
}

type Engine = 'SQLite' | 'PostgreSQL';

interface PlanFigure {
  engine: Engine;
  users: number;
  zones: number;
  date: string;
  seedSeconds: number;
  launchMs: number[];
  groupByMs: number[];
  waves: number;
  /** Zones the waves of one launch name, against the distinct zones of the audience (with "none"). */
  zonesPlanned: number;
  audienceZones: number;
  status: string;
  /** The intelligent schedule's launch on the same audience: its answer (`planning`), the time until the planning job was done, and the plan rows it wrote (one per user). */
  intelligentAnswerMs: number;
  intelligentMs: number;
  intelligentRows: number;
}

async function planFigures(h: Harness, users: number, runs: number, out: PlanFigure[]): Promise<Row[]> {
  const engines: { engine: Engine; store: BenchStore; services?: Services }[] = [{ engine: 'SQLite', store: h.store(mkdtempSync(join(h.tmp, 'campaign-plan-'))) }];
  const rows: Row[] = [];
  try {
    if (!h.flags.noScaleOut) {
      const given = { databaseUrl: process.env.CARILLON_BENCH_DATABASE_URL, redisUrl: process.env.CARILLON_BENCH_REDIS_URL };
      const services = given.databaseUrl && given.redisUrl ? await useGivenServices(given.databaseUrl, given.redisUrl) : await startServices();
      engines.push({
        engine: 'PostgreSQL',
        services,
        store: h.store(mkdtempSync(join(h.tmp, 'campaign-plan-pg-')), { databaseUrl: services.databaseUrl, redisUrl: services.redisUrl, queuePrefix: `bench-${randomBytes(4).toString('hex')}` }),
      });
    }
    for (const { engine, store } of engines) {
      try {
        rows.push(await planOn(h, engine, store, users, runs, out));
      } catch (err) {
        const message = (err as Error).message;
        h.log(`  plan on ${engine} failed: ${message}`);
        rows.push({ section: SECTION, what: `Plan a local-time campaign for ${count(users)} users, ${engine}`, carillon: `failed: ${message.split('\n')[0]}`, peer: '', ratio: '', goal: '' });
      }
    }
  } finally {
    for (const { services } of engines) await services?.stop();
  }
  return rows;
}

async function planOn(h: Harness, engine: Engine, store: BenchStore, users: number, runs: number, out: PlanFigure[]): Promise<Row> {
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const keys = browserKeys(p256KeyPool(1), 0);
  h.log(`campaign plan on ${engine}: seeding ${int(users)} users over ${PLAN_ZONES.length} zones (${NO_ZONE_PERCENT}% with none), no events`);
  const { seeded } = await h.seed({
    store,
    audience: { users, eventsPerUser: 0, now, endpointBase: h.endpointBase, ...keys, zones: { names: PLAN_ZONES, noZonePercent: NO_ZONE_PERCENT }, subscriptions: false, typedAttributes: ['plan'] },
  });
  const app = seeded.audience!;
  h.log(`  seeded in ${fixed(seeded.seconds)} s`);
  // A month ahead: every zone's 09:00 is still to come, so every wave is scheduled and nothing is sent.
  const date = new Date(now + 30 * 86_400_000).toISOString().slice(0, 10);
  const filter = { attribute: 'plan', op: 'in', value: [...PLANS] };

  const db = await openStore({ dataDir: store.dataDir, ...(store.databaseUrl ? { databaseUrl: store.databaseUrl } : {}) });
  const server = await h.startServer(store, { name: `carillon (campaign plan, ${engine})` });
  try {
    await patchSettings(server, app, { timezone: 'Europe/Paris', quietHours: { start: '21:00', end: '08:00' } });
    // The peer: the database's own time for the one group-by the plan needs, written by hand.
    const groupBy = async () => {
      const t0 = performance.now();
      const res = await sql<{ zone: string | null; n: number }>`
        select u.timezone as zone, count(*) as n from users u
        where u.app_id = ${app.id} and exists (select 1 from user_attributes a where a.user_seq = u.seq and a.app_id = ${app.id} and a.key = 'plan' and a.str in (${sql.join([...PLANS])}))
        group by u.timezone`.execute(db.db);
      return { ms: performance.now() - t0, zones: res.rows.length, users: res.rows.reduce((s, r) => s + Number(r.n), 0) };
    };
    const launchMs: number[] = [];
    const groupByMs: number[] = [];
    let audience = { zones: 0, users: 0 };
    let last: { id: string; status: string } = { id: '', status: '' };
    for (let r = 0; r < runs; r++) {
      // Alternate who goes first, so the page cache favours neither.
      const peer = async () => {
        const g = await groupBy();
        groupByMs.push(g.ms);
        audience = g;
      };
      if (r % 2 === 1) await peer();
      const created = await callApi(server.base, 'POST', `/v1/apps/${app.id}/campaigns`, app.secretKey, {
        name: `bench local time ${r + 1}`,
        audience: { filter },
        content: { en: { title: 'Good morning', body: 'Your daily picks are in.' } },
        schedule: { localTime: { date, time: '09:00' } },
      });
      if (created.status !== 201) throw new Error(`campaign: ${created.status} ${JSON.stringify(created.body)}`);
      const t0 = performance.now();
      const launched = await callApi(server.base, 'POST', `/v1/apps/${app.id}/campaigns/${created.body.id}/launch`, app.secretKey);
      launchMs.push(performance.now() - t0);
      if (launched.status !== 200) throw new Error(`launch: ${launched.status} ${JSON.stringify(launched.body)}`);
      last = { id: created.body.id, status: launched.body.status };
      if (r % 2 === 0) await peer();
      h.log(`  launch ${r + 1}: ${ms(launchMs.at(-1)!)} (${launched.body.status}); group-by ${ms(groupByMs.at(-1)!)}`);
    }
    // The intelligent schedule on the same audience: a plan row per user, written page by page.
    const best = await callApi(server.base, 'POST', `/v1/apps/${app.id}/campaigns`, app.secretKey, {
      name: 'bench intelligent',
      audience: { filter },
      content: { en: { title: 'Good morning', body: 'Your daily picks are in.' } },
      schedule: { intelligent: { within: '24h', fallback: '10:00' } },
    });
    if (best.status !== 201) throw new Error(`campaign: ${best.status} ${JSON.stringify(best.body)}`);
    const tb = performance.now();
    const bestLaunch = await callApi(server.base, 'POST', `/v1/apps/${app.id}/campaigns/${best.body.id}/launch`, app.secretKey);
    const intelligentAnswerMs = performance.now() - tb;
    if (bestLaunch.status !== 200) throw new Error(`launch: ${bestLaunch.status} ${JSON.stringify(bestLaunch.body)}`);
    // The launch answers `planning`; the planning job plans each user. Polled until it is done.
    for (;;) {
      const got = await callApi(server.base, 'GET', `/v1/apps/${app.id}/campaigns/${best.body.id}`, app.secretKey);
      if (got.status !== 200) throw new Error(`campaign: ${got.status} ${JSON.stringify(got.body)}`);
      if (got.body.status !== 'planning') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const intelligentMs = performance.now() - tb;
    const planRows = await db.db.selectFrom('campaign_user_plans').select(sql<number>`count(*)`.as('n')).where('campaign_id', '=', best.body.id).executeTakeFirstOrThrow();
    h.log(`  intelligent launch: answered in ${ms(intelligentAnswerMs)}, planned in ${ms(intelligentMs)}, ${int(Number(planRows.n))} plan rows`);
    const waves = await db.db.selectFrom('notifications').select('wave').where('campaign_id', '=', last.id).where('campaign_run', '>', 0).execute();
    const zonesPlanned = waves.reduce((s, w) => s + (JSON.parse(w.wave ?? '{}').zones?.length ?? 0), 0);
    const figure: PlanFigure = { engine, users, zones: PLAN_ZONES.length, date, seedSeconds: seeded.seconds, launchMs, groupByMs, waves: waves.length, zonesPlanned, audienceZones: audience.zones, status: last.status, intelligentAnswerMs, intelligentMs, intelligentRows: Number(planRows.n) };
    out.push(figure);
    const lm = median(launchMs);
    const gm = median(groupByMs);
    // Every zone of the audience (and "none") in exactly one wave, the whole audience matched, nothing due yet.
    const valid = zonesPlanned === audience.zones && audience.users === users && last.status === 'scheduled';
    const check = valid ? '' : `; PLAN DOES NOT ADD UP: waves name ${zonesPlanned} zones of ${audience.zones}, audience ${int(audience.users)} of ${int(users)}, status ${last.status}`;
    return {
      section: SECTION,
      what: `Plan a local-time campaign (09:00 on each user's clock on ${date}) for ${count(users)} users over ${PLAN_ZONES.length} zones (+ ${NO_ZONE_PERCENT}% with none), ${engine}: POST .../launch, median of ${runs}`,
      carillon: `${ms(lm)} (${waves.length} waves for ${audience.zones} zones; ${launchMs.map((m) => ms(m)).join(', ')})${check}; the intelligent schedule (a plan row per user, no engagement history, planned by a job): launch answered in ${ms(intelligentAnswerMs)}, planned in ${ms(intelligentMs)} for ${int(Number(planRows.n))} rows`,
      peer: `the bare group-by of the same audience by zone: ${ms(gm)}`,
      ratio: `launch takes ${times(lm / gm)}`,
      goal: goal('< 10 s', valid ? lm < PLAN_GOAL_MS : false),
    };
  } finally {
    await db.close();
    await h.stopServer(server, !store.databaseUrl);
  }
}

async function patchSettings(server: Server, app: { id: string; secretKey: string }, body: unknown): Promise<void> {
  const res = await fetch(`${server.base}/v1/apps/${app.id}/campaign-settings`, { method: 'PATCH', headers: { authorization: `Bearer ${app.secretKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`PATCH campaign-settings: ${res.status} ${await res.text()}`);
}
