import { sql, type Kysely } from 'kysely';
import type { Dialect } from './dialect.ts';
import * as m001 from './migrations/001-initial.ts';
import * as m002 from './migrations/002-push-service.ts';
import * as m003 from './migrations/003-credentials.ts';
import * as m004 from './migrations/004-events.ts';
import * as m005 from './migrations/005-delivery-refs.ts';
import * as m006 from './migrations/006-identity.ts';
import * as m007 from './migrations/007-key-check-and-progress.ts';
import * as m008 from './migrations/008-push-uaid-hash.ts';
import * as m009 from './migrations/009-normalise-endpoints.ts';
import * as m010 from './migrations/010-audience.ts';
import * as m011 from './migrations/011-segments.ts';
import * as m012 from './migrations/012-send-records.ts';
import * as m013 from './migrations/013-events-by-user.ts';
import * as m014 from './migrations/014-campaigns.ts';
import * as m015 from './migrations/015-activity.ts';
import * as m016 from './migrations/016-analytics.ts';
import * as m017 from './migrations/017-webhooks.ts';
import * as m018 from './migrations/018-operators.ts';
import * as m019 from './migrations/019-campaign-plans.ts';
import * as m021 from './migrations/021-alerts.ts';
import * as m022 from './migrations/022-api-key-names.ts';
import * as m023 from './migrations/023-subscription-user-seq.ts';
import * as m024 from './migrations/024-campaign-planning.ts';
import * as m025 from './migrations/025-attempts-and-unique-clicks.ts';
import * as m027 from './migrations/027-alert-sends.ts';
import * as m028 from './migrations/028-alert-feeds.ts';
import * as m029 from './migrations/029-journeys.ts';
import * as m030 from './migrations/030-user-seq-custom-plans.ts';
import * as m031 from './migrations/031-mfa.ts';
import * as m032 from './migrations/032-journey-step-counts.ts';
import * as m033 from './migrations/033-mfa-fallbacks.ts';
import * as m034 from './migrations/034-conversations.ts';
import * as m035 from './migrations/035-mfa-otp.ts';
import * as m036 from './migrations/036-journey-walks-attempts.ts';
import * as m037 from './migrations/037-mfa-number-matching.ts';
import * as m038 from './migrations/038-mfa-challenge-macs.ts';
import * as m039 from './migrations/039-mfa-expiry.ts';
import * as m040 from './migrations/040-notification-priority.ts';
import * as m041 from './migrations/041-conversation-assignee.ts';
import * as m042 from './migrations/042-conversation-intents.ts';
import * as m043 from './migrations/043-conversation-answers.ts';
import * as m044 from './migrations/044-conversation-message-operator.ts';
import * as m045 from './migrations/045-conversation-choices.ts';
import * as m046 from './migrations/046-conversation-hold-cleanup.ts';
import * as m049 from './migrations/049-alert-send-pending.ts';
import * as m050 from './migrations/050-alert-feed-reach.ts';
import * as m051 from './migrations/051-alert-category-map.ts';

interface Migration {
  version: number;
  name: string;
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
}

/** Numbered, append-only: a released migration is never edited, a new one is added. */
export const MIGRATIONS: Migration[] = [
  { version: 1, name: 'initial', up: m001.up },
  { version: 2, name: 'push-service', up: m002.up },
  { version: 3, name: 'credentials', up: m003.up },
  { version: 4, name: 'events', up: m004.up },
  { version: 5, name: 'delivery-refs', up: m005.up },
  { version: 6, name: 'identity', up: m006.up },
  { version: 7, name: 'key-check-and-progress', up: m007.up },
  { version: 8, name: 'push-uaid-hash', up: m008.up },
  { version: 9, name: 'normalise-endpoints', up: m009.up },
  { version: 10, name: 'audience', up: m010.up },
  { version: 11, name: 'segments', up: m011.up },
  { version: 12, name: 'send-records', up: m012.up },
  { version: 13, name: 'events-by-user', up: m013.up },
  { version: 14, name: 'campaigns', up: m014.up },
  { version: 15, name: 'activity', up: m015.up },
  { version: 16, name: 'analytics', up: m016.up },
  { version: 17, name: 'webhooks', up: m017.up },
  { version: 18, name: 'operators', up: m018.up },
  { version: 19, name: 'campaign-plans', up: m019.up },
  { version: 21, name: 'alerts', up: m021.up },
  { version: 22, name: 'api-key-names', up: m022.up },
  { version: 23, name: 'subscription-user-seq', up: m023.up },
  { version: 24, name: 'campaign-planning', up: m024.up },
  { version: 25, name: 'attempts-and-unique-clicks', up: m025.up },
  { version: 27, name: 'alert-sends', up: m027.up },
  { version: 28, name: 'alert-feeds', up: m028.up },
  { version: 29, name: 'journeys', up: m029.up },
  { version: 30, name: 'user-seq-custom-plans', up: m030.up },
  { version: 31, name: 'mfa', up: m031.up },
  { version: 32, name: 'journey-step-counts', up: m032.up },
  { version: 33, name: 'mfa-fallbacks', up: m033.up },
  { version: 34, name: 'conversations', up: m034.up },
  { version: 35, name: 'mfa-otp', up: m035.up },
  { version: 36, name: 'journey-walks-attempts', up: m036.up },
  { version: 37, name: 'mfa-number-matching', up: m037.up },
  { version: 38, name: 'mfa-challenge-macs', up: m038.up },
  { version: 39, name: 'mfa-expiry', up: m039.up },
  { version: 40, name: 'notification-priority', up: m040.up },
  { version: 41, name: 'conversation-assignee', up: m041.up },
  { version: 42, name: 'conversation-intents', up: m042.up },
  { version: 43, name: 'conversation-answers', up: m043.up },
  { version: 44, name: 'conversation-message-operator', up: m044.up },
  { version: 45, name: 'conversation-choices', up: m045.up },
  { version: 46, name: 'conversation-hold-cleanup', up: m046.up },
  { version: 49, name: 'alert-send-pending', up: m049.up },
  { version: 50, name: 'alert-feed-reach', up: m050.up },
  { version: 51, name: 'alert-category-map', up: m051.up },
];

// Any constant works; it only has to be the same for every Carillon process.
const PG_LOCK_ID = 0x6361726c;

/** Applies the migrations the database lacks, each in its own transaction. */
export async function migrate(db: Kysely<any>, dialect: Dialect): Promise<number[]> {
  const applied: number[] = [];
  await db.connection().execute(async (conn) => {
    // Several processes may start at once on PostgreSQL: one migrates, the others wait.
    if (dialect === 'postgres') await sql`select pg_advisory_lock(${PG_LOCK_ID})`.execute(conn);
    try {
      await sql`create table if not exists schema_migrations (version integer primary key, name text not null, applied_at bigint not null)`.execute(conn);
      const rows = await sql<{ version: number }>`select version from schema_migrations`.execute(conn);
      const done = new Set(rows.rows.map((r) => Number(r.version)));
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        await conn.transaction().execute(async (tx) => {
          await m.up(tx, dialect);
          await sql`insert into schema_migrations (version, name, applied_at) values (${m.version}, ${m.name}, ${Date.now()})`.execute(tx);
        });
        applied.push(m.version);
      }
    } finally {
      if (dialect === 'postgres') await sql`select pg_advisory_unlock(${PG_LOCK_ID})`.execute(conn);
    }
  });
  return applied;
}
