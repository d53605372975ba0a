/**
 * Section 13: journeys.
 *
 * N users (100k; --n) enter an active journey (trigger event → wait 1 h → send → wait 1 d
 * → update) through batched `POST /track`, all within a minute; the server's clock (a bench
 * clock, bench/lib/bench-clock.ts) is then moved an hour and a day on, so that every timer
 * fires: journey steps per second, counted from the journey's stats (docs/journeys.md#stats)
 * as entries, waits fired, sends and updates, on the embedded default (SQLite, one process)
 * and on PostgreSQL + Redis (an API process and a worker process). The sends go to the
 * loopback sink, as the fan-out's do.
 *
 * The reference, measured in the same run on the same kind of store: the queue's own
 * throughput, N timers of a handler that does nothing (bench/children/queue-floor.ts).
 * Goals (issue #15): journey steps ≥ 0.5× the bare queue's jobs, and ≥ 5,000 steps/s.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchStore } from '../lib/carillon-config.ts';
import type { Harness, Server } from '../lib/harness.ts';
import { callApi } from '../lib/http.ts';
import { wallNow } from '../lib/ipc.ts';
import { describeMachine } from '../lib/machine.ts';
import { goal, type Row, type SectionResult } from '../lib/report.ts';
import { count, fixed, int, times } from '../lib/stats.ts';
import { startServices, useGivenServices, type Services } from './fanout.ts';

const SECTION = 13;
/** Users under --quick without --n. */
const QUICK_N = 300;
const RATIO_GOAL = 0.5;
const RATE_GOAL = 5_000;
/** The window for every user's trigger event. */
const ENTRY_WINDOW_S = 60;
/** Events per `POST /track` (its most, src/audience/events/limits.ts) and requests in flight. */
const EVENTS_PER_TRACK = 1_000;
const TRACKS_IN_FLIGHT = 4;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/**
 * How often the harness reads the journey's stats, the figure's resolution: every 250 ms,
 * and every second from 10k users, where a read (which counts every run by position) takes
 * the measured server tens of ms and four a second would be a measurable part of its work.
 */
const pollMs = (n: number) => (n >= 10_000 ? 1_000 : 250);

/** The journey measured: every user's run is five steps (entered, a wait fired, a send, a wait fired, an update). */
export const BENCH_JOURNEY = {
  name: 'bench journey',
  trigger: { event: 'bench_entered' },
  exit: { events: ['bench_left'] },
  steps: [
    { wait: { duration: '1h' } },
    { send: { content: { en: { title: 'Still there, {{ user.id }}?', body: 'Your basket is waiting.', url: 'https://shop.example/cart' } }, defaultLanguage: 'en' } },
    { wait: { duration: '1d' } },
    { update: { attributes: { benchJourney: 'done' } } },
  ],
};
const STEPS_PER_RUN = 5;

type Engine = 'SQLite' | 'PostgreSQL + Redis';

interface Phase {
  /** Steps it was counted to have done. */
  steps: number;
  seconds: number;
}

export interface JourneyFigure {
  engine: Engine;
  n: number;
  /** Seconds of posting every trigger event (the requests alone), and of the runs' entries up to the last. */
  trackSeconds: number;
  entry: Phase;
  /** Clock moved an hour: the first wait fired, the send, the second wait entered. */
  hour: Phase;
  /** Clock moved a day: the second wait fired, the update, the run's end. */
  day: Phase;
  steps: number;
  seconds: number;
  perSecond: number;
  /** Pushes the sink counted, and the time from the hour's move to the last. */
  pushes: number;
  pushSeconds: number;
  stats: unknown;
  /** Load average (1, 5, 15 min) when the figure was taken. */
  load: number[];
  valid: boolean;
  problem?: string;
}

export interface QueueFigure {
  engine: Engine;
  n: number;
  seconds: number;
  perSecond: number;
  fillSeconds: number;
  cpuMs: number;
  load: number[];
}

export async function journeysSection(h: Harness): Promise<SectionResult> {
  const { quick, nSet, n: flagN } = h.flags;
  const n = quick && !nSet ? QUICK_N : flagN;
  const figures: { engine: Engine; journey?: JourneyFigure; queue?: QueueFigure; error?: string }[] = [];
  const rows: Row[] = [];

  const sqlite = await measureEngine(h, 'SQLite', n, () => h.store(mkdtempSync(join(h.tmp, 'journeys-'))), 0);
  figures.push(sqlite);
  rows.push(row(n, sqlite));
  if (!h.flags.noScaleOut) {
    const given = { databaseUrl: process.env.CARILLON_BENCH_DATABASE_URL, redisUrl: process.env.CARILLON_BENCH_REDIS_URL };
    let services: Services | undefined;
    try {
      services = given.databaseUrl && given.redisUrl ? await useGivenServices(given.databaseUrl, given.redisUrl) : await startServices();
      const s = services;
      const store = () => h.store(mkdtempSync(join(h.tmp, 'journeys-pg-')), { databaseUrl: s.databaseUrl, redisUrl: s.redisUrl, queuePrefix: `bench-${randomBytes(4).toString('hex')}` });
      const pg = await measureEngine(h, 'PostgreSQL + Redis', n, store, 1);
      figures.push(pg);
      rows.push(row(n, pg));
    } finally {
      await services?.stop();
    }
  }
  return { name: 'journeys', rows, data: { n, stepsPerRun: STEPS_PER_RUN, journey: BENCH_JOURNEY, figures } };
}

/** The journey, then the bare queue, on fresh stores of one engine; a failure of either is the row's. */
async function measureEngine(h: Harness, engine: Engine, n: number, store: () => BenchStore, workers: number): Promise<{ engine: Engine; journey?: JourneyFigure; queue?: QueueFigure; error?: string }> {
  try {
    const journey = await journeyRun(h, engine, n, store(), workers);
    const queue = await queueRun(h, engine, n, store());
    return { engine, journey, queue };
  } catch (err) {
    const message = (err as Error).message;
    h.log(`  journeys on ${engine} failed: ${message}`);
    return { engine, error: message };
  }
}

function row(n: number, f: { engine: Engine; journey?: JourneyFigure; queue?: QueueFigure; error?: string }): Row {
  const processes = f.engine === 'SQLite' ? 'one process' : 'an API process + 1 worker process';
  const what = `Journeys ${count(n)}: users enter (trigger → wait 1 h → send → wait 1 d → update) by batched /track, then the clock moves an hour and a day; ${f.engine}, ${processes}: journey steps/s (${STEPS_PER_RUN} a run: entered, 2 waits fired, a send, an update)`;
  if (!f.journey || !f.queue) return { section: SECTION, what, carillon: `failed: ${(f.error ?? 'no figure').split('\n')[0]}`, peer: '', ratio: '', goal: '' };
  const j = f.journey;
  const q = f.queue;
  const ratio = j.perSecond / q.perSecond;
  const load = (l: number[]) => `load ${l.map((x) => x.toFixed(2)).join(' / ')}`;
  const phase = (p: Phase) => `${int(p.steps / p.seconds)} steps/s over ${fixed(p.seconds)} s`;
  const check = j.valid ? '' : `; DOES NOT ADD UP: ${j.problem}`;
  const entered = j.entry.seconds <= ENTRY_WINDOW_S ? `all entered in ${fixed(j.entry.seconds)} s` : `entries took ${fixed(j.entry.seconds)} s, MORE THAN THE MINUTE`;
  return {
    section: SECTION,
    what,
    carillon: `${int(j.perSecond)} steps/s (${int(j.steps)} steps in ${fixed(j.seconds)} s; entry ${phase(j.entry)}, ${entered} (the /track requests ${fixed(j.trackSeconds)} s); hour ${phase(j.hour)}; day ${phase(j.day)}; ${int(j.pushes)} pushes at the sink within ${fixed(j.pushSeconds)} s of the hour's move; ${load(j.load)})${check}`,
    peer: `the bare ${f.engine === 'SQLite' ? 'embedded queue' : 'BullMQ queue'}: ${int(q.perSecond)} jobs/s (${int(q.n)} timers of a handler doing nothing, ${fixed(q.seconds)} s, CPU ${fixed(q.cpuMs / q.n, 3)} ms/job; ${load(q.load)})`,
    ratio: times(ratio),
    goal: [goal(`≥ ${RATIO_GOAL}× the bare queue`, j.valid ? ratio >= RATIO_GOAL : false), goal(`≥ ${int(RATE_GOAL)} steps/s`, j.valid ? j.perSecond >= RATE_GOAL : false)].join('; '),
  };
}

interface Stats {
  runs: { active: number; ended: number };
  steps: { step: string; entered: number; waiting: number; sent: number; skipped: number; exited: Record<string, number> }[];
  ended: Record<string, number>;
}

/** Steps the stats count: entries of the first step, each wait fired (the entry of the step after it), sends, and updates done (runs completed on the last step). */
function stepsDone(s: Stats): { entered: number; waitsFired: number; sent: number; updated: number; total: number } {
  const at = (step: string) => s.steps.find((x) => x.step === step);
  const entered = at('/steps/0')?.entered ?? 0;
  const waitsFired = (at('/steps/1')?.entered ?? 0) + (at('/steps/3')?.entered ?? 0);
  const sent = at('/steps/1')?.sent ?? 0;
  const updated = at('/steps/3')?.exited.completed ?? 0;
  return { entered, waitsFired, sent, updated, total: entered + waitsFired + sent + updated };
}

async function journeyRun(h: Harness, engine: Engine, n: number, store: BenchStore, workers: number): Promise<JourneyFigure> {
  h.log(`journeys on ${engine}: seeding ${int(n)} users with a subscription each`);
  const { seeded } = await h.seed({ store, webpush: { n, endpointBase: h.endpointBase, probes: 0, users: true } });
  const app = seeded.webpush!;
  h.log(`  seeded in ${fixed(seeded.seconds)} s`);
  const sink = await h.sink('h1');
  // --profile: a V8 CPU profile per process and thread, cut to the measured window by its marks (bench/profile-summary.ts).
  const profileDir = h.flags.profile ? join(h.profileDir(), `journeys-${count(n)}-${engine.replace(/\W+/g, '-')}-${new Date().toISOString().replace(/[:.]/g, '-')}`) : undefined;
  const start = (name: string, role?: 'api' | 'worker') => {
    if (profileDir) mkdirSync(join(profileDir, role ?? 'both'), { recursive: true });
    return h.startServer(store, {
      clock: true,
      name: `${name} (journeys, ${engine})`,
      ...(role ? { overrides: { role } } : {}),
      // A folder per process, each with the marks.json bench/profile-summary.ts reads beside a profile.
      ...(profileDir ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, role ?? 'both')}`], env: { BENCH_MARKS_FILE: join(profileDir, role ?? 'both', 'marks.json') } } : {}),
    });
  };
  const servers: Server[] = workers > 0 ? [await start('carillon api', 'api'), ...(await Promise.all(Array.from({ length: workers }, (_, i) => start(`carillon worker ${i + 1}`, 'worker'))))] : [await start('carillon')];
  const api = servers[0]!;
  const mark = (name: string) => servers.forEach((s) => s.child.send({ type: 'mark', name }));
  try {
    // The crypto threads loaded and a connection to the sink open, as on a server up for a while (not worth it under --quick).
    if (!h.flags.quick) await h.warmUp(api, sink, seeded.warm!);
    const created = await callApi(api.base, 'POST', `/v1/apps/${app.id}/journeys`, app.secretKey, BENCH_JOURNEY);
    if (created.status !== 201) throw new Error(`POST journeys: ${created.status} ${JSON.stringify(created.body)}`);
    const id = created.body.id as string;
    const activated = await callApi(api.base, 'POST', `/v1/apps/${app.id}/journeys/${id}/activate`, app.secretKey);
    if (activated.status !== 200) throw new Error(`activate: ${activated.status} ${JSON.stringify(activated.body)}`);
    const stats = async (): Promise<Stats> => {
      const res = await callApi(api.base, 'GET', `/v1/apps/${app.id}/journeys/${id}/stats`, app.secretKey);
      if (res.status !== 200) throw new Error(`GET stats: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as Stats;
    };
    // Polls the stats until `done` holds; the time is that of the read that saw it.
    const until = async (what: string, done: (s: Stats) => boolean, timeoutMs = Math.max(120_000, n * 20)): Promise<{ s: Stats; t: number }> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await stats();
        const t = wallNow();
        if (done(s)) return { s, t };
        if (Date.now() > deadline) throw new Error(`${what}: not after ${Math.round(timeoutMs / 1000)} s; steps ${JSON.stringify(stepsDone(s))}`);
        await new Promise((r) => setTimeout(r, pollMs(n)));
      }
    };
    /** Moves every process's clock once the queue is idle, then (on Redis) makes the delayed timers waiting. */
    const advance = async (ms: number): Promise<number> => {
      api.child.send({ type: 'idle' });
      await api.child.next('idle');
      for (const s of servers) s.child.send({ type: 'advance', ms });
      await Promise.all(servers.map((s) => s.child.next('advanced')));
      const t = wallNow();
      api.child.send({ type: 'promote' });
      await api.child.next('promoted');
      return t;
    };

    // Entry: every user's trigger event through /track, a few requests in flight.
    h.log(`  ${int(n)} trigger events through POST /track, ${EVENTS_PER_TRACK} a request`);
    mark('accepted');
    const t0 = wallNow();
    const batches: number[] = [];
    for (let s = 0; s < n; s += EVENTS_PER_TRACK) batches.push(s);
    const post = async () => {
      for (let b = batches.shift(); b !== undefined; b = batches.shift()) {
        const events = Array.from({ length: Math.min(EVENTS_PER_TRACK, n - b) }, (_, k) => ({ userId: `f${b + k}`, name: 'bench_entered', properties: { k: b + k } }));
        const res = await callApi(api.base, 'POST', `/v1/apps/${app.id}/track`, app.secretKey, { events });
        if (res.status !== 200 || res.body?.accepted !== events.length) throw new Error(`POST track: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      }
    };
    await Promise.all(Array.from({ length: TRACKS_IN_FLIGHT }, post));
    const trackSeconds = (wallNow() - t0) / 1000;
    const entered = await until('every run entered', (s) => stepsDone(s).entered >= n && (s.steps[0]?.waiting ?? 0) >= n);
    const entry: Phase = { steps: stepsDone(entered.s).total, seconds: (entered.t - t0) / 1000 };
    h.log(`    entered: ${int(entry.steps)} steps in ${fixed(entry.seconds)} s (requests ${fixed(trackSeconds)} s)`);

    // An hour on: the first wait fires, the send goes to the sink, the second wait begins.
    await h.expect(sink, n, `journeys-${engine}`);
    const th = await advance(HOUR + 1_000);
    const hourDone = await until('every send made and the day wait entered', (s) => stepsDone(s).sent >= n && (s.steps[2]?.waiting ?? 0) >= n);
    const hour: Phase = { steps: stepsDone(hourDone.s).total - stepsDone(entered.s).total, seconds: (hourDone.t - th) / 1000 };
    h.log(`    an hour on: ${int(hour.steps)} steps in ${fixed(hour.seconds)} s`);
    const pushed = await sink.next<{ t: number; count: number }>('done', Math.max(120_000, n * 20));
    const pushSeconds = (pushed.t - th) / 1000;
    h.log(`    ${int(pushed.count)} pushes at the sink ${fixed(pushSeconds)} s after the move`);

    // A day on: the second wait fires, the update, the end.
    const td = await advance(DAY + 1_000);
    const dayDone = await until('every run completed', (s) => (s.ended.completed ?? 0) >= n && stepsDone(s).updated >= n);
    const day: Phase = { steps: stepsDone(dayDone.s).total - stepsDone(hourDone.s).total, seconds: (dayDone.t - td) / 1000 };
    mark('delivered');
    h.log(`    a day on: ${int(day.steps)} steps in ${fixed(day.seconds)} s`);

    const done = stepsDone(dayDone.s);
    const steps = done.total;
    const seconds = entry.seconds + hour.seconds + day.seconds;
    const problems: string[] = [];
    if (steps !== STEPS_PER_RUN * n) problems.push(`${int(steps)} steps counted for ${int(n)} runs of ${STEPS_PER_RUN}`);
    if (pushed.count !== n) problems.push(`${int(pushed.count)} pushes at the sink for ${int(n)} sends`);
    if ((dayDone.s.runs.ended ?? 0) !== n || dayDone.s.runs.active !== 0) problems.push(`runs ${JSON.stringify(dayDone.s.runs)}`);
    return {
      engine,
      n,
      trackSeconds,
      entry,
      hour,
      day,
      steps,
      seconds,
      perSecond: steps / seconds,
      pushes: pushed.count,
      pushSeconds,
      stats: { ...done, runs: dayDone.s.runs, ended: dayDone.s.ended },
      load: describeMachine().loadAverage,
      valid: problems.length === 0,
      ...(problems.length ? { problem: problems.join('; ') } : {}),
    };
  } finally {
    for (const s of servers.slice(1)) await h.stopServer(s, false);
    await h.stopServer(api, !store.databaseUrl);
  }
}

async function queueRun(h: Harness, engine: Engine, n: number, store: BenchStore): Promise<QueueFigure> {
  h.log(`  the bare queue on ${engine}: ${int(n)} timers of a handler doing nothing`);
  const child = h.child('children/queue-floor.ts', { store, n, overrides: {} }, { name: `queue floor (${engine})` });
  try {
    await child.next('ready', 120_000);
    child.send({ type: 'run' });
    const r = await child.next<{ n: number; handled: number; seconds: number; fillSeconds: number; cpuMs: number }>('drained', Math.max(120_000, n * 10));
    h.log(`    ${int(r.n / r.seconds)} jobs/s (${fixed(r.seconds)} s; added in ${fixed(r.fillSeconds)} s)`);
    await child.stop();
    return { engine, n: r.n, seconds: r.seconds, perSecond: r.n / r.seconds, fillSeconds: r.fillSeconds, cpuMs: r.cpuMs, load: describeMachine().loadAverage };
  } finally {
    child.kill();
    if (!store.databaseUrl) rmSync(store.dataDir, { recursive: true, force: true });
  }
}
