/**
 * Section 7's ingestion figure: events through `POST /v1/apps/{app}/track` (a Carillon
 * process on the seeded store, `CONCURRENCY` requests of `BATCH` events in flight) against
 * the store's raw insert rate of the same rows, one transaction of `BATCH` multi-row
 * inserts at a time (in flight as many as the engine takes: SQLite has one writer), in the
 * same run. The raw rows already carry the user's seq; /track has to find it (or make the
 * user), which is part of what it costs.
 */
import { sql, type Insertable } from 'kysely';
import { openStore } from '../../src/store/database.ts';
import type { UserEventsTable } from '../../src/store/schema.ts';
import type { BenchStore } from './carillon-config.ts';
import type { Harness } from './harness.ts';
import { callApi } from './http.ts';

const BATCH = 1_000;
const CONCURRENCY = 8;
const HOUR = 3_600_000;

export interface Rate {
  events: number;
  seconds: number;
  perSecond: number;
}

export interface Ingestion {
  engine: string;
  batch: number;
  concurrency: number;
  raw: Rate;
  track?: Rate & { duplicates: number; refused: number };
  /** Why /track was not measured. */
  missing?: string;
}

interface Event {
  user: number;
  name: string;
  at: number;
  sku: string;
  id: string;
}

/** Event i of a run: the same spread of users, names and times for both contenders. */
function event(i: number, users: number, names: readonly string[], now: number, prefix: string): Event {
  const h = (i * 2654435761) % 4294967296;
  return { user: h % users, name: names[i % names.length]!, at: now - (h % (24 * HOUR)), sku: `A${h % 50}`, id: `${prefix}${i}` };
}

async function inFlight(batches: number, concurrency: number, send: (b: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches) await send(next++);
    }),
  );
  return (performance.now() - t0) / 1000;
}

export async function measureIngestion(
  h: Harness,
  opts: { store: BenchStore; app: { id: string; secretKey: string }; users: number; now: number; engine: string; names: readonly string[] },
): Promise<Ingestion> {
  const { store, app, users, now, names } = opts;
  const batches = h.flags.quick ? 3 : 100;
  const total = batches * BATCH;
  const batchOf = (b: number, prefix: string) => Array.from({ length: BATCH }, (_, k) => event(b * BATCH + k, users, names, now, prefix));

  const db = await openStore({ dataDir: store.dataDir, ...(store.databaseUrl ? { databaseUrl: store.databaseUrl } : {}) });
  let raw: Rate;
  try {
    const base = Number((await sql<{ lo: number }>`select min(seq) as lo from users where app_id = ${app.id}`.execute(db.db)).rows[0]!.lo);
    const concurrency = db.caps.dialect === 'postgres' ? CONCURRENCY : 1;
    h.log(`  raw insert: ${batches} transactions of ${BATCH} events, ${concurrency} at a time`);
    const seconds = await inFlight(batches, concurrency, (b) =>
      db.db.transaction().execute(async (tx) => {
        const rows: Insertable<UserEventsTable>[] = batchOf(b, 'raw-').map((e) => ({
          app_id: app.id,
          user_seq: base + e.user,
          name: e.name,
          at: e.at,
          properties: JSON.stringify({ sku: e.sku }),
          event_id: e.id,
          received_at: Date.now(),
        }));
        // 7 bound values a row: 7,000 a statement, under SQLite's 32,766 and PostgreSQL's 65,535.
        await tx.insertInto('user_events').values(rows).execute();
      }),
    );
    raw = { events: total, seconds, perSecond: total / seconds };
    h.log(`    ${Math.round(raw.perSecond)} events/s`);
  } finally {
    await db.close();
  }

  const result: Ingestion = { engine: opts.engine, batch: BATCH, concurrency: CONCURRENCY, raw };
  const server = await h.startServer(store, { name: `carillon (track, ${opts.engine})` });
  try {
    const path = `/v1/apps/${app.id}/track`;
    const body = (events: Event[]) => ({ events: events.map((e) => ({ userId: `u${e.user}`, name: e.name, time: new Date(e.at).toISOString(), properties: { sku: e.sku }, id: e.id })) });
    // Warm-up, and whether the route exists at all.
    const probe = await callApi(server.base, 'POST', path, app.secretKey, body([event(0, users, names, now, 'warm-')]));
    // `not_found` is the catalogue's code for a route the server does not have.
    if (probe.status === 404 && probe.body?.code === 'not_found') {
      result.missing = '/track not built';
      return result;
    }
    if (probe.status >= 300) throw new Error(`POST /track: ${probe.status} ${JSON.stringify(probe.body)}`);
    let accepted = 0;
    let duplicates = 0;
    let refused = 0;
    h.log(`  POST /track: ${batches} requests of ${BATCH} events, ${CONCURRENCY} in flight`);
    const seconds = await inFlight(batches, CONCURRENCY, async (b) => {
      const res = await callApi(server.base, 'POST', path, app.secretKey, body(batchOf(b, 'track-')));
      if (res.status >= 300) throw new Error(`POST /track: ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
      accepted += Number(res.body?.accepted ?? 0);
      duplicates += Number(res.body?.duplicates ?? 0);
      refused += Array.isArray(res.body?.refused) ? res.body.refused.length : 0;
    });
    result.track = { events: accepted, seconds, perSecond: accepted / seconds, duplicates, refused };
    h.log(`    ${Math.round(accepted / seconds)} events/s${refused ? `, ${refused} refused` : ''}`);
    return result;
  } finally {
    await h.stopServer(server, false).catch(() => server.child.kill());
  }
}
