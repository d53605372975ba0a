/**
 * Section 14: push sign-in approval (docs/mfa.md) at 50 concurrent logins. USERS users
 * each enroll one device whose push subscription is a Firefox-like client on Carillon's
 * own push service, in the same process as the API (bench/children/mfa-devices.ts: real
 * RFC 8291 decryption, a non-extractable P-256 key signing every request). The login
 * server (bench/sections/mfa-logins.ts) runs LOGINS sign-ins, CONCURRENCY at once:
 * challenge POST → push (ids only) → signed details → signed answer with the code → the
 * login server sees `approved`. Then the same while a 100k broadcast to the sink is in
 * flight, as sections 3 and 11 start one (another app, the same server and queue).
 *
 * The app's MFA settings stay the defaults: every sign-in is approved, which resets the
 * push cap (pushes since the last success), and no user has two sign-ins at once. The
 * defences keyed by address see one address per phone (X-Forwarded-For behind a trusted
 * loopback proxy), not one for the whole load generator.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { Agent } from 'undici';
import { BROADCAST } from '../lib/content.ts';
import { URGENT_THREADS, type Harness } from '../lib/harness.ts';
import { callApi } from '../lib/http.ts';
import { wallNow } from '../lib/ipc.ts';
import { goal, type SectionResult } from '../lib/report.ts';
import { count, int, ms, times } from '../lib/stats.ts';
import { listenToDevices, phaseFigures, readStoreTimes, runLogins, WAIT_S, type Api, type Login, type PhaseFigures } from './mfa-logins.ts';

/** Users, each with one enrolled device: ten times the sign-ins in flight, so that a user's turns are far apart. */
const USERS = 500;
/** Sign-ins in flight at once (the issue's 50 concurrent logins). */
const CONCURRENCY = 50;
/** Sign-ins measured with no broadcast, and at most during the broadcast. */
const LOGINS = 1_000;
/** Sign-ins before the measured ones: JIT, connections, the crypto threads. */
const WARM_LOGINS = 100;
/** The broadcast behind the sign-ins, at most; its template is section 3's (with its single-send targets). */
const CROWD = 100_000;
const TARGETS = 1_000;
/** Enrollment tokens asked for at once. */
const PARALLEL = 20;

const load = () => loadavg().map((x) => Math.round(x * 100) / 100);

function line(f: PhaseFigures): string {
  const s = f.stages;
  return `p50 ${ms(f.roundTrip.p50)}, p95 ${ms(f.roundTrip.p95)}, p99 ${ms(f.roundTrip.p99)} over ${f.approved} (${f.perSecond.toFixed(1)}/s${f.lost ? `, ${f.lost} lost: ${f.firstError}` : ''}); push alone p50 ${ms(f.push.p50)}, p99 ${ms(f.push.p99)}; median stages: POST → 201 ${ms(s.create.p50)} (row → notification ${ms(s.rowToNotification.p50)}), fan-out ${ms(s.fanout.p50)}, deliver ${ms(s.deliver.p50)}, details ${ms(s.details.p50)}, answer ${ms(s.answer.p50)}, poll lag ${ms(s.pollLag.p50)}; approved committed p99 ${ms(f.committed.p99)}; ${f.pollsPerLogin.toFixed(1)} polls a sign-in`;
}

export async function mfaSection(h: Harness): Promise<SectionResult> {
  const { quick } = h.flags;
  const n = Math.min(h.flags.n, CROWD);
  const users = quick ? 10 : USERS;
  const concurrency = quick ? 5 : CONCURRENCY;
  const logins = quick ? 20 : LOGINS;
  const warmLogins = quick ? 5 : WARM_LOGINS;
  const template = await h.template(n, TARGETS);
  const bulk = template.seeded.webpush!;
  const sink = await h.sink('h1');
  h.log(`${users} users with a Firefox-like authenticator on Carillon's push service; ${logins} sign-ins, ${concurrency} at once, then during a ${count(n)} broadcast`);
  const profileDir = h.flags.profile ? join(h.profileDir(), `mfa-${count(n)}-${new Date().toISOString().replace(/[:.]/g, '-')}`) : undefined;
  const server = await h.startServer(h.store(h.copyTemplate(template)), {
    // The push service beside the API, as `CARILLON_PUSH_SERVICE=true carillon serve`; the
    // phones come through a proxy on loopback that names each one's address.
    overrides: { ...URGENT_THREADS, pushService: true, trustProxy: '127.0.0.1' },
    name: 'carillon (mfa)',
    // marks.json beside the profiles: `npx tsx bench/profile-summary.ts <main thread's profile> 25 idle-start idle-end` cuts them to the idle sign-ins.
    ...(profileDir ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`], env: { BENCH_MARKS_FILE: join(profileDir, 'marks.json') } } : {}),
  });
  const dispatcher = new Agent({ connections: concurrency + 8, keepAliveTimeout: 30_000 });
  const created = await callApi(server.base, 'POST', '/v1/apps', h.adminKey, { name: 'bench sign-in', vapidSubject: 'mailto:bench@example.org' });
  if (created.status !== 201) throw new Error(`app: ${created.status} ${JSON.stringify(created.body)}`);
  const api: Api = { base: server.base, appId: created.body.id, secretKey: created.body.secretKey, dispatcher };
  const devices = h.child('children/mfa-devices.ts', { base: server.base, appId: api.appId, vapidPublicKey: created.body.vapidPublicKey }, { name: 'mfa devices' });
  const deviceErrors: string[] = [];
  const reportOf = listenToDevices(devices, (m) => deviceErrors.length < 20 && deviceErrors.push(m));
  const all: Login[] = [];
  const loads: Record<string, number[]> = { start: load() };
  let broadcastSeconds = Number.NaN;
  let settings: unknown;
  let cpuMarks: Record<string, number> = {};
  try {
    await devices.next('ready', 60_000);
    const tokens: { userId: string; token: string }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < users) {
          const userId = `signer${next++}`;
          const res = await callApi(server.base, 'POST', `/v1/apps/${api.appId}/mfa/enrollments`, api.secretKey, { userId }, dispatcher);
          if (res.status !== 201) throw new Error(`enrollment: ${res.status} ${JSON.stringify(res.body)}`);
          tokens.push({ userId, token: res.body.token });
        }
      }),
    );
    const t0 = wallNow();
    devices.send({ type: 'enroll', enrollments: tokens });
    const enrolled = await devices.next<{ count: number; failed: number; firstError: string }>('enrolled', 600_000);
    if (enrolled.failed > 0 || enrolled.count !== users) throw new Error(`${enrolled.failed} of ${users} devices failed to enroll: ${enrolled.firstError}`);
    h.log(`  ${users} devices enrolled in ${((wallNow() - t0) / 1000).toFixed(1)} s`);
    settings = (await callApi(server.base, 'GET', `/v1/apps/${api.appId}/mfa/settings`, api.secretKey)).body;

    await h.warmUp(server, sink, template.seeded.warm!);
    const free = tokens.map((t) => t.userId);
    await runLogins(api, devices, free, all, { phase: 'warm', count: warmLogins, concurrency });
    loads.idle = load();
    // The server's CPU (every thread: the libuv pool's scrypt too) across the idle sign-ins.
    server.child.send({ type: 'mark', name: 'idle-start' });
    await runLogins(api, devices, free, all, { phase: 'idle', count: logins, concurrency });
    server.child.send({ type: 'mark', name: 'idle-end' });
    loads.idleEnd = load();

    await h.expect(sink, n + bulk.probeIds.length, 'crowd');
    let inFlight = true;
    const res = await callApi(server.base, 'POST', `/v1/apps/${bulk.id}/notifications`, bulk.secretKey, { to: { all: true }, ...BROADCAST });
    const t202 = wallNow();
    if (res.status !== 202) throw new Error(`broadcast: ${res.status} ${JSON.stringify(res.body)}`);
    const done = sink.next<{ type: string; t: number }>('done', 60_000 + n * 20).then((d) => {
      inFlight = false;
      broadcastSeconds = (d.t - t202) / 1000;
    });
    loads.crowd = load();
    // While the broadcast lasts (and at least `concurrency` sign-ins, for a tiny --quick broadcast).
    const before = all.length;
    await runLogins(api, devices, free, all, { phase: 'crowd', count: logins, concurrency, keepGoing: () => inFlight || all.length - before < concurrency });
    loads.crowdEnd = load();
    await done;
    await h.waitCompleted(server, bulk, res.body.id, 180_000);
  } finally {
    await devices.stop(30_000).catch(() => devices.kill());
    await dispatcher.close();
    cpuMarks = (await h.stopServer(server, false).catch(() => server.child.kill()))?.cpuMarks ?? {};
    try {
      readStoreTimes(server.dataDir, all);
    } catch (err) {
      h.log(`  could not read the store's timestamps: ${(err as Error).message}`);
    }
    rmSync(server.dataDir, { recursive: true, force: true });
  }
  for (const l of all) if (l.challengeId) Object.assign(l, reportOf(l.challengeId));

  const idle = phaseFigures(all.filter((l) => l.phase === 'idle'));
  const serverCpuPerSignIn = ((cpuMarks['idle-end'] ?? Number.NaN) - (cpuMarks['idle-start'] ?? Number.NaN)) / idle.count;
  const crowd = phaseFigures(all.filter((l) => l.phase === 'crowd'));
  h.log(`  no broadcast (load ${loads.idle!.join(' / ')}): ${line(idle)}; server CPU ${ms(serverCpuPerSignIn)} a sign-in`);
  h.log(`  during the broadcast (${broadcastSeconds.toFixed(1)} s; load ${loads.crowd!.join(' / ')}): ${line(crowd)}`);
  if (deviceErrors.length) h.log(`  device errors: ${deviceErrors.slice(0, 3).join('; ')}`);
  const p99 = (f: PhaseFigures) => (f.lost > 0 ? Number.POSITIVE_INFINITY : f.roundTrip.p99);
  const what = `Push sign-in at ${concurrency} concurrent logins, Firefox-like client on Carillon's push service: challenge POST → push → signed details and answer → login server sees approved (a long poll, ?wait=${WAIT_S}), p50 / p95 / p99`;
  const figure = (f: PhaseFigures) => `${ms(f.roundTrip.p50)} / ${ms(f.roundTrip.p95)} / ${ms(f.roundTrip.p99)} (${int(f.approved)} sign-ins, ${f.perSecond.toFixed(1)}/s${f.lost ? `, ${f.lost} lost` : ''}; push alone ${ms(f.push.p50)} / ${ms(f.push.p99)})`;
  return {
    name: 'mfa',
    rows: [
      {
        section: 14,
        what,
        carillon: `${figure(idle)}; server CPU ${ms(serverCpuPerSignIn)} a sign-in`,
        peer: `its push alone (POST → push decrypted at the device): ${ms(idle.push.p50)} / ${ms(idle.push.p95)} / ${ms(idle.push.p99)}`,
        ratio: `p99 ${times(p99(idle) / idle.push.p99)} the push's`,
        goal: goal('p99 < 300 ms', p99(idle) < 300),
      },
      {
        section: 14,
        what: `  same, during a ${count(n)} broadcast to the sink (${broadcastSeconds.toFixed(1)} s)`,
        carillon: figure(crowd),
        peer: `no broadcast, as above: ${ms(idle.roundTrip.p50)} / ${ms(idle.roundTrip.p95)} / ${ms(idle.roundTrip.p99)}`,
        ratio: `p99 ${times(p99(crowd) / idle.roundTrip.p99)}`,
        goal: goal('p99 < 1 s', p99(crowd) < 1000),
      },
    ],
    data: {
      n,
      users,
      concurrency,
      waitS: WAIT_S,
      broadcastSeconds,
      loadAverage: loads,
      /** ms of the server's CPU (all threads) per idle sign-in: what bounds the sign-ins a second. */
      serverCpuPerSignIn,
      settings,
      idle,
      crowd,
      deviceErrors,
      note: 'ms; roundTrip is the login server’s view (its long poll answered), committed the device’s answer answered, push the POST → the push decrypted at the device; stages: create POST → 201, rowToNotification and fanout on the server clock, deliver batch → device',
      logins: all
        .filter((l) => l.phase !== 'warm')
        .map((l) => ({ k: l.k, phase: l.phase, status: l.status ?? null, error: l.error ?? null, roundTripMs: l.seenAt !== undefined ? l.seenAt - l.t0 : null, pushMs: l.pushAt !== undefined ? l.pushAt - l.t0 : null, committedMs: l.answeredAt !== undefined ? l.answeredAt - l.t0 : null, createMs: l.createdAt !== undefined ? l.createdAt - l.t0 : null })),
    },
  };
}
