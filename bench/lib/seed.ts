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
import { browserKeys, p256KeyPool } from './keys.ts';

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

type Row = Omit<SubscriptionsTable, 'seq'>;

const ROWS_PER_INSERT = 500;
const WARM_UP_SUBSCRIPTIONS = 64;
const ROWS_PER_TRANSACTION = 5_000;

export async function seedStore(args: SeedArgs): Promise<SeedResult> {
  const started = performance.now();
  const runtime = await createRuntime(benchConfig(args.store), {
    logger: pino({ level: 'warn' }, pino.destination(2)),
    ...(args.store.queuePrefix ? { queuePrefix: args.store.queuePrefix } : {}),
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
      result.rows += await insertRows(runtime, n, (i) => ({ ...row(i, 'b'), ...(args.webpush!.users ? { user_id: `f${i}` } : {}) }));
      if (args.webpush.users) await insertUsers(runtime, app.id, n);
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

/** Users f0..f(n-1), each with the string attribute cohort = "fanout" (typed row too). */
async function insertUsers(runtime: Runtime, appId: string, n: number): Promise<void> {
  const db = runtime.ctx.store.db;
  const now = Date.now();
  for (let start = 0; start < n; start += ROWS_PER_TRANSACTION) {
    const end = Math.min(n, start + ROWS_PER_TRANSACTION);
    await db.transaction().execute(async (tx) => {
      for (let i = start; i < end; i += ROWS_PER_INSERT) {
        const ids = Array.from({ length: Math.min(end, i + ROWS_PER_INSERT) - i }, (_, k) => `f${i + k}`);
        const users = await tx
          .insertInto('users')
          .values(ids.map((id) => ({ app_id: appId, external_id: id, attributes: '{"cohort":"fanout"}', created_at: now, updated_at: now })))
          .returning('seq')
          .execute();
        await tx
          .insertInto('user_attributes')
          .values(users.map((u) => ({ user_seq: u.seq, app_id: appId, key: 'cohort', type: 'string' as const, str: 'fanout', num: null })))
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
