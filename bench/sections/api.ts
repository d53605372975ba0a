/**
 * Section 4: the API under a load generator (autocannon, in the harness process) on
 * loopback: subscription upserts and single-recipient sends, requests per second and
 * p50/p99 latency, against Fastify with the same routes and schemas but no
 * authentication and no store, in alternating turns. Carillon's delivery workers run as
 * in production: the sends are delivered to the sink while the load goes on.
 */
import autocannon, { type Result } from 'autocannon';
import { urgentSend } from '../lib/content.ts';
import type { Harness } from '../lib/harness.ts';
import { p256KeyPool } from '../lib/keys.ts';
import type { SectionResult, Row } from '../lib/report.ts';
import { int, median, ms, times } from '../lib/stats.ts';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** Subscriptions the single sends go to, one after the other. */
const TARGETS = 1_000;
const CONNECTIONS = 16;

type Shape = 'upsert' | 'send';
interface Measured {
  contender: 'carillon' | 'floor';
  shape: Shape;
  round: number;
  perSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

export async function apiSection(h: Harness): Promise<SectionResult> {
  const { quick } = h.flags;
  const duration = quick ? 1 : 8;
  const rounds = quick ? 1 : 3;
  // --quick reuses the store of the other sections rather than seeding another.
  const targets = quick ? h.flags.n : TARGETS;
  const template = await h.template(targets);
  const app = template.seeded.webpush!;
  await h.sink('h1');
  // --profile: one CPU profile per thread of the API's server, in a folder per run.
  const profileDir = h.flags.profile ? join(h.profileDir(), `api-${new Date().toISOString().replace(/[:.]/g, '-')}`) : undefined;
  const server = await h.startServer(h.store(h.copyTemplate(template)), { name: 'carillon (api)', ...(profileDir ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}) });
  const floor = h.child('children/fastify-floor.ts', {}, { name: 'fastify floor' });
  const { port: floorPort } = await floor.next<{ type: string; port: number }>('ready', 60_000);
  const keys = p256KeyPool(200);
  let counter = 0;

  const run = async (contender: Measured['contender'], shape: Shape, seconds: number): Promise<Result> => {
    const base = contender === 'carillon' ? server.base : `http://127.0.0.1:${floorPort}`;
    const path = `/v1/apps/${app.id}/${shape === 'upsert' ? 'subscriptions' : 'notifications'}`;
    const key = shape === 'upsert' ? app.publishableKey : app.secretKey;
    return autocannon({
      url: base,
      connections: CONNECTIONS,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          path,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          setupRequest: (req) => {
            const i = counter++;
            const body =
              shape === 'upsert'
                ? { channel: 'webpush', endpoint: `${h.endpointBase}/a/${i}`, keys: { p256dh: keys[i % keys.length]!, auth: randomBytes(16).toString('base64url') } }
                : urgentSend(`sub_b${i % targets}`);
            return { ...req, body: JSON.stringify(body) };
          },
        },
      ],
    });
  };

  const results: Measured[] = [];
  try {
    await h.warmUp(server, await h.sink('h1'), template.seeded.warm!);
    h.log(`API: ${rounds} round(s) of ${duration} s per contender and request, ${CONNECTIONS} connections`);
    if (!quick) {
      for (const shape of ['upsert', 'send'] as const) {
        for (const contender of ['floor', 'carillon'] as const) await run(contender, shape, 1); // warm-up
      }
    }
    for (let r = 0; r < rounds; r++) {
      for (const shape of ['upsert', 'send'] as const) {
        const order = r % 2 === 0 ? (['carillon', 'floor'] as const) : (['floor', 'carillon'] as const);
        for (const contender of order) {
          const res = await run(contender, shape, duration);
          results.push({ contender, shape, round: r, perSecond: res.requests.average, p50: res.latency.p50, p99: res.latency.p99, non2xx: res.non2xx, errors: res.errors });
          h.log(`  ${contender} ${shape}: ${int(res.requests.average)} req/s, p50 ${ms(res.latency.p50)}, p99 ${ms(res.latency.p99)}${res.non2xx ? `, ${res.non2xx} non-2xx` : ''}`);
        }
      }
    }
  } finally {
    await h.stopServer(server).catch(() => server.child.kill());
    await floor.stop().catch(() => floor.kill());
  }

  const rows: Row[] = [];
  for (const shape of ['upsert', 'send'] as const) {
    const pick = (c: Measured['contender']) => {
      const xs = results.filter((m) => m.contender === c && m.shape === shape);
      return { perSecond: median(xs.map((m) => m.perSecond)), p50: median(xs.map((m) => m.p50)), p99: median(xs.map((m) => m.p99)), failed: xs.reduce((a, m) => a + m.non2xx + m.errors, 0) };
    };
    const c = pick('carillon');
    const f = pick('floor');
    rows.push({
      section: 4,
      what: shape === 'upsert' ? 'Subscription upserts (POST …/subscriptions, new endpoints): req/s, p50 / p99' : 'Single-recipient sends (POST …/notifications → 202): req/s, p50 / p99',
      carillon: `${int(c.perSecond)} req/s, ${ms(c.p50)} / ${ms(c.p99)}${c.failed ? ` (${c.failed} failed)` : ''}`,
      peer: `Fastify, same schemas, no auth or store: ${int(f.perSecond)} req/s, ${ms(f.p50)} / ${ms(f.p99)}`,
      ratio: times(c.perSecond / f.perSecond),
      goal: '',
    });
  }
  return { name: 'api', rows, data: { connections: CONNECTIONS, duration, rounds, results, ...(profileDir ? { profileDir } : {}) } };
}
