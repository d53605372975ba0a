/**
 * A store of audience data for the filter tests: a temp SQLite file or a PostgreSQL
 * database of its own, migrated, with users, their attributes, events and subscriptions
 * written as the users API and /track will write them (typed attribute rows, tags both
 * in the JSON column and in subscription_tags).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { openStore, type Store } from '../../src/store/database.ts';
import type { Database } from '../../src/store/schema.ts';
import type { AudienceUser } from '../../src/audience/filter/index.ts';
import { createTestDatabase } from '../support/carillon.ts';

export type Engine = 'sqlite' | 'postgres';
export const ENGINES: Engine[] = ['sqlite', 'postgres'];

export interface AudienceStore extends Store {
  close(): Promise<void>;
}

export async function openAudienceStore(engine: Engine): Promise<AudienceStore> {
  if (engine === 'postgres') return openStore({ databaseUrl: await createTestDatabase(), dataDir: '/nonexistent' });
  const dir = mkdtempSync(join(tmpdir(), 'carillon-audience-'));
  const store = await openStore({ dataDir: dir });
  return {
    ...store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function createApp(db: Kysely<Database>, id: string): Promise<void> {
  await sql`insert into apps (id, name, vapid_public_key, vapid_private_key, vapid_subject, created_at) values (${id}, ${id}, 'k', 'k', 'mailto:a@b.example', 0)`.execute(db);
}

/**
 * Writes the users and fills in the seq of each of their subscriptions as the database
 * gave it (the evaluator orders by it, as the fan-out does).
 */
export async function insertUsers(db: Kysely<Database>, appId: string, users: AudienceUser[]): Promise<void> {
  for (const u of users) {
    const { seq } = await db
      .insertInto('users')
      .values({
        app_id: appId,
        external_id: u.externalId,
        language: u.language,
        timezone: u.timezone,
        country: u.country,
        lat: u.lat,
        lon: u.lon,
        attributes: JSON.stringify(Object.fromEntries(Object.entries(u.attributes).map(([k, a]) => [k, a.value]))),
        created_at: u.createdAt,
        updated_at: u.createdAt,
        last_seen_at: u.lastSeenAt,
        session_count: u.sessionCount,
      })
      .returning('seq')
      .executeTakeFirstOrThrow();
    const attrs = Object.entries(u.attributes).map(([key, a]) => ({
      user_seq: seq,
      app_id: appId,
      key,
      type: a.type,
      str: a.type === 'string' ? (a.value as string) : null,
      num: a.type === 'string' ? null : typeof a.value === 'boolean' ? (a.value ? 1 : 0) : (a.value as number),
    }));
    if (attrs.length > 0) await db.insertInto('user_attributes').values(attrs).execute();
    const events = u.events.map((e) => ({ app_id: appId, user_seq: seq, name: e.name, at: e.at, properties: JSON.stringify(e.properties), event_id: null, received_at: e.at }));
    for (let i = 0; i < events.length; i += 200) await db.insertInto('user_events').values(events.slice(i, i + 200)).execute();
    for (const s of u.subscriptions) {
      const row = await db
        .insertInto('subscriptions')
        .values({
          id: s.id,
          app_id: appId,
          channel: s.channel,
          address: `${appId}/${s.id}`,
          p256dh: null,
          auth: null,
          environment: null,
          app_topic: null,
          user_id: u.externalId,
          tags: JSON.stringify(s.tags),
          language: null,
          timezone: null,
          created_at: 0,
          updated_at: 0,
        })
        .returning('seq')
        .executeTakeFirstOrThrow();
      s.seq = Number(row.seq);
      const tags = Object.entries(s.tags).map(([key, value]) => ({ subscription_seq: s.seq, app_id: appId, key, value }));
      if (tags.length > 0) await db.insertInto('subscription_tags').values(tags).execute();
    }
  }
}
