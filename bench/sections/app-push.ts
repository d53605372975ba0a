/**
 * Section 5: app push. n APNs and n FCM sends (n = min(--n, 100k)) to the simulators of
 * test/simulators over HTTP/2: messages per second from the 202 to the last delivery, and
 * the connections Carillon opened, against a bare node:http2 client sending the same
 * requests to the same simulator on one session.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FloorArgs } from '../children/h2-floor.ts';
import type { SimsArgs } from '../children/app-push-sims.ts';
import { BROADCAST } from '../lib/content.ts';
import { REPO_ROOT } from '../lib/child.ts';
import type { Harness } from '../lib/harness.ts';
import { callApi } from '../lib/http.ts';
import { wallNow } from '../lib/ipc.ts';
import type { Row, SectionResult } from '../lib/report.ts';
import { count, fixed, int, mb, times } from '../lib/stats.ts';

const BUNDLE = 'com.example.carillon.bench';
const MAX_DEVICES = 100_000;
/** The simulators' certificate (test/simulators/h2-server.ts), trusted through RuntimeOptions.providerCa. */
const SIMULATOR_CA = fileURLToPath(new URL('../../src/transport/fixtures/test-cert.pem', import.meta.url));
const NEEDED = ['src/providers/apns/sender.ts', 'src/providers/fcm/sender.ts', 'src/providers/app-push-senders.ts', 'test/simulators/apns-simulator.ts', 'test/simulators/fcm-simulator.ts'];

type Provider = 'apns' | 'fcm';
interface SimsReady {
  type: string;
  apnsUrl: string;
  fcmUrl: string;
  teams: Record<'carillon' | 'floor', { keyId: string; teamId: string; key: string }>;
  accounts: Record<'carillon' | 'floor', Record<string, string>>;
  files: Record<Provider, string>;
}
interface Done {
  type: string;
  t: number;
  connections: number;
  refused: number;
}

export interface AppPushFigure {
  contender: 'carillon' | 'http2 floor';
  provider: Provider;
  n: number;
  seconds: number;
  perSecond: number;
  connections: number;
  refused: number;
}

export function appPushAvailable(): boolean {
  return NEEDED.every((f) => existsSync(join(REPO_ROOT, f)));
}

export async function appPushSection(h: Harness): Promise<SectionResult> {
  if (!appPushAvailable()) {
    return { name: 'app-push', rows: [{ section: 5, what: 'App push (APNs, FCM) over HTTP/2', carillon: 'not available yet', peer: '', ratio: '', goal: '' }], data: null };
  }
  const n = Math.min(h.flags.n, MAX_DEVICES);
  const dir = mkdtempSync(join(h.tmp, 'app-push-'));
  h.log(`app push: registering ${count(n)} APNs and ${count(n)} FCM devices in the simulators`);
  const sims = h.child('children/app-push-sims.ts', { n, dir, topic: BUNDLE } satisfies SimsArgs, { name: 'simulators' });
  const ready = await sims.next<SimsReady>('ready', 10 * 60_000);
  const { store, seeded } = await h.seed({
    apns: { tokensFile: ready.files.apns, keyId: ready.teams.carillon.keyId, teamId: ready.teams.carillon.teamId, key: ready.teams.carillon.key, topic: BUNDLE },
    fcm: { tokensFile: ready.files.fcm, serviceAccount: ready.accounts.carillon },
  });
  const server = await h.startServer(store, { overrides: { apnsUrl: ready.apnsUrl, fcmUrl: ready.fcmUrl }, providerCaFile: SIMULATOR_CA, name: 'carillon (app push)' });
  const figures: AppPushFigure[] = [];
  const expect = async (provider: Provider) => {
    sims.send({ type: 'expect', provider, count: n });
    await sims.next('expecting', 30_000);
  };
  const timeout = 120_000 + n * 20;

  const runCarillon = async (provider: Provider) => {
    const app = seeded[provider]!;
    await expect(provider);
    const res = await callApi(server.base, 'POST', `/v1/apps/${app.id}/notifications`, app.secretKey, { to: { all: true }, ...BROADCAST });
    const t202 = wallNow();
    if (res.status !== 202) throw new Error(`${provider} broadcast: ${res.status} ${JSON.stringify(res.body)}`);
    const done = await sims.next<Done>('done', timeout);
    await h.waitCompleted(server, app, res.body.id, 120_000);
    return record('carillon', provider, (done.t - t202) / 1000, done);
  };
  const runFloor = async (provider: Provider) => {
    const args: FloorArgs = {
      provider,
      url: provider === 'apns' ? ready.apnsUrl : ready.fcmUrl,
      tokensFile: ready.files[provider],
      caFile: SIMULATOR_CA,
      concurrency: 100,
      ...(provider === 'apns' ? { apns: { keyId: ready.teams.floor.keyId, teamId: ready.teams.floor.teamId, key: ready.teams.floor.key, topic: BUNDLE } } : { fcm: ready.accounts.floor }),
    };
    const floor = h.child('children/h2-floor.ts', args, { name: `http2 floor (${provider})` });
    await floor.next('ready', 60_000);
    await expect(provider);
    floor.send({ type: 'go' });
    const done = await sims.next<Done>('done', timeout);
    const sent = await floor.next<{ type: string; t0: number }>('sent', 60_000);
    await floor.stop();
    return record('http2 floor', provider, (done.t - sent.t0) / 1000, done);
  };
  const record = (contender: AppPushFigure['contender'], provider: Provider, seconds: number, done: Done) => {
    const f: AppPushFigure = { contender, provider, n, seconds, perSecond: n / seconds, connections: done.connections, refused: done.refused };
    figures.push(f);
    h.log(`  ${provider} ${contender}: ${int(f.perSecond)} msg/s (${fixed(seconds)} s, ${f.connections} connection(s)${f.refused ? `, ${f.refused} refused` : ''})`);
    return f;
  };

  let peakRssKb = Number.NaN;
  try {
    // One send per provider first: sessions open, token signed, code warm, as on a server that has been up.
    for (const provider of ['apns', 'fcm'] as const) {
      const app = seeded[provider]!;
      const res = await callApi(server.base, 'POST', `/v1/apps/${app.id}/notifications`, app.secretKey, { to: { subscriptionIds: [`sub_${provider[0]}0`] }, ...BROADCAST });
      await h.waitCompleted(server, app, res.body.id, 60_000);
    }
    for (const [i, provider] of (['apns', 'fcm'] as const).entries()) {
      // Alternate who goes first.
      if (i % 2 === 0) {
        await runCarillon(provider);
        await runFloor(provider);
      } else {
        await runFloor(provider);
        await runCarillon(provider);
      }
    }
  } finally {
    peakRssKb = (await h.stopServer(server, false).catch(() => ({ maxRssKb: Number.NaN }))).maxRssKb;
    await sims.stop().catch(() => sims.kill());
  }

  const rows: Row[] = (['apns', 'fcm'] as const).map((provider) => {
    const c = figures.find((f) => f.provider === provider && f.contender === 'carillon')!;
    const f = figures.find((x) => x.provider === provider && x.contender === 'http2 floor')!;
    return {
      section: 5,
      what: `${provider === 'apns' ? 'APNs' : 'FCM'} ${count(n)} sends to the simulator over HTTP/2: msg/s, connections`,
      carillon: `${int(c.perSecond)} msg/s (${fixed(c.seconds)} s, ${c.connections} conn.${c.refused ? `, ${c.refused} refused` : ''})`,
      peer: `bare node:http2 client, 100 streams: ${int(f.perSecond)} msg/s (${f.connections} conn.)`,
      ratio: times(c.perSecond / f.perSecond),
      goal: '',
    };
  });
  return { name: 'app-push', rows, data: { n, figures, carillonPeakRss: mb(peakRssKb) } };
}

