/**
 * Section 3: urgent through a crowd. While a broadcast to N subscriptions is in flight,
 * single-recipient notifications with urgency high (the shape of a one-time code or a
 * sign-in approval) are sent at a steady rate; each one's latency runs from the API call
 * to its arrival at the sink (the sink reports it by its Topic). The peer is the same
 * Carillon process with no broadcast running, measured right after.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { urgentSend, BROADCAST } from '../lib/content.ts';
import { URGENT_THREADS, type Harness } from '../lib/harness.ts';
import { callApi } from '../lib/http.ts';
import { wallNow } from '../lib/ipc.ts';
import { goal, type SectionResult } from '../lib/report.ts';
import { count, int, ms, percentiles, times } from '../lib/stats.ts';

/** Single-send targets seeded beside the audience (they get the broadcast too). */
const TARGETS = 1_000;
/** The broadcast behind the urgent sends, at most. */
const CROWD = 100_000;
/** ms between two urgent sends: 10 a second. */
const INTERVAL_MS = 100;
/** s to wait for an urgent send to arrive before it is counted as lost. */
const ARRIVAL_TIMEOUT_S = 120;

interface Probe {
  k: number;
  sentAt: number;
  acceptedMs?: number;
  arrivedAt?: number;
  status?: number;
  phase: 'crowd' | 'idle';
  notificationId?: string;
  /** Server clock (ms since the epoch): the notification row written, its batch cut by the fan-out job. */
  createdAt?: number;
  batchAt?: number;
}

/**
 * Where an urgent send's time went, from the store's own timestamps: the API (until the
 * notification row), the fan-out job (waiting for a queue slot, then cutting the batch),
 * then the deliver job (waiting for a slot, encryption, the request) until the sink.
 */
function stages(probes: Probe[]): { api: number; fanout: number; deliver: number; count: number } {
  const timed = probes.filter((p) => p.arrivedAt !== undefined && p.createdAt !== undefined && p.batchAt !== undefined);
  const med = (xs: number[]) => percentiles(xs).p50;
  return {
    api: med(timed.map((p) => p.createdAt! - p.sentAt)),
    fanout: med(timed.map((p) => p.batchAt! - p.createdAt!)),
    deliver: med(timed.map((p) => p.arrivedAt! - p.batchAt!)),
    count: timed.length,
  };
}

function readTimestamps(dataDir: string, probes: Probe[]): void {
  const db = new SQLite(join(dataDir, 'carillon.db'), { readonly: true });
  try {
    const row = db.prepare('select n.created_at as createdAt, min(b.created_at) as batchAt from notifications n left join delivery_batches b on b.notification_id = n.id where n.id = ? group by n.id');
    for (const p of probes) {
      if (!p.notificationId) continue;
      const r = row.get(p.notificationId) as { createdAt: number; batchAt: number | null } | undefined;
      if (r) {
        p.createdAt = r.createdAt;
        if (r.batchAt !== null) p.batchAt = r.batchAt;
      }
    }
  } finally {
    db.close();
  }
}

export async function urgentSection(h: Harness): Promise<SectionResult> {
  const { quick } = h.flags;
  // The issue's crowd is a 100k broadcast; a larger --n is the fan-out's business.
  const n = Math.min(h.flags.n, CROWD);
  const minCrowd = quick ? 3 : 20;
  const idleCount = quick ? 3 : 30;
  const template = await h.template(n, TARGETS);
  const app = template.seeded.webpush!;
  const sink = await h.sink('h1');
  h.log(`urgent sends every ${INTERVAL_MS} ms during a ${count(n)} broadcast, then ${idleCount} with no broadcast`);
  const server = await h.startServer(h.store(h.copyTemplate(template)), { overrides: URGENT_THREADS, name: 'carillon (urgent)' });
  const probes: Probe[] = [];
  const arrivals = new Map<string, number>();
  let onArrival: (() => void) | undefined;
  sink.on('probe', (m) => {
    arrivals.set(String(m.topic), Number(m.t));
    onArrival?.();
  });

  const sendProbe = (phase: Probe['phase']) => {
    const probe: Probe = { k: probes.length, sentAt: wallNow(), phase };
    probes.push(probe);
    void callApi(server.base, 'POST', `/v1/apps/${app.id}/notifications`, app.secretKey, urgentSend(app.probeIds[probe.k % app.probeIds.length]!, `probe${probe.k}`))
      .then((res) => {
        probe.status = res.status;
        probe.acceptedMs = wallNow() - probe.sentAt;
        probe.notificationId = res.body?.id;
      })
      .catch(() => (probe.status = 0));
  };
  const sendAtSteadyRate = async (phase: Probe['phase'], keepGoing: () => boolean) => {
    const start = wallNow();
    for (let i = 0; keepGoing(); i++) {
      const wait = start + i * INTERVAL_MS - wallNow();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sendProbe(phase);
    }
  };
  const waitArrivals = async () => {
    const deadline = wallNow() + ARRIVAL_TIMEOUT_S * 1000;
    while (probes.some((p) => !arrivals.has(`probe${p.k}`)) && wallNow() < deadline) {
      await new Promise<void>((r) => {
        onArrival = r;
        setTimeout(r, 500);
      });
    }
  };

  let broadcastSeconds = Number.NaN;
  try {
    await h.warmUp(server, sink, template.seeded.warm!);
    await h.expect(sink, n + app.probeIds.length, 'crowd');
    let inFlight = true;
    const res = await callApi(server.base, 'POST', `/v1/apps/${app.id}/notifications`, app.secretKey, { to: { all: true }, ...BROADCAST });
    const t202 = wallNow();
    if (res.status !== 202) throw new Error(`broadcast: ${res.status} ${JSON.stringify(res.body)}`);
    const done = sink.next<{ type: string; t: number }>('done', 60_000 + n * 20).then((d) => {
      inFlight = false;
      broadcastSeconds = (d.t - t202) / 1000;
    });
    await sendAtSteadyRate('crowd', () => inFlight || probes.length < minCrowd);
    await done;
    await h.waitCompleted(server, app, res.body.id, 120_000);
    await waitArrivals();

    await sendAtSteadyRate('idle', () => probes.filter((p) => p.phase === 'idle').length < idleCount);
    await waitArrivals();
  } finally {
    await h.stopServer(server, false).catch(() => server.child.kill());
    try {
      readTimestamps(server.dataDir, probes);
    } catch (err) {
      h.log(`  could not read the store's timestamps: ${(err as Error).message}`);
    }
    rmSync(server.dataDir, { recursive: true, force: true });
  }

  for (const p of probes) {
    const arrived = arrivals.get(`probe${p.k}`);
    if (arrived !== undefined) p.arrivedAt = arrived;
  }
  // Only sends made while the broadcast was still going count for the crowd figure.
  const crowd = probes.filter((p) => p.phase === 'crowd');
  const idle = probes.filter((p) => p.phase === 'idle');
  const latencies = (ps: Probe[]) => ps.filter((p) => p.arrivedAt !== undefined).map((p) => p.arrivedAt! - p.sentAt);
  const crowdStats = percentiles(latencies(crowd));
  const idleStats = percentiles(latencies(idle));
  const lost = probes.filter((p) => p.arrivedAt === undefined).length;
  const accepted = percentiles(crowd.filter((p) => p.acceptedMs !== undefined).map((p) => p.acceptedMs!));
  const crowdStages = stages(crowd);
  const idleStages = stages(idle);
  h.log(`  median stages during the broadcast: API ${ms(crowdStages.api)}, fan-out job ${ms(crowdStages.fanout)}, deliver job to sink ${ms(crowdStages.deliver)}; idle: ${ms(idleStages.api)}, ${ms(idleStages.fanout)}, ${ms(idleStages.deliver)}`);
  h.log(`  during the broadcast (${broadcastSeconds.toFixed(1)} s): p50 ${ms(crowdStats.p50)}, p99 ${ms(crowdStats.p99)} over ${crowdStats.count}; idle p50 ${ms(idleStats.p50)}, p99 ${ms(idleStats.p99)}${lost ? `; ${lost} lost` : ''}`);
  const p99 = lost > 0 ? Number.POSITIVE_INFINITY : crowdStats.p99;
  return {
    name: 'urgent',
    rows: [
      {
        section: 3,
        what: `Urgent single sends (10/s) during a ${count(n)} broadcast: API call → sink, p50 / p99`,
        carillon: `${ms(crowdStats.p50)} / ${ms(crowdStats.p99)} (${crowdStats.count} sends, max ${ms(crowdStats.max)}${lost ? `, ${lost} lost` : ''}; broadcast ${broadcastSeconds.toFixed(1)} s)`,
        peer: `same sends, no broadcast: ${ms(idleStats.p50)} / ${ms(idleStats.p99)}`,
        ratio: `p99 ${times(p99 / idleStats.p99)}`,
        goal: goal('p99 < 1 s', p99 < 1000),
      },
    ],
    data: {
      n,
      intervalMs: INTERVAL_MS,
      broadcastSeconds,
      crowd: crowdStats,
      idle: idleStats,
      lost,
      acceptedDuringCrowd: accepted,
      stages: { crowd: crowdStages, idle: idleStages, note: 'medians in ms: API call → notification row; → batch cut by the fan-out job; → arrival at the sink' },
      probes: probes.map((p) => ({
        k: p.k,
        phase: p.phase,
        status: p.status,
        acceptedMs: p.acceptedMs,
        latencyMs: p.arrivedAt !== undefined ? p.arrivedAt - p.sentAt : null,
        fanoutMs: p.batchAt !== undefined && p.createdAt !== undefined ? p.batchAt - p.createdAt : null,
        deliverMs: p.batchAt !== undefined && p.arrivedAt !== undefined ? p.arrivedAt - p.batchAt : null,
      })),
      note: `${int(crowd.length)} sends during the broadcast, ${int(idle.length)} after it`,
    },
  };
}
