/**
 * Section 11: a civic alert through a crowd. An Extreme, Immediate CAP alert whose area
 * holds ALERT_USERS located users is posted while a marketing broadcast to N subscriptions
 * is in flight; each of the alert's deliveries is timed from the POST to its arrival at the
 * sink (which reports it by its Topic, the alert's thread). The peer is the same alert
 * (another identifier, the same area) posted in the same process once the broadcast is over.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { BROADCAST } from '../lib/content.ts';
import { URGENT_THREADS, type Harness } from '../lib/harness.ts';
import { callApi } from '../lib/http.ts';
import { wallNow } from '../lib/ipc.ts';
import { goal, type SectionResult } from '../lib/report.ts';
import { count, ms, percentiles, times } from '../lib/stats.ts';

/** Users in the alert's area, each with one Web Push subscription (they get the broadcast too). */
const ALERT_USERS = 10_000;
/** The broadcast behind the alert, at most. */
const CROWD = 100_000;
/** ms after the broadcast's 202 before the alert is posted: its fan-out is well under way. */
const INTO_BROADCAST_MS = 3_000;
/** The area: a 20 km circle; its users are placed within 15 km of the centre. */
const CENTRE = { lat: 45.76, lon: 4.84 };

function alertBody(identifier: string) {
  return {
    identifier,
    sender: 'bench@city.example',
    sent: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    status: 'Actual',
    msgType: 'Alert',
    scope: 'Public',
    infos: [
      {
        language: 'en-US',
        categories: ['Geo'],
        event: 'Dam failure',
        urgency: 'Immediate',
        severity: 'Extreme',
        certainty: 'Observed',
        headline: 'Evacuate the river valley now',
        description: 'The dam upstream has failed. Water will reach the valley within the hour.',
        instruction: 'Go to high ground at once. Do not drive through water.',
        areas: [{ areaDesc: 'River valley', circles: [{ lat: CENTRE.lat, lon: CENTRE.lon, radiusKm: 20 }] }],
      },
    ],
  };
}

/** Gives the template's single-send subscriptions a located user each (the alert's area), in the copied store. */
function locateUsers(dataDir: string, appId: string, n: number): void {
  const db = new SQLite(join(dataDir, 'carillon.db'));
  try {
    const now = Date.now();
    const user = db.prepare('insert into users (app_id, external_id, language, lat, lon, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)');
    const sub = db.prepare('update subscriptions set user_id = ? where app_id = ? and id = ?');
    db.transaction(() => {
      for (let k = 0; k < n; k++) {
        // A spiral within 15 km (0.135° of latitude), so every user is inside the 20 km circle.
        const r = 0.135 * Math.sqrt((k + 0.5) / n);
        const a = k * 2.399963;
        user.run(appId, `resident${k}`, 'en-US', CENTRE.lat + r * Math.sin(a), CENTRE.lon + (r * Math.cos(a)) / Math.cos((CENTRE.lat * Math.PI) / 180), now, now);
        sub.run(`resident${k}`, appId, `sub_u${k}`);
      }
    })();
  } finally {
    db.close();
  }
}

export async function alertsUrgentSection(h: Harness): Promise<SectionResult> {
  const { quick } = h.flags;
  const n = Math.min(h.flags.n, CROWD);
  const template = await h.template(n, ALERT_USERS);
  const app = template.seeded.webpush!;
  // --quick seeds a few single-send targets only: they are the area's users then.
  const users = Math.min(ALERT_USERS, app.probeIds.length);
  const sink = await h.sink('h1');
  const dataDir = h.copyTemplate(template);
  locateUsers(dataDir, app.id, users);
  h.log(`an Extreme alert to ${count(users)} located users, ${INTO_BROADCAST_MS / 1000} s into a ${count(n)} broadcast, then the same alert with no broadcast`);
  // --profile: one CPU profile per thread of the server, in a folder per run.
  const profileDir = h.flags.profile ? join(h.profileDir(), `alerts-${count(n)}-${new Date().toISOString().replace(/[:.]/g, '-')}`) : undefined;
  const server = await h.startServer(h.store(dataDir), { overrides: URGENT_THREADS, name: 'carillon (alerts)', ...(profileDir ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}) });
  // Arrivals of each alert's pushes, by Topic (the alert's thread is its id).
  const arrivals = new Map<string, number[]>();
  let onArrival: (() => void) | undefined;
  sink.on('probe', (m) => {
    const topic = String(m.topic);
    const list = arrivals.get(topic) ?? arrivals.set(topic, []).get(topic)!;
    list.push(Number(m.t));
    onArrival?.();
  });
  const waitFor = async (topic: string, want: number, timeoutS: number) => {
    const deadline = wallNow() + timeoutS * 1000;
    while ((arrivals.get(topic)?.length ?? 0) < want && wallNow() < deadline) {
      await new Promise<void>((r) => {
        onArrival = r;
        setTimeout(r, 500);
      });
    }
  };
  const postAlert = async (identifier: string) => {
    const t0 = wallNow();
    const res = await callApi(server.base, 'POST', `/v1/apps/${app.id}/alerts`, app.secretKey, alertBody(identifier));
    if (res.status !== 201) throw new Error(`alert: ${res.status} ${JSON.stringify(res.body)}`);
    return { t0, acceptedMs: wallNow() - t0, topic: String(res.body.notification.thread), notificationId: String(res.body.notification.id) };
  };
  const figures = (run: { t0: number; topic: string }) => {
    const got = (arrivals.get(run.topic) ?? []).map((t) => t - run.t0).sort((a, b) => a - b);
    return { ...percentiles(got), first: got[0] ?? Number.NaN, last: got.at(-1) ?? Number.NaN, lost: users - got.length };
  };

  let broadcastSeconds = Number.NaN;
  let crowdRun: Awaited<ReturnType<typeof postAlert>> | undefined;
  let idleRun: Awaited<ReturnType<typeof postAlert>> | undefined;
  let broadcastLeft = Number.NaN;
  try {
    await h.warmUp(server, sink, template.seeded.warm!);
    await h.expect(sink, n + users, 'crowd');
    const res = await callApi(server.base, 'POST', `/v1/apps/${app.id}/notifications`, app.secretKey, { to: { all: true }, ...BROADCAST });
    const t202 = wallNow();
    if (res.status !== 202) throw new Error(`broadcast: ${res.status} ${JSON.stringify(res.body)}`);
    const done = sink.next<{ type: string; t: number }>('done', 60_000 + n * 20).then((d) => (broadcastSeconds = (d.t - t202) / 1000));
    await new Promise((r) => setTimeout(r, quick ? 300 : INTO_BROADCAST_MS));
    crowdRun = await postAlert(`BENCH-CROWD-${Date.now()}`);
    await waitFor(crowdRun.topic, users, 180);
    sink.send({ type: 'stats' });
    const stats = await sink.next<{ type: string; counted: number }>('stats', 10_000);
    broadcastLeft = n + users - stats.counted;
    await done;
    await h.waitCompleted(server, app, res.body.id, 180_000);
    idleRun = await postAlert(`BENCH-IDLE-${Date.now()}`);
    await waitFor(idleRun.topic, users, 180);
  } finally {
    await h.stopServer(server, false).catch(() => server.child.kill());
    rmSync(server.dataDir, { recursive: true, force: true });
  }
  if (!crowdRun || !idleRun) throw new Error('the alerts did not go out');
  const crowd = figures(crowdRun);
  const idle = figures(idleRun);
  h.log(`  during the broadcast (${broadcastSeconds.toFixed(1)} s; ${count(broadcastLeft)} of its pushes still to go when the alert's last arrived): first ${ms(crowd.first)}, p50 ${ms(crowd.p50)}, p99 ${ms(crowd.p99)}, last ${ms(crowd.last)}${crowd.lost ? `, ${crowd.lost} lost` : ''}`);
  h.log(`  no broadcast: first ${ms(idle.first)}, p50 ${ms(idle.p50)}, p99 ${ms(idle.p99)}, last ${ms(idle.last)}${idle.lost ? `, ${idle.lost} lost` : ''}`);
  const p99 = crowd.lost > 0 ? Number.POSITIVE_INFINITY : crowd.p99;
  return {
    name: 'alerts',
    rows: [
      {
        section: 11,
        what: `Extreme alert to ${count(users)} located users posted during a ${count(n)} broadcast: POST → sink, first / p50 / p99 / last`,
        carillon: `${ms(crowd.first)} / ${ms(crowd.p50)} / ${ms(crowd.p99)} / ${ms(crowd.last)}${crowd.lost ? ` (${crowd.lost} lost)` : ''} (POST answered in ${ms(crowdRun.acceptedMs)}; broadcast ${broadcastSeconds.toFixed(1)} s)`,
        peer: `same alert, no broadcast: ${ms(idle.first)} / ${ms(idle.p50)} / ${ms(idle.p99)} / ${ms(idle.last)}`,
        ratio: `p99 ${times(p99 / idle.p99)}`,
        goal: goal('p99 < 1 s and < 1.5× idle', p99 < 1000 && p99 < 1.5 * idle.p99),
      },
    ],
    data: { n, users, intoBroadcastMs: INTO_BROADCAST_MS, broadcastSeconds, broadcastLeftWhenAlertDone: broadcastLeft, crowd, idle, acceptedMs: { crowd: crowdRun.acceptedMs, idle: idleRun.acceptedMs } },
  };
}
