/**
 * Section 2: fan-out end to end. From POST /notifications answered 202 to the sink's
 * last 201, for N Web Push subscriptions on the embedded SQLite default, against the
 * best a web-push user can do on the same sink (sendNotification over a keep-alive
 * agent, 100 in flight). Each contender runs in its own process and reports its own peak
 * RSS; the audience grows by decades from 10k to N.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres } from '../../scripts/services/postgres.ts';
import { startRedis } from '../../scripts/services/redis.ts';
import type { Config } from '../../src/config/defaults.ts';
import type { PeerArgs } from '../children/webpush-peer.ts';
import type { SinkMode } from '../sink.ts';
import { BROADCAST, TTL, broadcastPlaintext } from '../lib/content.ts';
import type { BenchStore } from '../lib/carillon-config.ts';
import type { Harness } from '../lib/harness.ts';
import { callApi } from '../lib/http.ts';
import { wallNow } from '../lib/ipc.ts';
import { goal, type Row, type SectionResult } from '../lib/report.ts';
import { storeCost, storeMeter, type StoreCost, type StoreMeter } from '../lib/store-meter.ts';
import { count, fixed, int, mb, times } from '../lib/stats.ts';

export interface FanoutFigure {
  contender: string;
  n: number;
  sink: SinkMode;
  seconds: number;
  perSecond: number;
  peakRssKb: number;
  /** Connections (HTTP/1.1 sockets or HTTP/2 sessions) that carried pushes during the run. */
  connections: number;
  /** ms of CPU per message: the contender's process (all its threads) and the sink's, over the measured window. */
  cpuMsPerMessage: number;
  /** Carillon only: ms of CPU per message of the main threads alone (every process's), NaN where /proc is not there. */
  mainCpuMsPerMessage?: number;
  sinkCpuMsPerMessage: number;
  /** Carillon only, one process: its memory when the sink had the last push (main thread's heap, Buffers, RSS of all threads), bytes. */
  memoryAtLast?: NodeJS.MemoryUsage;
  /** Carillon on PostgreSQL + Redis only: what the run cost the two servers, from the 202 to the processes' stop. */
  storeCost?: StoreCost;
  /** Requests per HTTP version, as the sink saw them. */
  versions: Record<string, number>;
  /** The machine's 1-minute load average when the run ended: other work on the machine shows here. */
  loadAverage: number;
  /** Carillon only: when the notification's status became completed, after the last 201. */
  completedSeconds?: number;
  counts?: Record<string, number>;
  errors?: number;
  /** Bodies (base64, still encrypted) of the sampled paths, as the sink got them. */
  samples?: Record<string, string>;
}

interface SinkDone {
  type: string;
  t: number;
  connections: number;
  versions: Record<string, number>;
  cpuMs: number;
  /** Pushes counted: the expected count, unless a campaign completed having sent fewer. */
  count?: number;
  samples?: Record<string, string>;
}

/** Seconds without a new push at the sink before a campaign run asks whether the campaign has completed. */
const QUIET_CHECK_S = 6;

/** ms the sink may take per message before a run is declared stuck, plus a minute. */
const STUCK_MS_PER_MESSAGE = 20;

/** 10k, 100k, 1M, ... up to n (and n itself). */
export function audienceSizes(n: number): number[] {
  const sizes: number[] = [];
  for (let size = 10_000; size < n; size *= 10) sizes.push(size);
  sizes.push(n);
  return sizes;
}

/**
 * One Carillon fan-out: a fresh copy of the seeded store, its own process (or an API
 * process and `workers` worker processes), a warm-up, then the broadcast.
 */
export async function carillonFanout(
  h: Harness,
  opts: {
    n: number;
    mode: SinkMode;
    store: BenchStore;
    seeded: Awaited<ReturnType<Harness['template']>>['seeded'];
    label: string;
    profile?: boolean;
    /** Settings other than the defaults, to see what moves the figure. */
    overrides?: Partial<Config>;
    /** Run `carillon serve --role api` and this many `--role worker` processes instead of one process with both roles. */
    workers?: number;
    /** The audience selector; `{ all: true }` by default. */
    to?: unknown;
    /**
     * A campaign to save and launch instead of the broadcast (`POST .../campaigns`, then
     * `.../launch`): timed from the launch's answer, completed when the campaign is.
     */
    campaign?: Record<string, unknown>;
    /** Sink paths (`/push/b/<i>`) whose bodies come back in `samples`. */
    sample?: string[];
    /** PostgreSQL and Redis, read just before the send and once the processes have stopped. */
    meter?: StoreMeter;
  },
): Promise<FanoutFigure> {
  const { n, mode, seeded } = opts;
  const app = seeded.webpush!;
  const audience = n + app.probeIds.length;
  const sink = await h.sink(mode);
  // One profile per thread (main, crypto workers, the TypeScript loader's thread), named by
  // Node with the pid and thread id, in a folder per run.
  const profileDir = opts.profile ? join(h.profileDir(), `fanout-${count(n)}-${mode}-${new Date().toISOString().replace(/[:.]/g, '-')}`) : undefined;
  const execArgv = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const start = (name: string, role?: Config['role']) =>
    h.startServer(opts.store, {
      execArgv,
      name,
      overrides: { ...opts.overrides, ...(role ? { role } : {}) },
      ...(profileDir ? { env: { BENCH_MARKS_FILE: join(profileDir, role ? `marks-${role}-${name.replace(/\W+/g, '-')}.json` : 'marks.json') } } : {}),
    });
  const servers = opts.workers
    ? [await start(`carillon api (${opts.label})`, 'api'), ...(await Promise.all(Array.from({ length: opts.workers }, (_, i) => start(`carillon worker ${i + 1} (${opts.label})`, 'worker'))))]
    : [await start(`carillon (${opts.label})`)];
  const api = servers[0]!;
  const mark = (name: string) => servers.forEach((s) => s.child.send({ type: 'mark', name }));
  try {
    await h.warmUp(api, sink, seeded.warm!);
    const campaign = opts.campaign ? await callApi(api.base, 'POST', `/v1/apps/${app.id}/campaigns`, app.secretKey, opts.campaign) : undefined;
    if (campaign && campaign.status !== 201) throw new Error(`campaign: ${campaign.status} ${JSON.stringify(campaign.body)}`);
    if (opts.sample) {
      sink.send({ type: 'expect', count: audience, id: opts.label, sample: opts.sample });
      await sink.next('expecting', 10_000);
    } else await h.expect(sink, audience, opts.label);
    const storeBefore = await opts.meter?.read();
    const res = campaign
      ? await callApi(api.base, 'POST', `/v1/apps/${app.id}/campaigns/${campaign.body.id}/launch`, app.secretKey)
      : await callApi(api.base, 'POST', `/v1/apps/${app.id}/notifications`, app.secretKey, { to: opts.to ?? { all: true }, ...BROADCAST });
    const t202 = wallNow();
    mark('accepted');
    if (res.status !== (campaign ? 200 : 202)) throw new Error(`${campaign ? 'launch' : 'broadcast'}: ${res.status} ${JSON.stringify(res.body)}`);
    const done = campaign ? await campaignDelivered(sink, api, app, campaign.body.id, audience) : await sink.next<SinkDone>('done', 60_000 + audience * STUCK_MS_PER_MESSAGE);
    mark('delivered');
    const completed = campaign ? await campaignCompleted(api, app, campaign.body.id, 120_000) : await h.waitCompleted(api, app, res.body.id, 120_000);
    const pushed = done.count ?? audience;
    const stopped = await Promise.all(servers.map((s) => h.stopServer(s, !opts.store.databaseUrl)));
    const seconds = (done.t - t202) / 1000;
    const storeAfter = storeBefore && (await opts.meter!.read());
    const cpuMs = stopped.reduce((sum, r) => sum + (r.cpuMarks.delivered ?? Number.NaN) - (r.cpuMarks.accepted ?? Number.NaN), 0);
    const mainCpuMs = stopped.reduce((sum, r) => sum + (r.mainCpuMarks.delivered ?? Number.NaN) - (r.mainCpuMarks.accepted ?? Number.NaN), 0);
    return {
      contender: opts.label,
      n: pushed,
      sink: mode,
      seconds,
      perSecond: pushed / seconds,
      // Every process of the set-up: what the machine holds for it.
      peakRssKb: stopped.reduce((sum, r) => sum + r.maxRssKb, 0),
      connections: done.connections,
      versions: done.versions,
      completedSeconds: (completed.t - t202) / 1000,
      counts: completed.counts,
      loadAverage: loadavg()[0]!,
      cpuMsPerMessage: cpuMs / pushed,
      mainCpuMsPerMessage: mainCpuMs / pushed,
      ...(stopped.length === 1 && stopped[0]!.memoryMarks.delivered ? { memoryAtLast: stopped[0]!.memoryMarks.delivered } : {}),
      ...(storeBefore && storeAfter ? { storeCost: storeCost(storeBefore, storeAfter) } : {}),
      sinkCpuMsPerMessage: done.cpuMs / pushed,
      ...(done.samples ? { samples: done.samples } : {}),
    };
  } catch (err) {
    servers.forEach((s) => s.child.kill());
    throw err;
  }
}

/**
 * The sink's `done`, or, when a campaign completes having sent fewer than the audience
 * (a recipient skipped, e.g. render_failed), what the sink counted up to its last 201
 * once it has every push the campaign says it sent. The campaign is asked only after the
 * sink has had no push for QUIET_CHECK_S, so the measured run is not polled.
 */
async function campaignDelivered(sink: Awaited<ReturnType<Harness['sink']>>, server: { base: string }, app: { id: string; secretKey: string }, id: string, audience: number): Promise<SinkDone> {
  const deadline = Date.now() + 60_000 + audience * STUCK_MS_PER_MESSAGE;
  let last = -1;
  let quiet = 0;
  for (;;) {
    try {
      // Short waits, each of which removes its own waiter: a stale one would take the next run's `done`.
      return await sink.next<SinkDone>('done', 1_000);
    } catch (err) {
      if (!/no 'done' within/.test((err as Error).message)) throw err;
    }
    sink.send({ type: 'stats' });
    const stats = await sink.next<{ type: string; counted: number; lastT: number; used: number; versions: Record<string, number>; cpuMs: number; samples: Record<string, string> }>('stats', 10_000);
    if (stats.counted !== last) {
      last = stats.counted;
      quiet = 0;
    } else if (++quiet >= QUIET_CHECK_S) {
      quiet = 0;
      const c = await callApi(server.base, 'GET', `/v1/apps/${app.id}/campaigns/${id}`, app.secretKey);
      const sent = Number(c.body?.counts?.recipients?.sent);
      if (c.body?.status === 'completed' && stats.counted >= sent) return { type: 'done', t: stats.lastT, connections: stats.used, versions: stats.versions, cpuMs: stats.cpuMs, count: stats.counted, samples: stats.samples };
    }
    if (Date.now() > deadline) throw new Error(`campaign ${id}: the sink has ${stats.counted} of ${audience} pushes after ${Math.round((60_000 + audience * STUCK_MS_PER_MESSAGE) / 1000)} s`);
  }
}

/** Polls a campaign until it is completed; returns its recipients by reason and when it completed. */
async function campaignCompleted(server: { base: string }, app: { id: string; secretKey: string }, id: string, timeoutMs: number): Promise<{ counts: Record<string, number>; t: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await callApi(server.base, 'GET', `/v1/apps/${app.id}/campaigns/${id}`, app.secretKey);
    if (res.body?.status === 'completed') return { counts: { ...res.body.counts.recipients, delivered: res.body.counts.delivered, failed: res.body.counts.failed }, t: wallNow() };
    if (Date.now() > deadline) throw new Error(`campaign ${id} not completed after ${timeoutMs / 1000} s: ${JSON.stringify(res.body?.counts)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The web-push peer on the same sink and the same rows. */
async function webpushFanout(h: Harness, template: Awaited<ReturnType<Harness['template']>>): Promise<FanoutFigure> {
  const app = template.seeded.webpush!;
  const audience = template.seeded.rows;
  const sink = await h.sink('h1');
  const peer = h.child(
    'children/webpush-peer.ts',
    { dbFile: h.dbFile(template), appId: app.id, caFile: h.cert.certFile, concurrency: 100, payload: broadcastPlaintext(), ttl: TTL } satisfies PeerArgs,
    { name: 'web-push peer' },
  );
  await peer.next('ready', 60_000);
  await h.expect(sink, audience, 'web-push');
  peer.send({ type: 'go' });
  const done = await sink.next<SinkDone>('done', 60_000 + audience * STUCK_MS_PER_MESSAGE * 10);
  const sent = await peer.next<{ type: string; t0: number; errors: number; firstError: string; cpuMs: number }>('sent', 60_000);
  const stopped = await peer.stop<{ type: string; maxRssKb: number }>();
  const seconds = (done.t - sent.t0) / 1000;
  return {
    contender: 'web-push',
    n: audience,
    sink: 'h1',
    seconds,
    perSecond: audience / seconds,
    peakRssKb: stopped.maxRssKb,
    connections: done.connections,
    versions: done.versions,
    errors: sent.errors,
    loadAverage: loadavg()[0]!,
    cpuMsPerMessage: sent.cpuMs / audience,
    sinkCpuMsPerMessage: done.cpuMs / audience,
  };
}

/** Per message: PostgreSQL's CPU, rows and WAL, Redis's CPU and commands. */
function describeStoreCost(f: FanoutFigure): string {
  const c = f.storeCost;
  if (!c) return 'no PostgreSQL or Redis figures';
  const per = (x: number, digits = 2) => fixed(x / f.n, digits);
  const tables = Object.entries(c.byTable)
    .slice(0, 4)
    .map(([name, rows]) => `${name} ${per(rows)}`)
    .join(', ');
  return `per message: PostgreSQL ${per(c.pgCpuMs, 3)} ms CPU, ${per(c.rowsWritten)} rows written (${tables}), ${per(c.commits, 3)} commits, ${per(c.walBytes, 0)} B of WAL, ${per(c.databaseBytes, 0)} B more on disk; Redis ${per(c.redisCpuMs, 4)} ms CPU, ${per(c.redisCommands, 3)} commands`;
}

function describe(f: FanoutFigure): string {
  const main = f.mainCpuMsPerMessage !== undefined && Number.isFinite(f.mainCpuMsPerMessage) ? `, main thread ${fixed(f.mainCpuMsPerMessage, 2)}` : '';
  return `${int(f.perSecond)} msg/s (${fixed(f.seconds)} s, peak RSS ${mb(f.peakRssKb)}, ${f.connections} conn., CPU ${fixed(f.cpuMsPerMessage, 2)} ms/msg${main})`;
}

export async function fanoutSection(h: Harness): Promise<SectionResult> {
  const { n } = h.flags;
  const sizes = audienceSizes(n);
  // The other contenders' audience: --n, or --peer-max when it is smaller.
  const sideN = sizes.filter((s) => s <= h.flags.peerMax).at(-1) ?? sizes[0]!;
  const figures: FanoutFigure[] = [];
  const rows: Row[] = [];
  const pairs: { carillon: FanoutFigure; peer: FanoutFigure }[] = [];
  const carillonSeries: FanoutFigure[] = [];

  for (const [i, size] of sizes.entries()) {
    const template = await h.template(size);
    const runCarillon = async () => {
      h.log(`fan-out ${count(size)}: Carillon, HTTP/1.1 sink`);
      const f = await carillonFanout(h, { n: size, mode: 'h1', store: h.store(h.copyTemplate(template)), seeded: template.seeded, label: `Carillon h1 ${count(size)}`, profile: h.flags.profile && size === n });
      h.log(`  ${describe(f)}`);
      const m = f.memoryAtLast;
      if (m) h.log(`  at the last push: RSS ${mb(m.rss / 1024)}, main thread's heap ${mb(m.heapTotal / 1024)} (${mb(m.heapUsed / 1024)} used), Buffers and other external ${mb(m.external / 1024)}; the rest (crypto threads, code, native) ${mb((m.rss - m.heapTotal - m.external) / 1024)}`);
      return f;
    };
    const runPeer = async () => {
      h.log(`fan-out ${count(size)}: web-push, HTTP/1.1 sink`);
      const f = await webpushFanout(h, template);
      h.log(`  ${describe(f)}${f.errors ? `, ${f.errors} errors` : ''}`);
      return f;
    };
    if (size > sideN) {
      const carillon = await runCarillon();
      figures.push(carillon);
      carillonSeries.push(carillon);
      const peer = pairs.at(-1)!.peer;
      const ratio = carillon.perSecond / peer.perSecond;
      rows.push({
        section: 2,
        what: `Fan-out ${count(size)} Web Push, HTTP/1.1 sink, SQLite: msg/s from 202 to last 201`,
        carillon: describe(carillon),
        peer: `web-push at ${count(peer.n)} (--peer-max): ${int(peer.perSecond)} msg/s`,
        ratio: times(ratio),
        goal: goal('≥ 5× web-push', ratio >= 5),
      });
      continue;
    }
    // Alternate who goes first, so a change in the machine's load does not favour one side.
    const [carillon, peer] = i % 2 === 0 ? [await runCarillon(), await runPeer()] : await runPeer().then(async (p) => [await runCarillon(), p] as const);
    figures.push(carillon, peer);
    carillonSeries.push(carillon);
    pairs.push({ carillon, peer });
    const ratio = carillon.perSecond / peer.perSecond;
    rows.push({
      section: 2,
      what: `Fan-out ${count(size)} Web Push, HTTP/1.1 sink, SQLite: msg/s from 202 to last 201`,
      carillon: describe(carillon),
      peer: `web-push sendNotification ×100: ${describe(peer)}`,
      ratio: times(ratio),
      goal: goal('≥ 5× web-push', ratio >= 5),
    });
  }

  const template = await h.template(sideN);
  h.log(`fan-out ${count(sideN)}: Carillon, HTTP/2 sink`);
  const h2 = await carillonFanout(h, { n: sideN, mode: 'h2', store: h.store(h.copyTemplate(template)), seeded: template.seeded, label: `Carillon h2 ${count(sideN)}`, profile: h.flags.profile });
  h.log(`  ${describe(h2)}`);
  figures.push(h2);
  const peerAtN = pairs.at(-1)!.peer;
  rows.push({
    section: 2,
    what: `Fan-out ${count(sideN)} Web Push, HTTP/2 sink (TLS ALPN h2), SQLite: msg/s from 202 to last 201, and the HTTP/2 sessions it took`,
    carillon: `${describe(h2)}; ${h2.connections} session(s) at the sink, requests by HTTP version ${JSON.stringify(h2.versions)}`,
    peer: `web-push (HTTP/1.1 only) as above: ${int(peerAtN.perSecond)} msg/s`,
    ratio: times(h2.perSecond / peerAtN.perSecond),
    goal: goal('≥ 5× web-push', h2.perSecond / peerAtN.perSecond >= 5),
  });

  if (carillonSeries.length > 1) {
    const growth = (series: FanoutFigure[]) => {
      const first = series[0]!;
      const last = series.at(-1)!;
      const steps = series.map((f) => `${fixed(f.seconds)} s / ${mb(f.peakRssKb)}`).join(' → ');
      return `${steps} (time ×${fixed(last.seconds / first.seconds)}, RSS ×${fixed(last.peakRssKb / first.peakRssKb, 2)} for ×${fixed(last.n / first.n, 0)} audience)`;
    };
    const first = carillonSeries[0]!;
    const last = carillonSeries.at(-1)!;
    const rssMet = n >= 1_000_000 ? last.peakRssKb < 300 * 1024 : undefined;
    rows.push({
      section: 2,
      what: `Growth ${sizes.map(count).join(' → ')}: time / peak RSS`,
      carillon: growth(carillonSeries),
      peer: `web-push: ${pairs.length > 1 ? growth(pairs.map((p) => p.peer)) : 'one size only'}`,
      ratio: `RSS ${times(last.peakRssKb / first.peakRssKb)}`,
      goal: goal(`1M with peak RSS < 300 MB${rssMet === undefined ? ' (run --n 1000000)' : ''}`, rssMet),
    });
  }

  let scaleOutError: string | undefined;
  if (!h.flags.noScaleOut) {
    const embedded = pairs.at(-1)!.carillon;
    try {
      const [one, api1, api2] = await scaleOutFanouts(h, sideN);
      figures.push(one, api1, api2);
      rows.push(
        {
          section: 2,
          what: `Fan-out ${count(sideN)} on PostgreSQL + Redis (BullMQ), one process (role both), HTTP/1.1 sink`,
          carillon: describe(one),
          peer: `Carillon on embedded SQLite as above: ${int(embedded.perSecond)} msg/s`,
          ratio: times(one.perSecond / embedded.perSecond),
          goal: '',
        },
        {
          section: 2,
          what: `Fan-out ${count(sideN)} on PostgreSQL + Redis: API process + 1 worker process`,
          carillon: describe(api1),
          peer: `one process (role both) as above: ${int(one.perSecond)} msg/s`,
          ratio: times(api1.perSecond / one.perSecond),
          goal: '',
        },
        {
          section: 2,
          what: `Fan-out ${count(sideN)} on PostgreSQL + Redis: API process + 2 worker processes (${cpus().length} cores)`,
          carillon: describe(api2),
          peer: `API + 1 worker as above: ${int(api1.perSecond)} msg/s; the embedded SQLite: ${int(embedded.perSecond)} msg/s`,
          ratio: `${times(api2.perSecond / api1.perSecond)}; ${times(api2.perSecond / embedded.perSecond)} the embedded`,
          goal: goal('≥ 0.9× the embedded', api2.perSecond / embedded.perSecond >= 0.9),
        },
        {
          section: 2,
          what: `What the fan-out of ${count(sideN)} cost PostgreSQL and Redis (API process + 1 worker process), from the 202 to the processes' stop`,
          carillon: describeStoreCost(api1),
          peer: `Carillon's processes: ${fixed(api1.cpuMsPerMessage, 3)} ms CPU per message`,
          // PostgreSQL's CPU is known only when it runs on this machine; its rows always are.
          ratio: api1.storeCost && Number.isFinite(api1.storeCost.pgCpuMs) ? `PostgreSQL CPU ${fixed(api1.storeCost.pgCpuMs / api1.n / api1.cpuMsPerMessage, 2)}× Carillon's` : `${fixed((api1.storeCost?.rowsWritten ?? Number.NaN) / api1.n, 2)} rows a message`,
          goal: 'inputs of the capacity model (docs/scale-out.md)',
        },
      );
    } catch (err) {
      scaleOutError = (err as Error).message;
      h.log(`  scale-out figure failed: ${scaleOutError}`);
      rows.push({ section: 2, what: `Fan-out ${count(sideN)} on PostgreSQL + Redis`, carillon: `failed: ${scaleOutError.split('\n')[0]}`, peer: '', ratio: '', goal: '' });
    }
  }
  const profiles = h.flags.profile ? readdirSync(h.profileDir()).filter((f) => f.startsWith('fanout-')) : [];
  return { name: 'fanout', rows, data: { sizes, figures, profiles, keyPool: 'distinct endpoints and auth secrets; 2,000 distinct P-256 keys cycled', scaleOutError } };
}

/**
 * The same fan-out on PostgreSQL and Redis (BullMQ), three times on one seeded database:
 * one process with both roles, then an API process with one and with two worker
 * processes. On the servers named by CARILLON_BENCH_DATABASE_URL and
 * CARILLON_BENCH_REDIS_URL when both are set (a database and a key prefix of its own are
 * made there), else on servers started for the run from Debian's packages
 * (scripts/services).
 */
async function scaleOutFanouts(h: Harness, n: number): Promise<[FanoutFigure, FanoutFigure, FanoutFigure]> {
  const given = { databaseUrl: process.env.CARILLON_BENCH_DATABASE_URL, redisUrl: process.env.CARILLON_BENCH_REDIS_URL };
  const services = given.databaseUrl && given.redisUrl ? await useGivenServices(given.databaseUrl, given.redisUrl) : await startServices();
  h.log(`fan-out ${count(n)}: Carillon on PostgreSQL ${services.version} + Redis`);
  try {
    const store = h.store(mkdtempSync(join(h.tmp, 'scale-out-')), { databaseUrl: services.databaseUrl, redisUrl: services.redisUrl, queuePrefix: `bench-${randomBytes(4).toString('hex')}` });
    h.log(`  seeding ${n.toLocaleString('en-US')} subscriptions into PostgreSQL`);
    const { seeded } = await h.seed({ store, webpush: { n, endpointBase: h.endpointBase, probes: 0 } });
    h.log(`  seeded in ${seeded.seconds.toFixed(1)} s`);
    const meter = await storeMeter(services.databaseUrl, services.redisUrl);
    const run = async (label: string, workers?: number) => {
      h.log(`  ${label}`);
      const f = await carillonFanout(h, { n, mode: 'h1', store, seeded, label: `Carillon PostgreSQL+Redis ${count(n)} ${label}`, meter, ...(workers ? { workers } : {}) });
      h.log(`    ${describe(f)}; ${describeStoreCost(f)}`);
      return f;
    };
    try {
      return [await run('one process'), await run('API + 1 worker', 1), await run('API + 2 workers', 2)];
    } finally {
      await meter.close();
    }
  } finally {
    await services.stop();
  }
}

export interface Services {
  databaseUrl: string;
  redisUrl: string;
  version: string;
  stop(): Promise<void>;
}

export async function startServices(): Promise<Services> {
  const [postgres, redis] = await Promise.all([startPostgres({ database: 'carillon_bench' }), startRedis()]);
  return {
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    version: postgres.version,
    stop: async () => void (await Promise.allSettled([postgres.stop(), redis.stop()])),
  };
}

export async function useGivenServices(databaseUrl: string, redisUrl: string): Promise<Services> {
  const name = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const version = String((await admin.query('show server_version')).rows[0]?.server_version ?? '?');
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    redisUrl,
    version,
    stop: async () => {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`).catch(() => {});
      await c.end();
    },
  };
}
