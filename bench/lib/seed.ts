/**
 * Seeds a store for a bench run: an app (through the API, so its VAPID keys are sealed
 * as in production), then its subscriptions inserted straight into the store in
 * multi-row inserts, 5,000 rows per transaction. Registering 1M subscriptions through
 * the API would take longer than the run it prepares; the API path has its own figure
 * (section 4).
 *
 * It runs in the harness process, before the contenders start: a process of its own
 * would load the whole server once more for nothing.
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import type { SubscriptionsTable } from '../../src/store/schema.ts';
import { FANOUT_FILTER, seedAudience, type AudienceSeedArgs, type AudienceSeeded } from './audience-seed.ts';
import { benchConfig, type BenchStore } from './carillon-config.ts';
import { browserKeys, p256KeyPool, type BrowserKeys } from './keys.ts';

export interface SeedArgs {
  store: BenchStore;
  webpush?: {
    /** Subscriptions of the broadcast audience. */
    n: number;
    /** e.g. https://127.0.0.1:4433/push: broadcast endpoints are <base>/b/<i>, probes <base>/u/<k>. */
    endpointBase: string;
    /** Single-recipient targets (section 3), also part of the broadcast audience. */
    probes: number;
    /**
     * Each subscription i belongs to user `f<i>`, made with it (attribute cohort = "fanout"),
     * and a segment of them is saved through the API when the server has segments.
     */
    users?: boolean;
    /**
     * With `users`: each user also gets a language, a first name and a city (`personalUser`),
     * for section 8's personalised campaign.
     */
    personal?: boolean;
    /** Keys of chosen broadcast subscriptions, in place of the pool's: the bench holds their private keys to read what the sink got. */
    keysOf?: (i: number) => BrowserKeys | undefined;
  };
  /** Users, attributes, subscriptions and events for section 7, in an app of their own. */
  audience?: AudienceSeedArgs;
  apns?: { tokensFile: string; keyId: string; teamId: string; key: string; topic: string };
  fcm?: { tokensFile: string; serviceAccount: Record<string, unknown> };
}

export interface SeededApp {
  id: string;
  secretKey: string;
  publishableKey: string;
}

export interface SeedResult {
  webpush?: SeededApp & { probeIds: string[]; segmentId?: string };
  /** A second app, to warm a server up without touching the measured app. */
  warm?: SeededApp & { subscriptionId: string; size: number };
  apns?: SeededApp;
  fcm?: SeededApp;
  audience?: SeededApp & AudienceSeeded;
  rows: number;
  seconds: number;
}

type Row = Omit<SubscriptionsTable, 'seq' | 'user_seq'>;

const ROWS_PER_INSERT = 500;
const WARM_UP_SUBSCRIPTIONS = 64;
const ROWS_PER_TRANSACTION = 5_000;

export async function seedStore(args: SeedArgs): Promise<SeedResult> {
  const started = performance.now();
  const runtime = await createRuntime(benchConfig(args.store), {
    logger: pino({ level: 'warn' }, pino.destination(2)),
    ...(args.store.queuePrefix ? { queuePrefix: args.store.queuePrefix } : {}),
    // A bulk load: the audience seed takes SQLite out of WAL mode, which needs the only connection.
    checkpointThread: false,
  });
  const result: SeedResult = { rows: 0, seconds: 0 };
  try {
    if (args.webpush) {
      const { n, endpointBase, probes } = args.webpush;
      const pool = p256KeyPool();
      const app = await createApp(runtime, 'bench broadcast');
      const row = (i: number, prefix: 'b' | 'u'): Row => {
        const keys = browserKeys(pool, i);
        return subscriptionRow(app.id, `sub_${prefix}${i}`, 'webpush', `${endpointBase}/${prefix}/${i}`, keys);
      };
      const keysOf = args.webpush.keysOf;
      const broadcastRow = (i: number): Row => {
        const own = keysOf?.(i);
        return own ? subscriptionRow(app.id, `sub_b${i}`, 'webpush', `${endpointBase}/b/${i}`, own) : row(i, 'b');
      };
      result.rows += await insertRows(runtime, n, (i) => ({ ...broadcastRow(i), ...(args.webpush!.users ? { user_id: `f${i}` } : {}) }));
      if (args.webpush.users) await insertUsers(runtime, app.id, n, args.webpush.personal === true);
      result.rows += await insertRows(runtime, probes, (k) => row(k, 'u'));
      result.webpush = { ...app, probeIds: Array.from({ length: probes }, (_, k) => `sub_u${k}`) };
      if (args.webpush.users) {
        const segment = await runtime.app.inject({ method: 'POST', url: `/v1/apps/${app.id}/segments`, headers: { authorization: `Bearer ${app.secretKey}` }, payload: { name: 'bench fan-out', filter: FANOUT_FILTER } });
        if (segment.statusCode === 201) result.webpush.segmentId = segment.json().id;
        else if (segment.statusCode !== 404) throw new Error(`POST segments: ${segment.statusCode} ${segment.body}`);
      }
      // Enough recipients that the batch is split over every crypto thread.
      const warm = await createApp(runtime, 'bench warm-up');
      await insertRows(runtime, WARM_UP_SUBSCRIPTIONS, (i) => subscriptionRow(warm.id, `sub_w${i}`, 'webpush', `${endpointBase}/w/${i}`, browserKeys(pool, i)));
      result.warm = { ...warm, subscriptionId: 'sub_w0', size: WARM_UP_SUBSCRIPTIONS };
    }
    if (args.audience) {
      const app = await createApp(runtime, 'bench audience');
      result.audience = { ...app, ...(await seedAudience(runtime.ctx.store, app.id, args.audience)) };
      result.rows += result.audience.users;
    }
    if (args.apns) {
      const { tokensFile, ...credentials } = args.apns;
      const tokens = readTokens(tokensFile);
      const app = await createApp(runtime, 'bench apns');
      await api(runtime, 'PUT', `/v1/apps/${app.id}/credentials/apns`, app.secretKey, credentials);
      result.rows += await insertRows(runtime, tokens.length, (i) => ({ ...subscriptionRow(app.id, `sub_a${i}`, 'apns', tokens[i]!, null), environment: 'production' }));
      result.apns = app;
    }
    if (args.fcm) {
      const tokens = readTokens(args.fcm.tokensFile);
      const app = await createApp(runtime, 'bench fcm');
      await api(runtime, 'PUT', `/v1/apps/${app.id}/credentials/fcm`, app.secretKey, { serviceAccount: args.fcm.serviceAccount });
      result.rows += await insertRows(runtime, tokens.length, (i) => subscriptionRow(app.id, `sub_f${i}`, 'fcm', tokens[i]!, null));
      result.fcm = app;
    }
  } finally {
    await runtime.close();
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

function readTokens(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

function subscriptionRow(appId: string, id: string, channel: string, address: string, keys: { p256dh: string; auth: string } | null): Row {
  const now = Date.now();
  return {
    id,
    app_id: appId,
    channel,
    address,
    p256dh: keys?.p256dh ?? null,
    auth: keys?.auth ?? null,
    environment: null,
    app_topic: null,
    user_id: null,
    tags: '{}',
    language: null,
    timezone: null,
    created_at: now,
    updated_at: now,
  };
}

async function insertRows(runtime: Runtime, n: number, row: (i: number) => Row): Promise<number> {
  const db = runtime.ctx.store.db;
  for (let start = 0; start < n; start += ROWS_PER_TRANSACTION) {
    const end = Math.min(n, start + ROWS_PER_TRANSACTION);
    await db.transaction().execute(async (tx) => {
      for (let i = start; i < end; i += ROWS_PER_INSERT) {
        const rows: Row[] = [];
        for (let k = i; k < Math.min(end, i + ROWS_PER_INSERT); k++) rows.push(row(k));
        await tx.insertInto('subscriptions').values(rows).execute();
      }
    });
  }
  return n;
}

/** Languages of personal users, in turn: one for each version of section 8's campaign, and none (its default). */
export const PERSONAL_LANGUAGES = ['en-GB', 'fr-FR', 'de-DE', null] as const;
const FIRST_NAMES = ['Ann', 'Bruno', 'Chloé', 'Dieter', 'Elif', 'François', 'Grete', 'Hugo', 'Inès', 'Jürgen', 'Kai', 'Léa', 'Maren', 'Noé', 'Oskar', 'Paulette', 'Quentin', 'Renée', 'Sören', 'Théo', 'Ulla', 'Valérie', 'Zoë'];
const CITIES = ['Lyon', 'München', 'Leeds', 'Zürich', 'Montréal', 'Köln', 'Nantes', 'Bristol', 'Genève', 'Düsseldorf', 'Lille', 'York', 'Besançon', 'Graz', 'Cork', 'Malmö', 'Liège'];

/**
 * User f<i> of a personal seed: the same function of i wherever it is asked, so the bench
 * knows what each subscription's message should say. Languages (4), names (23) and cities
 * (17) step through lists of coprime lengths: 1,564 users in a row render 1,564 different
 * messages, so a batch builds a payload per recipient, as a truly personal campaign does.
 */
export function personalUser(i: number): { language: string | null; firstName: string; city: string } {
  return { language: PERSONAL_LANGUAGES[i % PERSONAL_LANGUAGES.length]!, firstName: FIRST_NAMES[i % FIRST_NAMES.length]!, city: CITIES[i % CITIES.length]! };
}

/**
 * Users f0..f(n-1), each with the string attribute cohort = "fanout" (typed row too); with
 * `personal`, also a language and the attributes firstName and city (`personalUser`).
 */
async function insertUsers(runtime: Runtime, appId: string, n: number, personal = false): Promise<void> {
  const db = runtime.ctx.store.db;
  const now = Date.now();
  for (let start = 0; start < n; start += ROWS_PER_TRANSACTION) {
    const end = Math.min(n, start + ROWS_PER_TRANSACTION);
    await db.transaction().execute(async (tx) => {
      for (let i = start; i < end; i += ROWS_PER_INSERT) {
        const ids = Array.from({ length: Math.min(end, i + ROWS_PER_INSERT) - i }, (_, k) => i + k);
        const users = await tx
          .insertInto('users')
          .values(
            ids.map((k) => {
              if (!personal) return { app_id: appId, external_id: `f${k}`, attributes: '{"cohort":"fanout"}', created_at: now, updated_at: now };
              const p = personalUser(k);
              return { app_id: appId, external_id: `f${k}`, language: p.language, attributes: JSON.stringify({ cohort: 'fanout', firstName: p.firstName, city: p.city }), created_at: now, updated_at: now };
            }),
          )
          .returning('seq')
          .execute();
        const typed = (key: string, str: (k: number) => string) => users.map((u, j) => ({ user_seq: u.seq, app_id: appId, key, type: 'string' as const, str: str(ids[j]!), num: null }));
        await tx
          .insertInto('user_attributes')
          .values([...typed('cohort', () => 'fanout'), ...(personal ? [...typed('firstName', (k) => personalUser(k).firstName), ...typed('city', (k) => personalUser(k).city)] : [])])
          .execute();
      }
    });
  }
}

async function api(runtime: Runtime, method: 'POST' | 'PUT', url: string, key: string, body: unknown): Promise<any> {
  const res = await runtime.app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, payload: body as object });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function createApp(runtime: Runtime, name: string): Promise<SeededApp> {
  const app = await api(runtime, 'POST', '/v1/apps', runtime.ctx.config.adminKey, { name, vapidSubject: 'mailto:bench@example.org' });
  return { id: app.id, secretKey: app.secretKey, publishableKey: app.publishableKey };
}
